package vmalock.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes one man(1) page in roff per command ({@code vmalock.1}, {@code vmalock-stats.1}, …) from the picocli
 * model of {@link Main#commandLine()}, so the pages never drift from {@code --help}. Run at package time
 * (cli/pom.xml) into {@code cli/target/man/man1}: {@code man -l cli/target/man/man1/vmalock-stats.1}.
 *
 * <p>Written here rather than by a library: picocli's ManPageGenerator writes AsciiDoc, whose converter to roff
 * (Asciidoctor) is a Ruby program or asciidoctorj (JRuby, ~40 MB), neither served to this build; the model
 * maps onto the few man(7) macros used here (TH, SH, TP, B, I, nf/fi) directly.
 */
public final class ManPages {
    private ManPages() {
    }

    /** {@code ManPages DIR}: writes the pages into DIR. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ManPages OUTPUT_DIR");
            System.exit(2);
        }
        write(Path.of(args[0]));
    }

    /** Writes every command's page into {@code dir} (created if needed); returns the files written, in order. */
    public static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        CommandLine root = Main.commandLine();
        out.add(write(dir, root, null));
        for (CommandLine sub : root.getSubcommands().values()) {
            out.add(write(dir, sub, root));
        }
        return out;
    }

    /** The page name of a command: {@code vmalock} or {@code vmalock-stats}. */
    static String pageName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName("-");
    }

    private static Path write(Path dir, CommandLine cl, CommandLine parent) throws IOException {
        Path f = dir.resolve(pageName(cl) + ".1");
        Files.writeString(f, page(cl, parent), StandardCharsets.UTF_8);
        return f;
    }

    /** The roff text of one command's page. */
    static String page(CommandLine cl, CommandLine parent) {
        CommandSpec spec = cl.getCommandSpec();
        spec.usageMessage().width(1000); // picocli's texts unwrapped: groff fills the lines itself
        CommandLine.Help help = new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        StringBuilder b = new StringBuilder();
        String name = pageName(cl);
        String[] version = spec.version();
        b.append(".TH \"").append(name.toUpperCase(java.util.Locale.ROOT)).append("\" \"1\" \"\" \"")
                .append(version.length > 0 ? quoted(version[0]) : "vmalock").append("\" \"vmalock Manual\"\n");
        b.append(".ad l\n.nh\n"); // ragged right, no hyphenation: option names and paths stay whole
        String[] desc = spec.usageMessage().description();
        b.append(".SH NAME\n").append(escape(name)).append(" \\- ")
                .append(escape(firstSentence(desc.length > 0 ? text(desc[0]) : name))).append('\n');
        b.append(".SH SYNOPSIS\n.nf\n");
        for (String line : help.synopsis(0).replaceFirst("^Usage: ", "").strip().split("\n")) {
            b.append(escape(line.strip())).append('\n');
        }
        b.append(".fi\n");
        if (desc.length > 0) {
            b.append(".SH DESCRIPTION\n");
            paragraphs(b, text(String.join("\n", desc)));
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            b.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                b.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n');
                paragraphs(b, text(String.join("\n", p.description())));
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            b.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                b.append(".TP\n").append(optionTerm(o)).append('\n');
                paragraphs(b, text(String.join("\n", o.description())));
            }
        }
        if (!cl.getSubcommands().isEmpty()) {
            b.append(".SH COMMANDS\n");
            for (CommandLine sub : cl.getSubcommands().values()) {
                String[] d = sub.getCommandSpec().usageMessage().description();
                b.append(".TP\n.B ").append(escape(sub.getCommandName())).append('\n')
                        .append(escape(firstSentence(d.length > 0 ? text(d[0]) : ""))).append(" See \\fB")
                        .append(escape(pageName(sub))).append("\\fR(1).\n");
            }
        }
        Map<String, String> codes = spec.usageMessage().exitCodeList();
        if (!codes.isEmpty()) {
            b.append(".SH \"EXIT STATUS\"\n");
            for (Map.Entry<String, String> c : codes.entrySet()) {
                b.append(".TP\n.B ").append(escape(c.getKey().strip())).append('\n').append(escape(text(c.getValue()))).append('\n');
            }
        }
        b.append(".SH \"SEE ALSO\"\n");
        b.append(parent == null ? "The documentation in docs/ of the vmalock source tree.\n"
                : "\\fB" + escape(pageName(parent)) + "\\fR(1)\n");
        return b.toString();
    }

    /** {@code \fB-w\fR, \fB--workspace\fR=\fIDIR\fR}. */
    private static String optionTerm(OptionSpec o) {
        StringBuilder t = new StringBuilder();
        for (String n : o.names()) {
            if (t.length() > 0) t.append(", ");
            t.append("\\fB").append(escape(n)).append("\\fR");
        }
        if (o.arity().max() > 0) {
            t.append("=\\fI").append(escape(o.paramLabel())).append("\\fR");
        }
        String s = t.toString();
        return s.startsWith(".") || s.startsWith("'") ? "\\&" + s : s;
    }

    /** A picocli description text: its format specifiers rendered ({@code %n} a line break, {@code %%} a percent sign). */
    private static String text(String s) {
        return s.replace("%n", "\n").replace("%%", "%");
    }

    private static String firstSentence(String s) {
        String line = s.strip().split("\n", 2)[0];
        int dot = line.indexOf(". ");
        return dot > 0 ? line.substring(0, dot + 1) : line;
    }

    /** Lines of text as roff: blank lines separate paragraphs ({@code .PP}, {@code .IP} inside a {@code .TP}). */
    private static void paragraphs(StringBuilder b, String text) {
        boolean first = true;
        for (String para : text.strip().split("\n\\s*\n")) {
            if (!first) b.append(".sp\n");
            first = false;
            for (String line : para.split("\n")) {
                if (!line.isBlank()) b.append(escape(line.strip())).append('\n');
            }
        }
    }

    private static String quoted(String s) {
        return escape(s).replace("\"", "\\(dq");
    }

    /**
     * Escapes text for roff: backslashes, hyphens kept as minus signs, a leading control character, break points
     * after commas and slashes (a long list of events is one word otherwise), and every
     * character beyond ASCII as {@code \[uXXXX]} (groff reads the page as ASCII unless run through preconv).
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        s.codePoints().forEach(c -> {
            if (c == '\\') b.append("\\e");
            else if (c == '-') b.append("\\-");
            else if (c == ',' || c == '/' || c == '|') b.append((char) c).append("\\:"); // a break point in long lists and paths
            else if (c < 128) b.append((char) c);
            else b.append(String.format(java.util.Locale.ROOT, "\\[u%04X]", c));
        });
        String e = b.toString();
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
