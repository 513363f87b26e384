package vmalock.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tracefs mount: locating (and if needed mounting) it, checking that this process may use it,
 * and reading/writing its control files with one-line errors.
 *
 * <p>Every write is a single {@code write(2)} of the whole value, as tracefs expects; {@link #write}
 * truncates (like the shell's {@code >}), {@link #append} does not ({@code >>}).
 */
public final class Tracefs {
    public static final Path DEFAULT_ROOT = Paths.get("/sys/kernel/tracing");
    static final Path LOCKDOWN = Paths.get("/sys/kernel/security/lockdown");

    private final Path root;

    Tracefs(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path path(String rel) {
        return root.resolve(rel);
    }

    /**
     * Finds a usable tracefs at {@code root}, mounting it there when the kernel has tracefs but it is
     * not mounted. Fails with one clear line when this process cannot trace.
     *
     * @param mountIfNeeded try {@code mount -t tracefs nodev ROOT} when ROOT is not a tracefs mount
     */
    public static Tracefs open(Path root, boolean mountIfNeeded) throws CaptureException {
        Tracefs t = new Tracefs(root);
        String lockdown = lockdownMode(LOCKDOWN);
        if ("confidentiality".equals(lockdown)) {
            throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "the kernel is locked down (lockdown="
                    + lockdown + "), which forbids tracefs; boot with lockdown=none (or integrity) to capture");
        }
        if (!Files.exists(root.resolve("trace"))) {
            if (!kernelHasTracefs()) {
                throw new CaptureException(CaptureException.Kind.ENVIRONMENT,
                        "this kernel has no tracefs (CONFIG_TRACING is off): capture needs a kernel built with tracing");
            }
            if (!isRoot()) {
                throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "tracefs is not mounted at " + root
                        + " and mounting it needs root: run as root (sudo vmalock capture …)");
            }
            if (!mountIfNeeded) {
                throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "tracefs is not mounted at " + root
                        + ": mount it with: mount -t tracefs nodev " + root);
            }
            mount(root);
        }
        if (!Files.isDirectory(root.resolve("instances"))) {
            throw new CaptureException(CaptureException.Kind.ENVIRONMENT, root
                    + " has no instances/ directory: capture needs tracefs instances (Linux 4.1 or later)");
        }
        if (!Files.isWritable(root.resolve("instances")) || !isRoot() && !canWrite(root.resolve("instances"))) {
            throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "tracefs at " + root
                    + " is writable only by root: run as root (sudo vmalock capture …)");
        }
        return t;
    }

    /** The active lockdown mode ({@code none}, {@code integrity}, {@code confidentiality}), or null if unknown. */
    static String lockdownMode(Path lockdownFile) {
        try {
            String s = Files.readString(lockdownFile);
            int a = s.indexOf('[');
            int b = s.indexOf(']', a + 1);
            return a >= 0 && b > a ? s.substring(a + 1, b) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static boolean kernelHasTracefs() {
        try {
            for (String l : Files.readAllLines(Paths.get("/proc/filesystems"))) {
                if (l.endsWith("\ttracefs")) return true;
            }
            return false;
        } catch (IOException e) {
            return true; // cannot tell: let mount report
        }
    }

    /** Effective uid 0, from /proc/self/status. */
    public static boolean isRoot() {
        try {
            for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (l.startsWith("Uid:")) {
                    String[] f = l.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return false;
    }

    private static boolean canWrite(Path dir) {
        return Files.isWritable(dir);
    }

    private static void mount(Path root) throws CaptureException {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", root.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(root.resolve("trace"))) {
                throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "tracefs is not mounted at " + root
                        + " and mounting it failed" + (out.isEmpty() ? "" : " (" + out.replace('\n', ' ') + ")")
                        + ": mount it with: mount -t tracefs nodev " + root);
            }
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "tracefs is not mounted at " + root
                    + " and the mount command could not run (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "interrupted while mounting tracefs");
        }
    }

    // ---- file access -------------------------------------------------------------------------

    public boolean exists(String rel) {
        return Files.exists(root.resolve(rel));
    }

    public String read(String rel) throws CaptureException {
        try {
            return new String(Files.readAllBytes(root.resolve(rel)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw error("cannot read", rel, e);
        }
    }

    /** Reads a one-value file, trimmed. */
    public String readValue(String rel) throws CaptureException {
        return read(rel).trim();
    }

    /** {@code echo value > rel}: one write, truncating. */
    public void write(String rel, String value) throws CaptureException {
        writeBytes(rel, value, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** {@code echo value >> rel}. */
    public void append(String rel, String value) throws CaptureException {
        writeBytes(rel, value, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private void writeBytes(String rel, String value, StandardOpenOption... opts) throws CaptureException {
        try {
            Files.write(root.resolve(rel), (value + "\n").getBytes(StandardCharsets.UTF_8), opts);
        } catch (IOException e) {
            throw error("cannot write '" + value + "' to", rel, e);
        }
    }

    public List<String> list(String rel) throws CaptureException {
        try (var s = Files.list(root.resolve(rel))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw error("cannot list", rel, e);
        }
    }

    CaptureException error(String what, String rel, IOException e) {
        return new CaptureException(CaptureException.Kind.TRACEFS, what + " " + root.resolve(rel) + ": " + reason(e), e);
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied (run as root)";
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof FileSystemException) {
            String r = ((FileSystemException) e).getReason();
            if (r != null) return r;
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
