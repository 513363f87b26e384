package vmalock.db;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The per-row tables of a run that load on first use rather than with the run: each holds one row per
 * event, fault, syscall or contention pair — millions of rows on a large trace — while the reports
 * {@code vmalock stats} and the default {@code report} set need only the small roll-ups loaded with the
 * run ({@code lock_spans}, {@code fault_counts}, {@code event_counts}, the unpaired counts in
 * {@code counters}). A query that names one of these tables ({@code FROM syscalls}, {@code JOIN faults})
 * loads it for the runs it sees, in one pass over the run's events ({@link WorkspaceDb#loadLazy}).
 */
public enum LazyTable {
    EVENTS, FAULTS, SYSCALLS, CONTENTION;

    private final String table = name().toLowerCase(Locale.ROOT);
    private final Pattern named = Pattern.compile("(?i)(\\bfrom|\\bjoin)\\s+(\"?main\"?\\.)?\"?" + table + "\"?(\\s|$|\\)|,|;)");

    /** The table's name. */
    public String table() {
        return table;
    }

    /** The {@code runs} column that says whether a run's rows of this table are loaded. */
    String flag() {
        return table + "_loaded";
    }

    /** The lazy table of this name, or null. */
    public static LazyTable of(String table) {
        for (LazyTable t : values()) {
            if (t.table.equals(table)) {
                return t;
            }
        }
        return null;
    }

    /** The lazy tables an SQL text (comments removed) reads: {@code FROM t}, {@code JOIN t}. */
    public static Set<LazyTable> namedIn(String sql) {
        Set<LazyTable> s = EnumSet.noneOf(LazyTable.class);
        for (LazyTable t : values()) {
            if (t.named.matcher(sql).find()) {
                s.add(t);
            }
        }
        return s;
    }
}
