package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.junit.jupiter.api.Test;

import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink.NonEventKind;
import vmalock.event.Syscall;

/**
 * Field-level golden tests, one small file per format variant (src/test/resources/variants). The real
 * variants are covered line-for-line by the sample traces (RealTraceGoldenTest); these files cover the
 * shapes this machine cannot produce, built from the print formats documented in section 8 of
 * shared/docs/kernel-lock-semantics.md and the tools' sources: pre-5.9 pid width 5 with 4-char flags,
 * {@code memcg_path=} (≤6.13), {@code <...>} comms, ns timestamps, {@code (-------)} tgid, lost markers
 * without a count, and kprobe / perf-probe events — this kernel has no kprobes (no kprobe_events), so
 * the probe lines are built from trace_kprobe.c's print formats (symbolised tracefs form) and the
 * {@code "(%lx)"} / {@code "(%lx <- %lx)"} print fmt perf uses, not captured.
 */
class FormatVariantsTest {

    static Path variant(String name) {
        try {
            return Paths.get(FormatVariantsTest.class.getResource("/variants/" + name).toURI());
        } catch (URISyntaxException x) {
            throw new IllegalStateException(x);
        }
    }

    static CountingSink parse(String name, TraceFormat expected) throws Exception {
        CountingSink sink = new CountingSink(true);
        SourceResult r = TraceParsers.parse(variant(name), null, 3, sink, true);
        assertEquals(expected, r.format());
        assertEquals(0, r.problems());
        for (Event e : sink.events) assertEquals(3, e.source);
        sink.result = r;
        return sink;
    }

    @Test
    void ftracePre59FourFlagsMemcgPath() throws Exception {
        CountingSink s = parse("ftrace-pre59-4flags-memcg-path.txt", TraceFormat.FTRACE);
        SourceResult r = s.result;
        assertEquals(19, r.linesTotal());
        assertEquals(11, r.nonEventLines(NonEventKind.HEADER));
        assertEquals(8, r.events());
        assertEquals(8, r.headerEntriesInBuffer());
        assertEquals(11, r.headerEntriesWritten());
        assertEquals(3, r.headerEntriesOverwritten());
        assertEquals(4, r.cpus());
        assertEquals("unknown", r.clock(), "a secs.fraction ftrace text does not name its clock");
        List<Event> ev = s.events;

        Event pf = ev.get(0);
        assertEquals(EventKind.PAGE_FAULT_USER, pf.kind);
        assertEquals("page_fault_user", pf.name);
        assertEquals("a.out", pf.comm);
        assertEquals(4242, pf.tid);
        assertEquals(-1, pf.tgid);
        assertEquals(3, pf.cpu);
        assertEquals(12345_678900_000L, pf.ts);
        assertEquals(0x7f1c2a000000L, pf.address);
        assertEquals(0x55f0c3a0123dL, pf.ip);
        assertEquals(6, pf.errorCode);
        assertEquals(12, pf.line);

        Event start = ev.get(1);
        assertEquals(EventKind.MMAP_LOCK_START_LOCKING, start.kind);
        assertEquals(0x8a3c1f2eL, start.mm);
        assertEquals("/user.slice", start.memcgPath);
        assertEquals(-1, start.memcgId);
        assertFalse(start.write);

        Event acq = ev.get(2);
        assertEquals(EventKind.MMAP_LOCK_ACQUIRE_RETURNED, acq.kind);
        assertEquals("", acq.memcgPath); // empty path: no memcg
        assertTrue(acq.success);

        Event unknownComm = ev.get(3);
        assertNull(unknownComm.comm); // <...>
        assertEquals(4243, unknownComm.tid);
        assertEquals(7, unknownComm.errorCode);

        Event gc = ev.get(4);
        assertEquals("GC Thread#0", gc.comm);
        assertEquals(4244, gc.tid);
        assertEquals("/sys/a b", gc.memcgPath);
        assertTrue(gc.write);

        Event cb = ev.get(5);
        assertEquals("kworker/u8:1", cb.comm);
        assertEquals(77, cb.tid);
        assertEquals(EventKind.CONTENTION_BEGIN, cb.kind);
        assertEquals(0xacb497b5L, cb.lockAddr);
        assertEquals(1 | 2, cb.flags);

        Event ce = ev.get(6);
        assertEquals("memfd:sealed-91", ce.comm);
        assertEquals(2261, ce.tid);
        assertEquals(-4, ce.ret);

        Event exit = ev.get(7);
        assertEquals("<idle>", exit.comm);
        assertEquals(0, exit.tid);
        assertEquals(EventKind.SCHED_PROCESS_EXIT, exit.kind);
        assertEquals(4242, exit.otherPid);
        assertEquals("a.out", exit.text);
    }

