package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * mm splitting on real captures whose lines carry the tgid (ftrace's {@code (tgid)} column, perf's
 * PID/TID) and the process tree (sched_process_fork/exec/exit): raw ftrace hashes mm addresses and a
 * freed mm's address is reused by later processes, so the mm key alone merges processes. Checked
 * against the tgids the trace shows: an address space's faults (own-mm work by definition) come from
 * one process only (two processes are never merged), a process's faults lie in at most 1 + (its
 * execs) address spaces (never split), and reads of another process's address space are remote.
 */
class ProcessSplitTest {
    @ParameterizedTest
    @ValueSource(strings = {"ftrace-tgid.txt", "ftrace-remote.txt", "ftrace-remote-heavy.txt", "perf-fields.perf.txt"})
    void processesAreNeitherMergedNorSplit(String name) throws Exception {
        List<Event> events = Traces.events(Traces.sample(name));
        Map<Integer, Integer> tgidOf = new HashMap<>();
        Map<Integer, Integer> execs = new HashMap<>();
        for (Event e : events) {
            if (e.tgid > 0) tgidOf.putIfAbsent(e.tid, e.tgid);
            if (e.kind == EventKind.SCHED_PROCESS_EXEC) execs.merge(e.tgid > 0 ? e.tgid : e.tid, 1, Integer::sum);
        }
        Workload w = Traces.workload(events, -1);
        Map<Integer, Set<Integer>> spacesOf = new HashMap<>();
        Map<Integer, Integer> ownerOf = new HashMap<>();
        int faulting = 0;
        for (MmWork m : w.mms) {
            Set<Integer> procs = new HashSet<>();
            for (TaskWork t : m.tasks()) {
                for (int i = 0; i < t.ops.size(); i++) {
                    if (t.ops.kind(i) != Ops.FAULT) continue;
                    int p = tgidOf.getOrDefault(t.tid, t.tid);
                    procs.add(p);
                    spacesOf.computeIfAbsent(p, k -> new HashSet<>()).add(m.index);
                }
            }
            assertTrue(procs.size() <= 1, name + ": address space " + m.label() + " merges processes " + procs);
            if (procs.size() == 1) {
                ownerOf.put(m.index, procs.iterator().next());
                faulting++;
            }
        }
        for (Map.Entry<Integer, Set<Integer>> s : spacesOf.entrySet()) {
            int allowed = 1 + execs.getOrDefault(s.getKey(), 0);
            assertTrue(s.getValue().size() <= allowed, name + ": process " + s.getKey() + " split over "
                    + s.getValue().size() + " address spaces (" + allowed + " allowed by its execs)");
        }
        assertTrue(faulting >= 1, name);
        // a read section on an address space another process faulted in is remote
        long remote = 0;
        for (MmWork m : w.mms) {
            Integer owner = ownerOf.get(m.index);
            if (owner == null) continue;
            for (TaskWork t : m.tasks()) {
                int p = tgidOf.getOrDefault(t.tid, t.tid);
                if (p == owner || !spacesOf.containsKey(p)) continue; // own process, or one without an mm of its own
                for (int i = 0; i < t.ops.size(); i++) {
                    if (t.ops.kind(i) != Ops.READ) continue;
                    assertEquals(Ops.CLASS_REMOTE, t.ops.sub(i), name + ": task " + t.tid + " (process " + p
                            + ") reading " + m.label() + " of process " + owner);
                    remote++;
                }
            }
        }
        if (name.startsWith("ftrace-remote")) assertTrue(remote > 100, name + ": " + remote + " remote reads");
    }
}
