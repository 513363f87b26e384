package vmalock.cli.report;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import vmalock.db.Query;
import vmalock.db.ResultTable;

/** Text of a result cell, deterministic: doubles without float noise, lists comma-joined. */
final class Cells {
    private Cells() {
    }

    static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double) {
            double d = (Double) v;
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return String.valueOf(d);
            }
            return plain(BigDecimal.valueOf(d));
        }
        if (v instanceof BigDecimal) {
            return plain((BigDecimal) v);
        }
        if (v instanceof List) {
            return ((List<?>) v).stream().map(Cells::text).collect(Collectors.joining(","));
        }
        if (v instanceof Map) {
            return ((Map<?, ?>) v).entrySet().stream().map(e -> text(e.getKey()) + "=" + text(e.getValue()))
                    .collect(Collectors.joining(","));
        }
        return v.toString();
    }

    private static String plain(BigDecimal b) {
        String s = b.stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    static boolean numeric(Object v) {
        return v instanceof Number;
    }

    /** A column header for people: {@code p99_us} → {@code p99 (µs)}. */
    static String header(String column) {
        if (column.endsWith("_us")) {
            return column.substring(0, column.length() - 3) + " (µs)";
        }
        if (column.endsWith("_ns")) {
            return column.substring(0, column.length() - 3) + " (ns)";
        }
        if (column.endsWith("_ticks")) {
            return column.substring(0, column.length() - 6) + " (ticks)";
        }
        return column;
    }

    static String title(Query q, ResultTable t) {
        return t.title() == null ? q.name() : q.name() + " — " + t.title();
    }
}