    @Test
    void ftraceTgidColumnAndNanoseconds() throws Exception {
        CountingSink s = parse("ftrace-tgid-nsecs.txt", TraceFormat.FTRACE);
        List<Event> ev = s.events;
        assertEquals(5, ev.size());
        assertEquals(4242, ev.get(0).tgid);
        assertEquals(12345_678990123L, ev.get(0).ts);
        assertEquals(-1, ev.get(1).tgid); // (-------)
        assertEquals(4243, ev.get(1).tid);
        assertEquals(1, ev.get(1).memcgId);
        assertNull(ev.get(1).memcgPath);

        Event enter = ev.get(2);
        assertEquals("C1 CompilerThre", enter.comm);
        assertEquals(18982, enter.tid);
        assertEquals(18970, enter.tgid);
        assertEquals(EventKind.SYS_ENTER, enter.kind);
        assertEquals("sys_enter_mprotect", enter.name);
        assertEquals(Syscall.MPROTECT, enter.syscall);
        assertEquals(3, enter.nargs);
        assertEquals(0x7f29100e4000L, enter.arg("start", -1));
        assertEquals(0x1000, enter.arg("len", -1));
        assertEquals(7, enter.arg("prot", -1));
        assertEquals(12345_679000001L, enter.ts);

        Event exit = ev.get(3);
        assertEquals(EventKind.SYS_EXIT, exit.kind);
        assertEquals("sys_exit_mprotect", exit.name);
        assertEquals(-12, exit.ret); // 0xfffffffffffffff4 = -ENOMEM

        Event open = ev.get(4); // user strings printed after the pointer (newer kernels)
        assertEquals("sys_enter_openat", open.name);
        assertEquals(4, open.nargs);
        assertEquals(0x7ffd5a042af0L, open.arg("filename", 0));
        assertEquals(0, open.arg("mode", -1));
        assertEquals("filename=\"/proc/7727/maps\"", open.text);
    }

    @Test
    void tracePipeLostMarkersWithAndWithoutCount() throws Exception {
        CountingSink s = parse("ftrace-pipe-lost-nocount.txt", TraceFormat.FTRACE);
        SourceResult r = s.result;
        assertEquals(8, r.linesTotal());
        assertEquals(5, r.events());
        assertEquals(2, r.lostMarkers());
        assertEquals(1, r.lostMarkersWithoutCount());
        assertEquals(812, r.lostEvents());
        assertEquals(812L, r.lostEventsByCpu().get(1));
        assertEquals(0L, r.lostEventsByCpu().get(0));
        assertEquals(1, r.nonEventLines(NonEventKind.HEADER)); // ##### CPU 1 buffer started ####
        assertEquals(-1, r.headerEntriesInBuffer());
        Event lost = s.events.get(1);
        assertEquals(EventKind.LOST, lost.kind);
        assertEquals(1, lost.cpu);
        assertEquals(812, lost.count);
        assertEquals(2, lost.line);
        assertEquals(-1, s.events.get(3).count);
        Event getpid = s.events.get(4);
        assertEquals("sys_enter_getpid", getpid.name);
        assertEquals(Syscall.OTHER, getpid.syscall);
        assertEquals(0, getpid.nargs);
        assertEquals(0x2615, s.events.get(5).ret);
        Event sw = s.events.get(6);
        assertEquals(EventKind.GENERIC, sw.kind);
        assertEquals("sched_switch", sw.name);
        assertEquals("prev_comm=ov-fault-1 prev_pid=9757 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120", sw.text);
    }

