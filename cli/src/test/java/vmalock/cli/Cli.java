package vmalock.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import picocli.CommandLine;

/** Runs vmalock commands in-process and captures their exit code, stdout and stderr. */
public final class Cli {
    final int code;
    final String out;
    final String err;

    private Cli(int code, String out, String err) {
        this.code = code;
        this.out = out;
        this.err = err;
    }

    static Cli run(Object... args) {
        StringWriter out = new StringWriter();
        return execute(out, out, args);
    }

    private static Cli execute(java.io.Writer outTarget, StringWriter out, Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = String.valueOf(args[i]);
        }
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(outTarget, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(a);
        return new Cli(code, out.toString(), err.toString());
    }

    /** Runs a command whose standard output fails (like a full disk) after {@code limit} characters. */
    static Cli runFailingOut(int limit, Object... args) {
        StringWriter out = new StringWriter();
        java.io.Writer full = new java.io.Writer() {
            private int n;

            @Override
            public void write(char[] c, int off, int len) throws java.io.IOException {
                if (n + len > limit) {
                    throw new java.io.IOException("No space left on device");
                }
                n += len;
                out.write(c, off, len);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        return execute(full, out, args);
    }

    /** The project checkout (surefire sets vmalock.root). */
    static Path root() {
        return Paths.get(System.getProperty("vmalock.root", "..")).toAbsolutePath().normalize();
    }

    /**
     * ../shared (traces, workloads); a checkout without it beside (a clone elsewhere, CI on a new machine)
     * uses the byte-identical copies in sample-traces/shared.
     */
    public static Path shared() {
        Path beside = root().resolve("..").resolve("shared").normalize();
        return Files.isDirectory(beside.resolve("traces")) ? beside : root().resolve("sample-traces/shared");
    }

    static Path sample(String name) {
        return root().resolve("sample-traces").resolve(name);
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
