package vmalock.cli;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The {@code --version} lines without picocli or any library class loaded (issue 13: {@code vmalock
 * --version} within 1.5x of {@code java -version}). Library versions come from {@code build.properties}
 * (filled in at build time), the commit from the checkout's {@code .git} files (no {@code git} process;
 * {@link BuildInfo} falls back to {@code git rev-parse} when they cannot be read).
 *
 * <p>Written to load as few JDK classes as a JVM start already has (docs/ingest-speed.md "Start-up"): no
 * string concatenation (its invokedynamic bootstrap spins method-handle classes), no regular expressions,
 * java.io files rather than NIO channels, and the properties read from the jar with the {@link ZipFile}
 * the class path already opened rather than through a resource URL (which loads the runtime image reader
 * and the jar URL handler).
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
        File here = codeLocation();
        Properties p = buildProperties(here);
        String commit = gitHead(here);
        if (commit == null && commitFallback != null) {
            commit = commitFallback.get();
        }
        return new String[] {join("vmalock ", BuildInfo.VERSION),
            join("commit: ", commit == null ? "unknown (not built in a git checkout)" : commit),
            join("DuckDB: ", known(p.getProperty("duckdb"))),
            join("Chronicle Queue: ", known(p.getProperty("chronicle-queue"))),
            join("Java: ", System.getProperty("java.version"))};
    }

    private static String join(String a, String b) {
        return new StringBuilder(a.length() + b.length()).append(a).append(b).toString();
    }

    private static String known(String v) {
        return v == null || v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    }

    /** The jar or class directory holding these classes, or null. */
    private static File codeLocation() {
        try {
            return new File(Version.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** build.properties next to this class: from the jar directly when it is one, else as a resource. */
    private static Properties buildProperties(File here) {
        Properties p = new Properties();
        try {
            if (here != null && here.isFile()) {
                try (ZipFile z = new ZipFile(here)) {
                    ZipEntry e = z.getEntry("vmalock/cli/build.properties");
                    if (e != null) {
                        try (InputStream in = z.getInputStream(e)) {
                            p.load(in);
                        }
                        return p;
                    }
                }
            }
            try (InputStream in = Version.class.getResourceAsStream("build.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
        } catch (IOException | RuntimeException e) {
            // versions stay unknown
        }
        return p;
    }

    /** The HEAD commit of the checkout holding these classes, read from its .git files, or null. */
    static String gitHead() {
        return gitHead(codeLocation());
    }

    private static String gitHead(File here) {
        if (here == null) {
            return null;
        }
        try {
            for (File d = here.isDirectory() ? here : here.getAbsoluteFile().getParentFile(); d != null; d = d.getParentFile()) {
                File g = new File(d, ".git");
                if (g.isDirectory()) {
                    return head(g, g);
                }
                if (g.isFile()) {
                    // a worktree: "gitdir: PATH"; its refs live in the common dir named by PATH/commondir
                    String s = read(g);
                    if (!s.startsWith("gitdir: ")) {
                        return null;
                    }
                    File gd = resolve(d, s.substring(8));
                    File common = gd;
                    File cd = new File(gd, "commondir");
                    if (cd.isFile()) {
                        common = resolve(gd, read(cd));
                    }
                    return head(gd, common);
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@code path} resolved against {@code dir} when relative, normalised ("." and ".." removed). */
    private static File resolve(File dir, String path) {
        File f = new File(path);
        return (f.isAbsolute() ? f : new File(dir, path)).toPath().normalize().toFile();
    }

    private static String head(File gitDir, File common) throws IOException {
        String h = read(new File(gitDir, "HEAD"));
        if (isSha(h)) {
            return h;
        }
        if (!h.startsWith("ref: ")) {
            return null;
        }
        String ref = h.substring(5).strip();
        for (File base : new File[] {gitDir, common}) {
            File f = new File(base, ref);
            if (f.isFile()) {
                String v = read(f);
                return isSha(v) ? v : null;
            }
        }
        File packed = new File(common, "packed-refs");
        if (packed.isFile()) {
            String suffix = new StringBuilder(ref.length() + 1).append(' ').append(ref).toString();
            for (String l : read(packed).split("\n")) {
                String line = l.strip();
                int sp = line.indexOf(' ');
                if (sp > 0 && line.endsWith(suffix) && isSha(line.substring(0, sp))) {
                    return line.substring(0, sp);
                }
            }
        }
        return null;
    }

    /** A small text file's content, stripped. */
    private static String read(File f) throws IOException {
        try (FileInputStream in = new FileInputStream(f)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    private static boolean isSha(String s) {
        if (s.length() != 40) {
            return false;
        }
        for (int i = 0; i < 40; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
