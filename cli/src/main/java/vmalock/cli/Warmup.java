package vmalock.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Start-up work done on other threads while the main one builds the command line (issue 13; the
 * machine's second core is otherwise idle then): Jackson's manifest (de)serialisers for every command
 * that opens a workspace, Chronicle Queue's static initialisation for {@code ingest}, and DuckDB's JNI
 * library (~0.3 s: a 72 MB shared object) for the commands that open the workspace database. Each goes
 * through the same entry points the command then uses, which waits for whatever part is still running.
 * {@code -Dvmalock.warmup=off} turns it off.
 */
final class Warmup {
    private Warmup() {
    }

    static void start(String[] args) {
        if (args.length == 0 || "off".equals(System.getProperty("vmalock.warmup"))) {
            return;
        }
        String cmd = args[0];
        boolean workspace = option(args, "-w", "--workspace") != null;
        if (workspace) {
            thread("vmalock-warmup-store", () -> {
                if ("ingest".equals(cmd)) {
                    // Chronicle first: the ingest opens the queue before it reads or writes a manifest (a new
                    // workspace has none until the first commit)
                    load("vmalock.store.Queues");
                    load("net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder");
                }
                vmalock.store.Manifest.prime();
            });
        }
        if (usesDuckDb(cmd, args)) {
            thread("vmalock-warmup-duckdb", () -> {
                if ("stats".equals(cmd) && option(args, "--run", "--run") == null
                        && JavaStats.MAX_RECORDS >= vmalock.store.Workspace.records(
                                vmalock.store.Manifest.read(Path.of(option(args, "-w", "--workspace"))).sources)) {
                    return; // no figures stored, but few events: stats computes them without DuckDB (JavaStats)
                }
                java.sql.DriverManager.getDrivers();
                load("org.duckdb.DuckDBNative");
            });
        }
    }

    /** Whether the command opens the workspace database. */
    static boolean usesDuckDb(String cmd, String[] args) {
        switch (cmd) {
            case "ingest": {
                // as IngestCommand decides whether to start DuckDB while it parses (tablesExpected), from the arguments
                java.util.List<String> a = java.util.Arrays.asList(args);
                if (a.contains("--tables")) return true;
                if (a.contains("--no-tables")) return false;
                java.util.List<Path> inputs = new java.util.ArrayList<>();
                for (int i = 1; i < args.length; i++) {
                    boolean workspace = "-w".equals(args[i - 1]) || "--workspace".equals(args[i - 1]);
                    if (!workspace && (args[i].equals("-") || Files.isRegularFile(Path.of(args[i])))) inputs.add(Path.of(args[i]));
                }
                // (a workspace that holds many events already: IngestCommand starts DuckDB itself once it has read it)
                return IngestCommand.largeInput(inputs);
            }
            case "query": case "report":
                return true;
            case "export":
                return java.util.Arrays.asList(args).contains("--table");
            case "stats": {
                // without --run or --source, stats prints the figures ingest stored unless they are missing
                String ws = option(args, "-w", "--workspace");
                return ws == null || option(args, "--run", "--run") != null
                        || !Files.isRegularFile(Path.of(ws, vmalock.db.ObservedRun.STATS_CACHE));
            }
            default:
                return false;
        }
    }

    /** The value of an option given as {@code -o V}, {@code --opt V} or {@code --opt=V}, or null. */
    static String option(String[] args, String shortName, String longName) {
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals(shortName) || args[i].equals(longName)) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(longName + "=")) {
                return args[i].substring(longName.length() + 1);
            }
        }
        return null;
    }

    private static void load(String name) {
        try {
            Class.forName(name, true, Warmup.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // nothing to warm
        }
    }

    private static void thread(String name, Runnable r) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                // only a warm-up: the command itself reports any failure
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }
}