    @Test
    void kprobesAsTheTraceFilePrintsThem() throws Exception {
        CountingSink s = parse("ftrace-probes.txt", TraceFormat.FTRACE);
        List<Event> ev = s.events;
        assertEquals(7, ev.size());
        Event entry = ev.get(0);
        assertEquals(EventKind.PROBE, entry.kind);
        assertEquals("lock_vma_under_rcu", entry.name);
        assertEquals("lock_vma_under_rcu", entry.text);
        assertEquals(0xffff888103f2c000L, entry.arg("mm", 0));
        assertEquals(0x7f1c2a000000L, entry.arg("address", 0));

        Event ret = ev.get(1);
        assertEquals(EventKind.PROBE_RETURN, ret.kind);
        assertEquals("lock_vma_under_rcu__return", ret.name);
        assertEquals("lock_vma_under_rcu", ret.text);
        assertEquals(0xffff88810b7e1a00L, ret.ret);
        assertEquals(0, ev.get(2).ret); // NULL: the per-VMA lock failed

        assertEquals(EventKind.PROBE, ev.get(3).kind);
        assertEquals("__vma_start_write", ev.get(3).text);
        assertEquals(0x2a, ev.get(3).arg("arg1", -1));
        assertEquals("vma_end_read", ev.get(4).name);
        assertEquals("do_user_addr_fault", ev.get(4).text); // inlined: the containing function
        assertEquals("vma_mark_detached", ev.get(5).name);
        assertEquals("__vma_exclude_readers_for_detach", ev.get(6).text);
        assertEquals(0xffff88810b7e1a00L, ev.get(6).arg("vma", 0));
    }

    @Test
    void perfProbesInHex() throws Exception {
        CountingSink s = parse("perf-probes.perf.txt", TraceFormat.PERF_SCRIPT);
        List<Event> ev = s.events;
        assertEquals(6, ev.size());
        Event entry = ev.get(0);
        assertEquals(EventKind.PROBE, entry.kind);
        assertEquals("lock_vma_under_rcu", entry.name);
        assertEquals("lock_vma_under_rcu", entry.text);
        assertEquals(0xffffffff81234560L, entry.ip);
        assertEquals(0xffff888103f2c000L, entry.arg("mm", 0));
        Event ret = ev.get(1);
        assertEquals(EventKind.PROBE_RETURN, ret.kind);
        assertEquals("lock_vma_under_rcu", ret.text);
        assertEquals(0xffffffff8108a1f3L, ret.ip); // (__probe_func <- __probe_ret_ip)
        assertEquals(0xffff88810b7e1a00L, ret.ret);
        assertEquals(0, ev.get(2).ret);
        assertEquals("__vma_start_write", ev.get(3).name);
        assertEquals("__vma_exclude_readers_for_detach", ev.get(5).name);
        assertEquals(4251, ev.get(5).tid);
    }

    @Test
    void perfWithoutCpuColumnLostCommAndSideBand() throws Exception {
        CountingSink s = parse("perf-nocpu-lostcomm.perf.txt", TraceFormat.PERF_SCRIPT);
        SourceResult r = s.result;
        assertEquals(8, r.linesTotal());
        assertEquals(4, r.events());
        assertEquals(1, r.lostMarkers());
        assertEquals(17, r.lostEvents());
        assertEquals(2, r.nonEventLines(NonEventKind.OTHER)); // PERF_RECORD_COMM, call-chain line
        assertEquals(1, r.nonEventLines(NonEventKind.BLANK));
        Event pf = s.events.get(0);
        assertNull(pf.comm); // :4242
        assertEquals(4242, pf.tid);
        assertEquals(-1, pf.cpu);
        assertEquals(0, s.events.get(1).ret);
        assertEquals(Syscall.MUNMAP, s.events.get(1).syscall);
        assertEquals(-12, s.events.get(2).ret);
        Event lost = s.events.get(3);
        assertEquals(EventKind.LOST, lost.kind);
        assertEquals(17, lost.count);
        assertEquals(4300, lost.tid);
        Event fork = s.events.get(4);
        assertEquals(EventKind.SCHED_PROCESS_FORK, fork.kind);
        assertEquals(4301, fork.otherPid);
        assertEquals("dj-writer", fork.text);
        assertEquals(1, fork.cpu);
    }

