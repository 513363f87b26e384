package vmalock.parse;

import java.util.Locale;

/**
 * The text formats the parsers understand. Probe (kprobe / perf-probe) events are ordinary event
 * lines inside the first three formats, so they need no format of their own.
 */
public enum TraceFormat {
    /** Raw tracefs text: the {@code trace} file and {@code trace_pipe}. */
    FTRACE("ftrace"),
    /** {@code trace-cmd report} (3.x), including {@code -l} and {@code -t}. */
    TRACE_CMD("trace-cmd"),
    /** {@code perf script} text. */
    PERF_SCRIPT("perf"),
    /** The canonical event as CSV with a header row ({@link CsvEventWriter}). */
    CSV("csv");

    private final String cliName;

    TraceFormat(String cliName) {
        this.cliName = cliName;
    }

    /** The name used by {@code --format} and in manifests and JSON output. */
    public String cliName() {
        return cliName;
    }

    /** Parses a {@code --format} value; accepts the CLI names and the enum names, any case. */
    public static TraceFormat fromCliName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (TraceFormat f : values()) {
            if (f.cliName.equals(n) || f.name().toLowerCase(Locale.ROOT).equals(n)) {
                return f;
            }
        }
        if (n.equals("tracecmd") || n.equals("trace_cmd")) return TRACE_CMD;
        if (n.equals("perf-script") || n.equals("perf_script")) return PERF_SCRIPT;
        if (n.equals("trace") || n.equals("trace_pipe") || n.equals("tracefs")) return FTRACE;
        throw new IllegalArgumentException("unknown format '" + name + "' (expected one of: " + cliNames() + ")");
    }

    /** {@code "ftrace, trace-cmd, perf, csv"} for help texts. */
    public static String cliNames() {
        StringBuilder sb = new StringBuilder();
        for (TraceFormat f : values()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(f.cliName);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return cliName;
    }
}
