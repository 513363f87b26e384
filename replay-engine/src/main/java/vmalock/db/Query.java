package vmalock.db;

import java.util.ArrayList;
import java.util.List;

/**
 * A named SQL report: a {@code .sql} file whose leading {@code --} comment says what it answers. A file
 * may hold several statements; each statement that returns rows is a section of the report, titled by
 * a {@code -- section: TITLE} comment line before it.
 */
public record Query(String name, String description, String sql, String origin) {

    /** A query from text: the description is the leading comment block, without the {@code --}. */
    public static Query of(String name, String sql, String origin) {
        StringBuilder d = new StringBuilder();
        for (String line : sql.split("\n", -1)) {
            String t = line.strip();
            if (!t.startsWith("--")) {
                if (t.isEmpty() && d.length() == 0) {
                    continue;
                }
                break;
            }
            String c = t.substring(2).strip();
            if (d.length() > 0) {
                d.append(c.isEmpty() ? "\n" : " ");
            }
            d.append(c);
        }
        return new Query(name, d.toString().replace(" \n", "\n").strip(), sql, origin);
    }

    /** The first sentence of the description (for listings). */
    public String title() {
        String d = description;
        int dot = d.indexOf(". ");
        int nl = d.indexOf('\n');
        int end = dot < 0 ? d.length() : dot + 1;
        if (nl >= 0 && nl < end) {
            end = nl;
        }
        return d.substring(0, end).strip();
    }

    /** A statement of the file and the section title given by a {@code -- section:} comment before it. */
    public record Statement(String title, String sql) {
    }

    /**
     * Splits the text into statements at semicolons outside quotes and comments; empty statements and
     * pure comments are dropped.
     */
    public List<Statement> statements() {
        List<Statement> out = new ArrayList<>();
        String s = sql;
        int start = 0;
        String title = null;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                int eol = s.indexOf('\n', i);
                if (eol < 0) {
                    eol = n;
                }
                String comment = s.substring(i + 2, eol).strip();
                if (comment.startsWith("section:")) {
                    title = comment.substring(8).strip();
                }
                i = eol;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < n) {
                    if (s.charAt(end) == c) {
                        if (end + 1 < n && s.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                i = end + 1;
            } else if (c == ';') {
                add(out, title, s.substring(start, i));
                title = null;
                start = ++i;
            } else {
                i++;
            }
        }
        add(out, title, s.substring(Math.min(start, n)));
        return out;
    }

    private static void add(List<Statement> out, String title, String text) {
        if (hasCode(text)) {
            out.add(new Statement(title, text.strip()));
        }
    }

    private static boolean hasCode(String text) {
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("--")) {
                return true;
            }
        }
        return false;
    }
}