    /**
     * A wake-up's context from the flags column: real lines of a 6.18 capture (sample-traces/cf/o2-u1) — a timer's
     * wake-up in hardirq context ({@code d.h3.}), a task's ({@code d..3.}: the writer releasing mmap_lock to a
     * faulter), a softirq's ({@code d.s4.}) — and the same in trace-cmd's latency format ({@code report -l}, built
     * from its print format: cpu digit, then the flags). Other events, and lines without the column, keep UNKNOWN.
     */
    @Test
    void aWakeUpKeepsTheContextItWasEmittedIn() throws Exception {
        for (String[] v : new String[][] {{"ftrace-wake-contexts.txt", "ftrace"}, {"tc-latency-wake.report.txt", "trace-cmd"}}) {
            CountingSink s = parse(v[0], v[1].equals("ftrace") ? TraceFormat.FTRACE : TraceFormat.TRACE_CMD);
            assertEquals(4, s.events.size(), v[0]);
            assertEquals("sched_switch", s.events.get(0).name);
            assertEquals(Event.UNKNOWN, s.events.get(0).irqContext, "only wake-ups carry it");
            assertEquals(Event.IRQ_HARDIRQ, s.events.get(1).irqContext, v[0]);
            assertEquals(0, s.events.get(1).tid);
            assertEquals(Event.IRQ_TASK, s.events.get(2).irqContext, v[0]);
            assertEquals(2052, s.events.get(2).tid);
            assertEquals(Event.IRQ_SOFTIRQ, s.events.get(3).irqContext, v[0]);
        }
        assertEquals(Event.IRQ_NMI, EventLineParser.irqContextOf((byte) 'Z'));
        assertEquals(Event.IRQ_HARDIRQ, EventLineParser.irqContextOf((byte) 'H'));
        assertEquals(Event.IRQ_TASK, EventLineParser.irqContextOf((byte) 'b'));
        assertEquals(Event.UNKNOWN, EventLineParser.irqContextOf((byte) '?'));
        // a real trace-cmd report -l with sched events (sample-traces/tc-latency-sched.sh): contexts counted by a
        // regular expression over the file's flags column (65 hardirq, 14 task, 9 softirq; 140 sched_switch by grep)
        CountingSink tc = sample("tc-latency-sched.report.txt", TraceFormat.TRACE_CMD);
        int[] byContext = new int[4];
        long switches = 0;
        for (Event e : tc.events) {
            if ("sched_waking".equals(e.name)) byContext[e.irqContext]++;
            if ("sched_switch".equals(e.name)) switches++;
        }
        assertEquals(List.of(14, 9, 65, 0), List.of(byContext[0], byContext[1], byContext[2], byContext[3]));
        assertEquals(140, switches, "sched_switch's [prio] brackets are not a cpu column");
        // a flags column of another event line does not leak into the next line's wake-up (irq-info=0 has none)
        CountingSink noirq = sample("ftrace-noirqinfo.txt", TraceFormat.FTRACE);
        for (Event e : noirq.events) assertEquals(Event.UNKNOWN, e.irqContext, e.toString());
    }

