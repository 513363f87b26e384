package vmalock.lock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects findings (thread-safe). Keeps the first {@code cap} in full and counts the rest, so a
 * systematic violation cannot exhaust memory.
 */
public final class Findings {
    public static final String DEFECT = "defect";
    private final List<Finding> list = new ArrayList<>();
    private final int cap;
    private long total;
    private long defects;

    public Findings() {
        this(10_000);
    }

    public Findings(int cap) {
        this.cap = cap;
    }

    public synchronized void report(Finding f) {
        total++;
        if (DEFECT.equals(f.invariant())) defects++;
        if (list.size() < cap) list.add(f);
    }

    public void report(String invariant, Task t, Mm mm, Vma vma, String detail) {
        long now = t != null && t.driver != null ? t.driver.now() : 0;
        report(new Finding(invariant, now, t == null ? 0 : t.tid, t == null ? null : t.comm,
                mm == null ? 0 : mm.id, vma == null ? -1 : vma.vmStart, detail));
    }

    public synchronized List<Finding> list() {
        return Collections.unmodifiableList(new ArrayList<>(list));
    }

    public synchronized long total() {
        return total;
    }

    /** Findings other than modelled defects. */
    public synchronized long violations() {
        return total - defects;
    }

    public synchronized long defects() {
        return defects;
    }

    public synchronized void clear() {
        list.clear();
        total = 0;
        defects = 0;
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder();
        for (Finding f : list) sb.append(f).append('\n');
        if (total > list.size()) sb.append("… ").append(total - list.size()).append(" more\n");
        return sb.toString();
    }
}
