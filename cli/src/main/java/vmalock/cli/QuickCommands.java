package vmalock.cli;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The common forms of {@code ingest} and {@code stats} run without picocli (issue 13, start-up: building picocli's
 * model of one subcommand, ~170 classes that JDK 17 cannot archive, was ~0.1-0.2 s of each such command's start):
 * {@code ingest FILE… -w DIR [--tables|--no-tables] [--kernel RELEASE]} and {@code stats -w DIR [--json]}, options
 * in any order, each at most once, as {@code -w DIR}, {@code --workspace DIR} or {@code --workspace=DIR}. The same
 * command objects run with the fields picocli would set, through {@link Main#execute} (picocli's execution strategy
 * and exception handling for them); anything else — another option, {@code --help}, a value that starts with
 * {@code -} or an argument file ({@code @…}), a repeated option, standard input — goes to picocli as before.
 */
final class QuickCommands {
    private QuickCommands() {
    }

    /** The command's exit code, or null when these arguments are not one of the quick forms (picocli runs them). */
    static Integer run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length < 2 || "off".equals(System.getProperty("vmalock.quick"))) {
            return null;
        }
        Parsed p = parse(args);
        if (p == null) {
            return null;
        }
        if ("stats".equals(args[0])) {
            StatsCommand c = new StatsCommand();
            c.workspace = p.workspace;
            c.json = p.flags.contains("--json");
            c.filters = new FilterOptions();
            return Main.execute("stats", () -> c.run(out, err), out, err);
        }
        IngestCommand c = new IngestCommand();
        c.files = p.positional;
        c.workspace = p.workspace;
        c.kernel = p.kernel;
        c.tables = p.flags.contains("--tables");
        c.noTables = p.flags.contains("--no-tables");
        return Main.execute("ingest", () -> c.run(out, err), out, err);
    }

    /** What a quick form gives its command. */
    static final class Parsed {
        Path workspace;
        String kernel;
        final List<String> flags = new ArrayList<>();
        final List<Path> positional = new ArrayList<>();
    }

    /** The arguments of a quick form, or null when they are not one. */
    static Parsed parse(String[] args) {
        boolean ingest = "ingest".equals(args[0]);
        if (!ingest && !"stats".equals(args[0])) {
            return null;
        }
        List<String> flags = ingest ? List.of("--tables", "--no-tables") : List.of("--json");
        Parsed p = new Parsed();
        try {
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (a.isEmpty() || a.startsWith("@")) {
                    return null; // picocli reads @FILE as an argument file
                }
                if (a.equals("-w") || a.equals("--workspace") || a.startsWith("--workspace=")) {
                    String v = a.startsWith("--workspace=") ? a.substring("--workspace=".length())
                            : i + 1 < args.length ? args[++i] : null;
                    if (p.workspace != null || v == null || v.isEmpty() || v.startsWith("-") || v.startsWith("@")) return null;
                    p.workspace = Path.of(v);
                } else if (ingest && (a.equals("--kernel") || a.startsWith("--kernel="))) {
                    String v = a.startsWith("--kernel=") ? a.substring("--kernel=".length()) : i + 1 < args.length ? args[++i] : null;
                    if (p.kernel != null || v == null || v.startsWith("-") || v.startsWith("@")) return null;
                    p.kernel = v;
                } else if (flags.contains(a)) {
                    if (p.flags.contains(a)) return null;
                    p.flags.add(a);
                } else if (ingest && !a.startsWith("-")) {
                    p.positional.add(Path.of(a));
                } else {
                    return null;
                }
            }
        } catch (InvalidPathException e) {
            return null; // picocli says what is wrong with it
        }
        if (p.workspace == null || ingest && p.positional.isEmpty()) {
            return null;
        }
        return p;
    }
}