    @Test
    void traceCmdCounterClockAndDroppedWithoutCount() throws Exception {
        CountingSink s = parse("tc-counter-nocount.report.txt", TraceFormat.TRACE_CMD);
        SourceResult r = s.result;
        assertEquals("counter", r.clock());
        assertEquals(4, r.cpus());
        assertEquals(5, r.events());
        assertEquals(2, r.lostMarkers());
        assertEquals(1, r.lostMarkersWithoutCount());
        assertEquals(3, r.lostEvents());
        assertEquals(1042, r.firstTs());
        assertEquals(1060, r.lastTs());
        assertEquals("1060", r.formatTs(r.lastTs()));
        Event acq = s.events.get(2);
        assertFalse(acq.success);
        assertEquals(0xffff88810ab51f40L, acq.mm);
        Event madv = s.events.get(4);
        assertEquals(Syscall.MADVISE, madv.syscall);
        assertEquals(0x8000, madv.arg("len_in", 0));
        assertEquals(4, madv.arg("behavior", 0));
        assertEquals("disjoint:9290 [120] S ==> swapper/2:0 [120]", s.events.get(6).text);
    }

    /** Parses a bundled sample of sample-traces/ (strict, format detected). */
    static CountingSink sample(String name, TraceFormat expected) throws Exception {
        CountingSink sink = new CountingSink(true);
        SourceResult r = TraceParsers.parse(SharedTraces.sample(name), null, 0, sink, true);
        assertEquals(expected, r.format());
        assertEquals(0, r.problems());
        sink.result = r;
        return sink;
    }

    /**
     * trace-cmd record -B NAME (a real capture, sample-traces/tc-instance.sh): every line starts with
     * "vmalock-sample-tcb: "; the comm, pid and cpu behind it are read as on an unprefixed line.
     */
    @Test
    void traceCmdInstancePrefixIsNotPartOfTheComm() throws Exception {
        CountingSink s = sample("tc-instance.report.txt", TraceFormat.TRACE_CMD);
        Event first = s.events.get(0);
        assertEquals("overlapping", first.comm);
        assertEquals(12631, first.tid);
        assertEquals(0, first.cpu);
        assertEquals(EventKind.MMAP_LOCK_START_LOCKING, first.kind);
        assertEquals(9884727675000L, first.ts);
        for (Event e : s.events) assertFalse(e.comm != null && e.comm.contains(":"), e.toString());
    }

    /**
     * Function-tracer lines between tracepoint lines (sample-traces/ftrace-function-fixture.sh: built
     * from trace_output.c's print format around real tracepoint lines, because this kernel refuses the
     * function tracer) are generic events named "function", never problems.
     */
    @Test
    void functionTracerLinesAreGenericEvents() throws Exception {
        CountingSink s = sample("ftrace-function-fixture.txt", TraceFormat.FTRACE);
        List<Event> calls = s.events.stream().filter(e -> "function".equals(e.name)).collect(java.util.stream.Collectors.toList());
        assertEquals(91, calls.size());
        Event c = calls.get(0);
        assertEquals(EventKind.GENERIC, c.kind);
        assertEquals("do_user_addr_fault <-exc_page_fault", c.text);
        assertEquals("overlapping", c.comm);
        assertEquals(6856, c.tgid);
        assertTrue(calls.stream().anyMatch(e -> "handle_mm_fault+0x4/0x2c0 <-do_user_addr_fault+0x1f5/0x690".equals(e.text)));
        assertTrue(calls.stream().anyMatch(e -> "vma_end_read".equals(e.text))); // print-parent=0, under "# tracer: function"
        // without that header a bare name after the timestamp is still a bad line
        CountingSink bad = new CountingSink(true);
        java.nio.file.Path f = java.nio.file.Files.createTempFile("nofn", ".txt");
        try {
            java.nio.file.Files.writeString(f, "# tracer: nop\n          a.out-42    [001] .....   10.000001: vma_end_read\n"
                    + "          a.out-42    [001] .....   10.000002: vma_end_read <-lock_vma_under_rcu\n");
            SourceResult r = TraceParsers.parse(f, null, 0, bad, false);
            assertEquals(1, r.problems());
            assertEquals(1, r.events());
        } finally {
            java.nio.file.Files.delete(f);
        }
    }
}
