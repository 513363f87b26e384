package vmalock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vmalock.replay.MmWork;
import vmalock.replay.Workload;

/**
 * {@code --fanout mm} without Spark: each task replays its group's share of the work (cut once per trace by
 * {@link FleetTasks#plan}, Kryo-encoded), and the merged run entries equal the ones of tasks that build the whole
 * work from the trace's events, and the one-task-per-trace replay's, byte for byte.
 */
class MmShareTest {
    static final List<String> POLICIES = List.of("vma-refcount", "no-vma-lock");

    static ParsedTrace parse(String name, int index) {
        Path t = Path.of(System.getProperty("vmalock.root", "..")).resolve("sample-traces").resolve(name);
        ParsedTrace p = FleetTasks.parse(new TraceInput(index, name, t.toString(), "unknown", null, null), null);
        assertNull(p.error, p.error);
        return p;
    }

    @Test
    void sharesHoldOnlyTheirAddressSpacesAndReplayAsTheWholeWork() throws Exception {
        ParsedTrace p = parse("ftrace-overlap-default.txt", 0);
        MmPlan plan = FleetTasks.plan(p, 2);
        assertTrue(plan.spaces.length > 2, "address spaces: " + plan.spaces.length);
        assertEquals(2, plan.groups.size());
        assertNotNull(plan.shares, "the work did not spill: each group has its share");
        long total = 0;
        for (long[] s : plan.spaces) total += s[1];
        long inShares = 0;
        for (int j = 0; j < plan.groups.size(); j++) {
            Workload w = (Workload) FleetTasks.decode(plan.shares.get(j));
            List<Integer> idx = new ArrayList<>();
            long ops = 0;
            for (MmWork m : w.mms) {
                idx.add(m.index);
                ops += m.operations();
            }
            List<Integer> want = new ArrayList<>();
            for (int m : plan.groups.get(j)) want.add(m);
            assertTrue(want.containsAll(idx) && idx.containsAll(want), "share " + j + ": " + idx + " for " + want);
            assertEquals(total, w.operations(), "a share counts the whole workload's operations");
            inShares += ops;
        }
        assertEquals(total, inShares, "the shares' own operations add up to the work");
        List<MmPart> fromShares = new ArrayList<>();
        List<MmPart> fromEvents = new ArrayList<>();
        for (int k = 0; k < POLICIES.size(); k++) {
            for (int j = 0; j < plan.groups.size(); j++) {
                fromShares.add(FleetTasks.replayMms(p.input, null, plan.shares.get(j), POLICIES.get(k), k, plan.groups.get(j), 0));
                fromEvents.add(FleetTasks.replayMms(p, POLICIES.get(k), k, plan.groups.get(j), 0));
            }
        }
        List<RunOutcome> a = FleetTasks.merge(p, fromShares, POLICIES);
        List<RunOutcome> b = FleetTasks.merge(p, fromEvents, POLICIES);
        for (int k = 0; k < POLICIES.size(); k++) {
            assertNull(a.get(k).error, a.get(k).error);
            assertEquals(b.get(k).entryJson, a.get(k).entryJson, POLICIES.get(k));
            assertEquals(FleetTasks.replay(p, POLICIES.get(k), k).entryJson, a.get(k).entryJson, POLICIES.get(k) + ": one task per trace");
        }
    }

    @Test
    void aWorkThatSpillsHasNoSharesAndItsTasksBuildTheWork() {
        ParsedTrace p = parse("ftrace-overlap-default.txt", 0);
        // 100 operations in memory: the plan's work spills to a local file, which other tasks cannot read
        MmPlan plan = FleetTasks.plan(p, 2, 100);
        assertNull(plan.shares, "a spilled work has no shares");
        assertEquals(2, plan.groups.size());
        List<MmPart> parts = new ArrayList<>();
        for (int j = 0; j < plan.groups.size(); j++) {
            parts.add(FleetTasks.replayMms(p.input, p, null, "vma-refcount", 0, plan.groups.get(j), 0));
        }
        RunOutcome r = FleetTasks.merge(p, parts, List.of("vma-refcount")).get(0);
        assertNull(r.error, r.error);
        assertEquals(FleetTasks.replay(p, "vma-refcount", 0).entryJson, r.entryJson);
        // with the plan's default, the same trace's work stays in memory and is shared
        assertNotNull(FleetTasks.plan(p, 2).shares);
    }
}
