package vmalock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventPlanTest {
    @TempDir
    Path root;

    private void event(String sys, String name) throws IOException {
        Path d = root.resolve("events").resolve(sys).resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve("enable"), "0\n");
    }

    @Test
    void defaultsAreTheIssueList() throws Exception {
        List<String> r = EventPlan.parse(null).requested();
        assertEquals(EventPlan.DEFAULTS, r);
        assertTrue(r.contains("mmap_lock:*"));
        assertTrue(r.contains("syscalls:sys_exit_mremap"));
        assertTrue(r.contains(EventPlan.KPROBE_RETURN));
        // the closed-loop replay needs the scheduler's view of every task
        assertTrue(r.containsAll(List.of("sched:sched_switch", "sched:sched_wakeup", "sched:sched_waking")), r.toString());
    }

    @Test
    void addRemoveGlobAndKprobes() throws Exception {
        List<String> r = EventPlan.parse("+sched:sched_switch, -syscalls:sys_enter_brk,-lock:*,-kprobes,timer:timer_start").requested();
        assertTrue(r.contains("sched:sched_switch"));
        assertTrue(r.contains("timer:timer_start"), "a bare entry adds");
        assertFalse(r.contains("syscalls:sys_enter_brk"));
        assertTrue(r.contains("syscalls:sys_exit_brk"));
        assertFalse(r.stream().anyMatch(e -> e.startsWith("lock:")));
        assertFalse(r.contains(EventPlan.KPROBE_ENTRY));
        assertTrue(EventPlan.parse(null).requested().contains(EventPlan.UPROBES), "open probes by default");
        assertFalse(EventPlan.parse("-uprobes").requested().contains(EventPlan.UPROBES));
    }

    @Test
    void openProbesOnEveryOpenFunctionOfTheCLibraryOneAPerOffset() throws Exception {
        List<Path> libc = CaptureSession.libcs(List.of());
        org.junit.jupiter.api.Assumptions.assumeFalse(libc.isEmpty(), "this JVM maps no glibc");
        EventPlan.Resolved none = EventPlan.parse(null).resolve(new Tracefs(root), libc, "vmalock_1");
        assertTrue(none.skipped().get(EventPlan.UPROBES).contains("no uprobes"), none.skipped().toString());
        Files.writeString(root.resolve("uprobe_events"), "");
        event("syscalls", "sys_exit_openat");
        event("syscalls", "sys_enter_read");
        EventPlan.Resolved r = EventPlan.parse(null).resolve(new Tracefs(root), libc, "vmalock_1");
        assertTrue(r.uprobeDefs().stream().anyMatch(d -> d.startsWith("p:vmalock_1/open64 " + libc.get(0) + ":0x")
                && d.endsWith(" path=+0(%di):ustring")), r.uprobeDefs().toString());
        assertTrue(r.uprobeDefs().stream().anyMatch(d -> d.startsWith("p:vmalock_1/openat64 ") && d.endsWith("(%si):ustring")));
        assertFalse(r.uprobeDefs().stream().anyMatch(d -> d.startsWith("p:vmalock_1/open ")), "open is open64's alias: one probe");
        assertTrue(r.enable().containsAll(List.of("syscalls:sys_exit_openat", "syscalls:sys_enter_read")), r.enable().toString());
    }

    @Test
    void malformedEntriesAreInputErrors() {
        for (String bad : new String[] {"sched", "sched:", ":x", "a:b:c", "a/b:c", "a: b"}) {
            CaptureException e = assertThrows(CaptureException.class, () -> EventPlan.parse(bad), bad);
            assertEquals(CaptureException.Kind.INPUT, e.kind());
            assertTrue(e.getMessage().startsWith("--events: "), e.getMessage());
        }
        CaptureException e = assertThrows(CaptureException.class, () -> EventPlan.parse(
                "-mmap_lock:*,-exceptions:*,-lock:*,-syscalls:*,-sched:*,-tlb:*,-kprobes,-uprobes"));
        assertTrue(e.getMessage().contains("nothing to capture"));
    }

    @Test
    void resolveSkipsWhatTheKernelLacksAndSaysWhy() throws Exception {
        event("mmap_lock", "mmap_lock_start_locking");
        event("mmap_lock", "mmap_lock_released");
        event("exceptions", "page_fault_user");
        event("syscalls", "sys_enter_mmap");
        Files.writeString(root.resolve("events/mmap_lock/enable"), "0\n"); // a subsystem file, not an event
        EventPlan.Resolved r = EventPlan.parse("+sched:sched_switch").resolve(new Tracefs(root));
        assertEquals(List.of("mmap_lock:mmap_lock_released", "mmap_lock:mmap_lock_start_locking",
                "exceptions:page_fault_user", "syscalls:sys_enter_mmap"), r.enable());
        assertEquals("the kernel has no lock tracepoints", r.skipped().get("lock:contention_begin"));
        assertEquals("the kernel has no such tracepoint", r.skipped().get("syscalls:sys_exit_mmap"));
        assertEquals("the kernel has no sched tracepoints", r.skipped().get("sched:sched_switch"));
        assertTrue(r.skipped().get(EventPlan.KPROBE_ENTRY).contains("no kprobe_events"));
        assertTrue(r.kprobeDefs().isEmpty());
    }

    @Test
    void kprobesAreDefinedWhenTheKernelHasThem() throws Exception {
        event("exceptions", "page_fault_user");
        Files.writeString(root.resolve("kprobe_events"), "");
        EventPlan.Resolved r = EventPlan.parse(null).resolve(new Tracefs(root));
        assertEquals(List.of("p:vmalock/lock_vma_under_rcu lock_vma_under_rcu mm=%di:x64 address=%si:x64",
                "r:vmalock/lock_vma_under_rcu__return lock_vma_under_rcu arg1=$retval:x64"), r.kprobeDefs());
        assertTrue(r.enable().contains("vmalock:lock_vma_under_rcu"));
        assertTrue(r.enable().contains("vmalock:lock_vma_under_rcu__return"));
    }
}
