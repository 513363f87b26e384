package vmalock.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * {@code vmalock --version}: the version, the commit the classes were built from (the checkout's
 * {@code git rev-parse HEAD}, "unknown" outside a checkout) and the DuckDB and Chronicle Queue versions
 * in use (from their jars' names, or their manifests).
 */
public final class BuildInfo implements CommandLine.IVersionProvider {
    static final String VERSION = "0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {"vmalock " + VERSION, "commit: " + commit(),
            "DuckDB: " + stamped("duckdb", () -> libraryVersion("org.duckdb.DuckDBDriver", "duckdb_jdbc-")),
            "Chronicle Queue: " + stamped("chronicle-queue",
                    () -> libraryVersion("net.openhft.chronicle.queue.ChronicleQueue", "chronicle-queue-")),
            "Java: " + System.getProperty("java.version")};
    }

    /**
     * A version stamped into {@code vmalock-build.properties} at build time (the pom's, which the fat jar's
     * name no longer shows), else {@code fallback} (classes run from a build tree without the resource).
     */
    static String stamped(String key, java.util.function.Supplier<String> fallback) {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/vmalock-build.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty(key);
                if (v != null && !v.isBlank() && !v.contains("${")) {
                    return v.strip();
                }
            }
        } catch (IOException e) {
            // below
        }
        return fallback.get();
    }

    /** The version of the library holding {@code className}: its jar's name ({@code prefix}VERSION.jar) or manifest. */
    static String libraryVersion(String className, String prefix) {
        try {
            Class<?> c = Class.forName(className, false, BuildInfo.class.getClassLoader());
            Path jar = Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            String n = jar.getFileName().toString();
            if (n.startsWith(prefix) && n.endsWith(".jar")) {
                return n.substring(prefix.length(), n.length() - 4);
            }
            String v = c.getPackage() == null ? null : c.getPackage().getImplementationVersion();
            return v == null ? "unknown" : v;
        } catch (ClassNotFoundException | URISyntaxException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The commit of the checkout these classes were built in. */
    static String commit() {
        try {
            Path here = Paths.get(BuildInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(here) ? here : here.getParent();
            String head = git(dir, "rev-parse", "HEAD");
            if (head == null || !head.matches("[0-9a-f]{40}")) {
                return "unknown (not built in a git checkout)";
            }
            return head;
        } catch (URISyntaxException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String git(Path dir, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
