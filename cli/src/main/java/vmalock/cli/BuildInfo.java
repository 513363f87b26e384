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
 * it was built with (recorded at build time in {@code build.properties}). The lines come from {@link Version},
 * which {@link Main} also prints without picocli on {@code --version} alone.
 */
public final class BuildInfo implements CommandLine.IVersionProvider {
    static final String VERSION = "0.1.0";

    @Override
    public String[] getVersion() {
        // the same lines as the start-up fast path (Main, Version): versions recorded at build time
        return Version.lines(BuildInfo::commit);
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
