package vmalock.parse;

/** Exact integer timestamp formatting (ns or ticks); never floating point. */
public final class Timestamps {
    private Timestamps() {
    }

    /**
     * {@code secs.usecs} when {@code ts} (ns) is a whole number of µs, {@code secs.nsecs} otherwise;
     * for counter clocks the bare integer.
     */
    public static String format(long ts, boolean counterClock) {
        if (counterClock) return Long.toString(ts);
        boolean neg = ts < 0;
        long a = Math.abs(ts);
        long secs = a / 1_000_000_000L;
        long ns = a % 1_000_000_000L;
        StringBuilder sb = new StringBuilder(24);
        if (neg) sb.append('-');
        sb.append(secs).append('.');
        String frac;
        if (ns % 1000 == 0) {
            frac = Long.toString(ns / 1000);
            for (int i = frac.length(); i < 6; i++) sb.append('0');
        } else {
            frac = Long.toString(ns);
            for (int i = frac.length(); i < 9; i++) sb.append('0');
        }
        return sb.append(frac).toString();
    }

    /** Parses {@code secs[.fraction]} (up to 9 fraction digits) to ns, or a bare integer as is. */
    public static long parse(String s) {
        int dot = s.indexOf('.');
        if (dot < 0) return Long.parseLong(s);
        long secs = Long.parseLong(s.substring(0, dot));
        String f = s.substring(dot + 1);
        if (f.length() > 9) throw new NumberFormatException("more than 9 fraction digits: " + s);
        long frac = f.isEmpty() ? 0 : Long.parseLong(f);
        for (int i = f.length(); i < 9; i++) frac *= 10;
        return Math.addExact(Math.multiplyExact(secs, 1_000_000_000L), frac);
    }
}
