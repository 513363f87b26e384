package vmalock.cli;

/**
 * The exit codes every vmalock command uses (also in {@code --help} and the README).
 */
public final class ExitCode {
    /** Everything done, nothing to report. */
    public static final int OK = 0;
    /** Completed, but bad input lines were skipped (see the problems printed on stderr). */
    public static final int PROBLEMS = 1;
    /** Command-line usage error (unknown option, missing argument). */
    public static final int USAGE = 2;
    /** An input could not be used: missing, unreadable, empty, not a trace, already ingested, or --strict stopped at a bad line. */
    public static final int INPUT = 3;
    /** The output could not be written (standard output or -o FILE: disk full, closed pipe): same code as an input error. */
    public static final int OUTPUT = INPUT;
    /** The workspace is missing, damaged, busy or not writable. */
    public static final int WORKSPACE = 4;
    /** A report's or query's SQL failed (report, query): one line names the query. */
    public static final int QUERY = 5;
    /** capture: this machine cannot trace (not root, no tracefs, kernel lockdown, none of the events, tracefs refused a write). */
    public static final int NO_TRACING = 6;
    /** capture: another vmalock capture is running. */
    public static final int CAPTURE_BUSY = 7;
    /** {@code check} found invariant violations (listed on stdout). */
    public static final int VIOLATIONS = 8;
    /** {@code validate}: the what-if prediction did not hold on these captures (the table says where). */
    public static final int NOT_HELD = 9;
    /**
     * The Java heap was too small for the command (a replay or compare of a very large trace): one line
     * gives the heap it had and how to raise it ({@code VMALOCK_JAVA_OPTS=-Xmx…}).
     */
    public static final int OUT_OF_MEMORY = 10;
    /** An internal error (a bug): please report it with the command line. */
    public static final int INTERNAL = 70;

    /** The exit-code list picocli prints in every command's --help (code → meaning). */
    public static java.util.Map<String, String> helpList() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("0", "ok");
        m.put("1", "completed with problems (bad lines skipped and reported)");
        m.put("2", "usage error");
        m.put("3", "input error (missing/unreadable/empty/not a trace, mostly bad lines, a binary trace.dat or perf.data, "
                + "already ingested, --strict stop), or the output could not be written");
        m.put("4", "workspace error (missing, damaged, busy, not writable)");
        m.put("5", "query error (a report's or query's SQL failed)");
        m.put("10", "out of memory (the Java heap was too small: raise it with VMALOCK_JAVA_OPTS=-Xmx…)");
        m.put("70", "internal error (a bug: please report it)");
        return m;
    }

    /** {@link #helpList()} plus the codes only {@code capture} returns. */
    public static java.util.Map<String, String> captureHelpList() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(helpList());
        m.put("1", "completed, but events were lost (ring buffer overrun) or lines could not be parsed");
        m.put("3", "input error (command not found, no such --pid, bad --events)");
        m.put("4", "workspace error (-w DIR not empty, not writable)");
        m.remove("70");
        m.remove("5");
        String oom = m.remove("10");
        m.put("6", "cannot trace here (not root, no tracefs, kernel lockdown, none of the events exist)");
        m.put("7", "another vmalock capture is running");
        m.put("10", oom);
        m.put("70", "internal error (a bug: please report it)");
        return m;
    }

    /** {@link #helpList()} plus the code only {@code check} returns. */
    public static java.util.Map<String, String> checkHelpList() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(helpList());
        m.remove("70");
        String oom = m.remove("10");
        m.put("8", "check found invariant violations (listed on stdout)");
        m.put("10", oom);
        m.put("70", "internal error (a bug: please report it)");
        return m;
    }

    private ExitCode() {
    }
}
