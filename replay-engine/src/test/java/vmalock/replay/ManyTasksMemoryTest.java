package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.store.Ingester;
import vmalock.store.Workspace;

/**
 * Issue 12 item 12 (memory): a trace of many tasks with one operation each (the fault-injection run's 100,000
 * one-fault tasks) must cost the replay per-task state of its operations, not fixed-size buffers: the work's
 * columns hold exactly the task's operations, and compare keeps no per-address-space list it does not print.
 */
class ManyTasksMemoryTest {
    @TempDir
    Path tmp;

    /** {@code n} tasks, each in its own mm, each taking one page fault under mmap_lock (4 events). */
    static Ev oneFaultTasks(int n) {
        Ev ev = new Ev();
        for (int i = 0; i < n; i++) {
            long mm = 0xffff888100000000L + 4096L * (i + 1);
            int tid = 1000 + i;
            long us = 10L * i;
            ev.fault(us, tid, 0x1000, 6).read(us + 1, tid, mm, 1);
        }
        return ev;
    }

    @Test
    void aOneOperationTaskKeepsOneSlotPerColumn() {
        Workload w = oneFaultTasks(2000).build(-1);
        assertEquals(2000, w.mms.size());
        for (MmWork m : w.mms) {
            for (TaskWork t : m.tasks()) {
                Ops o = t.ops;
                assertEquals(1, o.size());
                // 14 input columns and the 3 derived ones, each exactly one slot (it was 16 slots: 2 KB per task)
                for (Object col : new Object[] {o.kind, o.sub, o.flags, o.start, o.acq, o.end, o.addr, o.a1, o.a2, o.a3,
                        o.ret, o.post, o.scPre, o.scTail, o.think, o.service, o.sleep}) {
                    assertEquals(1, java.lang.reflect.Array.getLength(col), "column length of task " + t.tid);
                }
            }
        }
        // and the trimmed work replays as before: every fault replayed
        ReplayResult r = ReplayEngine.run(w, new ReplayOptions(), null);
        assertEquals(2000, r.counters.faults);
    }

    @Test
    void compareLeavesOutPerMmWhereItIsNotPrinted() throws Exception {
        Path trace = tmp.resolve("tasks.txt");
        StringBuilder sb = new StringBuilder("# tracer: nop\n#\n");
        for (int i = 0; i < 50; i++) {
            String mm = String.format("mm=%016x memcg_id=1", 4096L * (i + 1));
            long t = 4L * i;
            String head = String.format("%16s-%-7d [%03d] ..... 100.%06d: ", "t" + i, 1000 + i, i % 2, t);
            sb.append(head).append("page_fault_user: address=0x1000 ip=0x400000 error_code=0x6\n");
            sb.append(head.replace(String.format("%06d:", t), String.format("%06d:", t + 1)))
                    .append("mmap_lock_start_locking: ").append(mm).append(" write=false\n");
            sb.append(head.replace(String.format("%06d:", t), String.format("%06d:", t + 2)))
                    .append("mmap_lock_acquire_returned: ").append(mm).append(" write=false success=true\n");
            sb.append(head.replace(String.format("%06d:", t), String.format("%06d:", t + 3)))
                    .append("mmap_lock_released: ").append(mm).append(" write=false\n");
        }
        java.nio.file.Files.writeString(trace, sb.toString());
        Path ws = tmp.resolve("ws");
        try (Workspace w = Workspace.forIngest(ws)) {
            Ingester.ingest(w, trace, null, false, null);
        }
        List<PolicyPreset> policies = List.of(PolicyPreset.preset("vma-refcount"), PolicyPreset.preset("no-vma-lock"));
        ObjectNode full;
        ObjectNode lean;
        try (Workspace w = Workspace.open(ws)) {
            full = Comparison.compare(w, w.sources(null), policies, null, new ReplayOptions(), -1, true);
            lean = Comparison.compare(w, w.sources(null), policies, null, new ReplayOptions(), -1, false);
        }
        assertEquals(50, full.get("observed").get("per_mm").size());
        assertFalse(lean.get("observed").has("per_mm"));
        for (JsonNode r : lean.get("runs")) assertFalse(r.get("stats").has("per_mm"), r.get("policy").asText());
        // everything else is the same document
        ObjectNode stripped = full.deepCopy();
        ((ObjectNode) stripped.get("observed")).remove("per_mm");
        for (JsonNode r : stripped.get("runs")) ((ObjectNode) r.get("stats")).remove("per_mm");
        if (stripped.has("calibration")) {
            for (String k : new String[] {"observed", "replayed"}) {
                JsonNode c = stripped.get("calibration").get(k);
                if (c instanceof ObjectNode) ((ObjectNode) c).remove("per_mm");
            }
        }
        assertEquals(stripped, lean);
        assertTrue(lean.get("runs").size() >= 2);
    }
}
