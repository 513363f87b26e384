package vmalock.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;

/**
 * The {@code --version} lines without picocli or any library class loaded (issue 13: {@code vmalock
 * --version} within 1.5x of {@code java -version}). Library versions come from {@code build.properties}
 * (filled in at build time), the commit from the checkout's {@code .git} files (no {@code git} process;
 * {@link BuildInfo} falls back to {@code git rev-parse} when they cannot be read).
 */
final class Version {
    private Version() {
    }

    /** Prints the lines to standard output; the exit code (OUTPUT when the write failed). */
    static int print() {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        for (String l : lines(null)) {
            out.print(l);
            out.print('\n');
        }
        out.flush();
        return out.checkError() ? ExitCode.OUTPUT : ExitCode.OK;
    }

    /** The lines; {@code commitFallback} gives the commit when the .git files cannot be read (null: "unknown"). */
    static String[] lines(java.util.function.Supplier<String> commitFallback) {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // versions stay unknown
        }
        String commit = gitHead();
        if (commit == null && commitFallback != null) {
            commit = commitFallback.get();
        }
        return new String[] {"vmalock " + BuildInfo.VERSION,
            "commit: " + (commit == null ? "unknown (not built in a git checkout)" : commit),
            "DuckDB: " + known(p.getProperty("duckdb")),
            "Chronicle Queue: " + known(p.getProperty("chronicle-queue")),
            "Java: " + System.getProperty("java.version")};
    }

    private static String known(String v) {
        return v == null || v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    }

    /** The HEAD commit of the checkout holding these classes, read from its .git files, or null. */
    static String gitHead() {
        try {
            Path here = Paths.get(Version.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = Files.isDirectory(here) ? here : here.getParent(); d != null; d = d.getParent()) {
                Path g = d.resolve(".git");
                if (Files.isDirectory(g)) {
                    return head(g, g);
                }
                if (Files.isRegularFile(g)) {
                    // a worktree: "gitdir: PATH"; its refs live in the common dir named by PATH/commondir
                    String s = Files.readString(g).strip();
                    if (!s.startsWith("gitdir: ")) {
                        return null;
                    }
                    Path gd = d.resolve(s.substring(8)).normalize();
                    Path common = gd;
                    if (Files.isRegularFile(gd.resolve("commondir"))) {
                        common = gd.resolve(Files.readString(gd.resolve("commondir")).strip()).normalize();
                    }
                    return head(gd, common);
                }
            }
            return null;
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static String head(Path gitDir, Path common) throws IOException {
        String h = Files.readString(gitDir.resolve("HEAD")).strip();
        if (isSha(h)) {
            return h;
        }
        if (!h.startsWith("ref: ")) {
            return null;
        }
        String ref = h.substring(5).strip();
        for (Path base : new Path[] {gitDir, common}) {
            Path f = base.resolve(ref);
            if (Files.isRegularFile(f)) {
                String v = Files.readString(f).strip();
                return isSha(v) ? v : null;
            }
        }
        Path packed = common.resolve("packed-refs");
        if (Files.isRegularFile(packed)) {
            for (String l : Files.readAllLines(packed)) {
                if (l.endsWith(" " + ref) && isSha(l.substring(0, l.indexOf(' ')))) {
                    return l.substring(0, l.indexOf(' '));
                }
            }
        }
        return null;
    }

    private static boolean isSha(String s) {
        return s.matches("[0-9a-f]{40}");
    }
}
