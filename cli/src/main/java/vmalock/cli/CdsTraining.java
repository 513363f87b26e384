package vmalock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The training run of the launcher's application class-data archive (AppCDS, issue 13): {@code ./vmalock}
 * runs it once per build under {@code -XX:ArchiveClassesAtExit}, so the classes a user's commands load
 * (picocli, Chronicle Queue, Jackson, the parsers, the DuckDB driver, …) come parsed and verified from the
 * archive on every later start. It ingests the given traces into a temporary workspace and runs the
 * common commands over it, output discarded; nothing outside the temporary directory is touched.
 *
 * <p>Usage: {@code java -XX:ArchiveClassesAtExit=A.jsa … -cp vmalock.jar vmalock.cli.CdsTraining TRACE…}
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] traces) throws IOException {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.setProperty("system.properties", "/nonexistent");
        Main.jnaSearchPath();
        Path tmp = Files.createTempDirectory("vmalock-cds-");
        int rc = 0;
        try {
            for (int i = 0; i < traces.length; i++) {
                // one workspace per trace: their clocks may differ. The first is ingested as a small trace is (no
                // tables: its query loads them), the others with the tables built, as a large trace is
                String ws = tmp.resolve("ws" + i).toString();
                rc = Math.max(rc, i == 0 ? run("ingest", traces[i], "-w", ws) : run("ingest", "--tables", traces[i], "-w", ws));
                if (i == 0) {
                    run("stats", "-w", ws);
                    run("stats", "-w", ws, "--json");
                    run("query", "-w", ws, "SELECT count(*) FROM events");
                    run("sources", "-w", ws);
                    // the replays, and the HTML page with its charts (AWT's fonts, XChart, the SVG writer, the
                    // JDK's XML serialiser: ~2,000 classes that report --html otherwise parses and verifies)
                    run("compare", "-w", ws);
                    run("report", "-w", ws, "--html", tmp.resolve("report.html").toString());
                }
            }
            run("--help");
            run("ingest", "--help");
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(rc > ExitCode.PROBLEMS ? 1 : 0);
    }

    private static int run(String... args) {
        CommandLine cl = Main.commandLine(args);
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        cl.setOut(none);
        cl.setErr(none);
        return cl.execute(args);
    }
}
