package vmalock.db;

import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * {@code counters} of the observed run, vmstat-style, from probe events on the VMA-lock functions
 * (section 8 of {@code shared/docs/kernel-lock-semantics.md}): a {@code lock_vma_under_rcu} return with
 * a non-NULL vma is {@code vma_lock_success}; a NULL return is {@code vma_lock_abort_or_miss} (the probe
 * cannot tell an abort from a miss); {@code __vma_start_write} calls count as {@code vma_start_write}.
 * A replay writes the exact {@code vma_lock_success/abort/retry/miss} with {@link WorkspaceDb#putCounters}.
 */
final class VmaLockCounters implements RunHandler {
    private final RowSink rows;
    private final String run;
    private final Map<String, Long> counts = new TreeMap<>();

    VmaLockCounters(RowSink rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    @Override
    public void event(long seq, Event e) {
        if (e.kind == EventKind.PROBE_RETURN && isFunction(e, "lock_vma_under_rcu")) {
            counts.merge(e.ret != 0 ? "vma_lock_success" : "vma_lock_abort_or_miss", 1L, Long::sum);
        } else if (e.kind == EventKind.PROBE && isFunction(e, "__vma_start_write")) {
            counts.merge("vma_start_write", 1L, Long::sum);
        }
    }

    private static boolean isFunction(Event e, String f) {
        return f.equals(e.text) || (e.name != null && (e.name.equals(f) || e.name.equals(f + "__return")));
    }

    @Override
    public void finish() throws SQLException {
        for (Map.Entry<String, Long> en : counts.entrySet()) {
            rows.begin().str(run).str(en.getKey()).i64(en.getValue());
            rows.end();
        }
    }
}
