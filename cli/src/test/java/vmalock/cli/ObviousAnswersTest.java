package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What-if answers with obvious answers, on synthetic raw-ftrace traces built here: one process, two
 * 16 MiB anonymous VMAs A and B made by traced mmaps, four threads faulting in A every 10 µs for 30 ms
 * (1 µs of compute between faults), a writer holding mmap_lock for write 10 ms in an mprotect at 10 ms,
 * sched_switch events (so the replay is closed-loop) and 8 CPUs (so the CPUs are not the bottleneck).
 */
class ObviousAnswersTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long A = 0x7f0000000000L, B = 0x7f0004000000L; // not adjacent: the kernel would merge them
    static final long T0 = 100_000_000L; // µs

    @TempDir
    Path tmp;

    private final List<long[]> lines = new ArrayList<>(); // ts, seq → sorted
    private final List<String> text = new ArrayList<>();

    private void line(long us, int tid, int cpu, String comm, String event) {
        line(us, tid, cpu, comm, ".....", event);
    }

    /** @param flags the ftrace flags column: {@code .....} task context, {@code d.h3.} in a hardirq */
    private void line(long us, int tid, int cpu, String comm, String flags, String event) {
        lines.add(new long[] {us, lines.size()});
        text.add(String.format(Locale.ROOT, "%16s-%-7d (%7d) [%03d] %s %d.%06d: %s", comm, tid, 5000, cpu, flags,
                us / 1_000_000, us % 1_000_000, event));
    }

    private void lock(long startUs, long acqUs, long relUs, int tid, int cpu, String comm, boolean write) {
        String w = "mm=000000000000aaaa memcg_id=7 write=" + write;
        line(startUs, tid, cpu, comm, "mmap_lock_start_locking: " + w);
        line(acqUs, tid, cpu, comm, "mmap_lock_acquire_returned: " + w + " success=true");
        line(relUs, tid, cpu, comm, "mmap_lock_released: " + w);
    }

    /** Each of the 8 CPUs switches to its task ({@code tidOnCpu}), then tid 5000 maps A and B (traced mmaps). */
    private void switchIns(java.util.function.IntUnaryOperator tidOnCpu) {
        for (int cpu = 0; cpu < 8; cpu++) {
            line(T0, 0, cpu, "<idle>", "sched_switch: prev_comm=swapper prev_pid=0 prev_prio=120 prev_state=R ==> "
                    + "next_comm=syn next_pid=" + tidOnCpu.applyAsInt(cpu) + " next_prio=120");
        }
        long t = T0;
        for (long base : new long[] {A, B}) {
            t += 10;
            line(t, 5000, 4, "syn", "sys_mmap(addr: 0, len: 0x1000000, prot: 3, flags: 0x22, fd: 0xffffffff, off: 0)");
            lock(t + 1, t + 1, t + 3, 5000, 4, "syn", true);
            line(t + 4, 5000, 4, "syn", String.format(Locale.ROOT, "sys_mmap -> 0x%x", base));
        }
    }

    /**
     * @param writerTarget the address the writer mprotects (one page): in B (a) or in A (b)
     * @param perVma true: faults are handled under the per-VMA lock (no mmap_lock events); false: every
     *               fault takes mmap_lock, and the ones during the writer's hold wait for it (c)
     */
    private Path trace(String name, long writerTarget, boolean perVma) throws Exception {
        return trace(name, writerTarget, perVma, false);
    }

    /** @param tcpReaders a thread that takes mmap_lock for read outside any syscall every 100 µs (as
     *                   find_tcp_vma or binder's page lookups do before the series): the 'other' readers */
    private Path trace(String name, long writerTarget, boolean perVma, boolean tcpReaders) throws Exception {
        lines.clear();
        text.clear();
        switchIns(cpu -> cpu < 4 ? 5001 + cpu : 5000);
        long start = T0 + 100;
        long wStart = start + 10_000, wEnd = wStart + 10_000;
        for (int f = 0; f < 4; f++) {
            int tid = 5001 + f;
            String comm = "syn-fault-" + f;
            long ft = start + f;
            long delay = 0;
            for (int k = 0; k < 3000; k++, ft += 10) {
                long at = ft + delay;
                long addr = A + (long) ((f * 3000 + k) % 4096) * 4096; // inside A (16 MiB)
                line(at, tid, f, comm, String.format(Locale.ROOT, "page_fault_user: address=0x%x ip=0x400000 error_code=0x6", addr));
                if (!perVma) {
                    long acq = at;
                    if (at >= wStart && at < wEnd) acq = wEnd; // queued behind the writer
                    lock(at, acq, acq + 1, tid, f, comm, false);
                    delay += acq - at;
                }
            }
        }
        if (tcpReaders) {
            long rt = start + 50, delay = 0;
            for (int k = 0; k < 300; k++, rt += 100) {
                long at = rt + delay;
                long acq = at >= wStart && at < wEnd ? wEnd : at;
                lock(at, acq, acq + 1, 5006, 6, "syn-tcp", false);
                delay += acq - at;
            }
        }
        line(wStart - 1, 5005, 5, "syn-writer", String.format(Locale.ROOT, "sys_mprotect(start: 0x%x, len: 0x1000, prot: 1)", writerTarget));
        lock(wStart, wStart, wEnd, 5005, 5, "syn-writer", true);
        line(wEnd + 1, 5005, 5, "syn-writer", "sys_mprotect -> 0x0");
        line(wEnd + 2, 5005, 5, "syn-writer", "sched_switch: prev_comm=syn-writer prev_pid=5005 prev_prio=120 prev_state=S ==> "
                + "next_comm=swapper/5 next_pid=0 next_prio=120");
        return write(name);
    }

    /** The lines so far, sorted by time, as a raw ftrace file {@code name.txt}. */
    private Path write(String name) throws Exception {
        Integer[] order = new Integer[lines.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Long.compare(lines.get(x)[0], lines.get(y)[0]) != 0
                ? Long.compare(lines.get(x)[0], lines.get(y)[0]) : Long.compare(lines.get(x)[1], lines.get(y)[1]));
        StringBuilder sb = new StringBuilder("# tracer: nop\n#\n# entries-in-buffer/entries-written: " + order.length + "/"
                + order.length + "   #P:8\n#\n");
        for (Integer i : order) sb.append(text.get(i)).append('\n');
        Path p = tmp.resolve(name + ".txt");
        Files.writeString(p, sb.toString());
        return p;
    }

    /**
     * A wake-up chain (d): the writer holds mmap_lock 10 ms changing B; thread F faults 100 times in A from 1 ms into
     * the hold, then wakes thread S (sched_waking in F's context: a futex wake-up), which was asleep since its first
     * fault and then faults 100 times in A itself. Recorded with per-VMA locks: nothing waits.
     *
     * @param wakeFlags the waking line's flags column: {@code .....} (F's task context) or {@code d.h3.} (a hardirq:
     *                  a timer that fired while F ran)
     */
    private Path chain(String name, String wakeFlags) throws Exception {
        return chain(name, wakeFlags, true);
    }

    /** @param sFirst S faults once before it sleeps; without, its first operation is the one after F's wake-up */
    private Path chain(String name, String wakeFlags, boolean sFirst) throws Exception {
        lines.clear();
        text.clear();
        switchIns(cpu -> cpu < 2 ? 5001 + cpu : cpu == 5 ? 5005 : 5000);
        long start = T0 + 100;
        long wStart = start + 10_000, wEnd = wStart + 10_000;
        // S: one fault, then asleep until F wakes it
        if (sFirst) {
            fault(start, 5002, 1, "syn-s", A);
        }
        line(start + 5, 5002, 1, "syn-s", "sched_switch: prev_comm=syn-s prev_pid=5002 prev_prio=120 prev_state=S ==> "
                + "next_comm=swapper/1 next_pid=0 next_prio=120");
        long wake = faults(wStart + 1_000, 5001, 0, "syn-f", 1);
        line(wake, 5001, 0, "syn-f", wakeFlags, "sched_waking: comm=syn-s pid=5002 prio=120 target_cpu=001");
        fault(wake + 5, 5001, 0, "syn-f", A + 200 * 4096L);
        line(wake + 4, 0, 1, "<idle>", "sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> "
                + "next_comm=syn-s next_pid=5002 next_prio=120");
        faults(wake + 10, 5002, 1, "syn-s", 300);
        line(wStart - 1, 5005, 5, "syn-writer", String.format(Locale.ROOT, "sys_mprotect(start: 0x%x, len: 0x1000, prot: 1)", B));
        lock(wStart, wStart, wEnd, 5005, 5, "syn-writer", true);
        line(wEnd + 1, 5005, 5, "syn-writer", "sys_mprotect -> 0x0");
        return write(name);
    }

    private void fault(long us, int tid, int cpu, String comm, long addr) {
        line(us, tid, cpu, comm, String.format(Locale.ROOT, "page_fault_user: address=0x%x ip=0x400000 error_code=0x6", addr));
    }

    /** 100 faults 10 µs apart in A from page {@code firstPage}; returns the time after the last. */
    private long faults(long us, int tid, int cpu, String comm, int firstPage) {
        for (int k = 0; k < 100; k++, us += 10) fault(us, tid, cpu, comm, A + (firstPage + k) * 4096L);
        return us;
    }

    @Test
    void aSleeperWokenByATaskTheWriterDelaysWakesWhenThatTaskGetsThere() throws Exception {
        JsonNode r = replay(chain("d", "....."), "no-vma-lock", "vma-refcount");
        JsonNode none = r.get(0), vma = r.get(1);
        assertTrue(readerWaitSum(vma) < 100, "vma-refcount: nothing waits " + vma.get("stats").get("reader_wait_us"));
        // without per-VMA locks F's first fault waits ~9 ms for the writer; S wakes when F has done its faults, after
        // the writer: S never waits
        double none9 = readerWaitSum(none);
        assertTrue(none9 > 8_500 && none9 < 9_500, "only F's first fault waits (~9 ms): " + none.get("stats").get("reader_wait_us"));
        assertTrue(none.get("fault_latency_us").get("max").asDouble() > 8_500, none.get("fault_latency_us").toString());
        assertEquals(1, none.get("sleeps").get("woken_by_traced_task_replayed").asLong(), none.get("sleeps").toString());

        // a worker whose first job is what F wakes it for: its first operation waits for F too
        JsonNode first = replay(chain("d-first", ".....", false), "no-vma-lock").get(0);
        assertEquals(1, first.get("sleeps").get("woken_by_traced_task_replayed").asLong(), first.get("sleeps").toString());
        double firstWait = readerWaitSum(first);
        assertTrue(firstWait > 8_500 && firstWait < 9_500, "S's first fault waits for nobody: " + first.get("stats").get("reader_wait_us"));

        // the same wake-up in a hardirq (a timer that fired while F ran) is no dependency: S keeps its recorded sleep,
        // wakes during the writer's hold and waits for it too
        JsonNode h = replay(chain("d-irq", "d.h3."), "no-vma-lock").get(0);
        assertEquals(1, h.get("sleeps").get("woken_in_interrupt").asLong(), h.get("sleeps").toString());
        assertEquals(0, h.get("sleeps").get("woken_by_traced_task_replayed").asLong());
        assertTrue(readerWaitSum(h) > 15_000, "F and S both wait: " + h.get("stats").get("reader_wait_us"));
    }

    private JsonNode replay(Path trace, String... policies) throws Exception {
        Path ws = tmp.resolve("ws-" + trace.getFileName());
        if (!Files.exists(ws)) assertEquals(0, Cli.run("ingest", trace, "-w", ws).code);
        List<Object> args = new ArrayList<>(List.of("replay", "-w", ws, "--fault-cost", "1us", "--json"));
        for (String p : policies) {
            args.add("--policy");
            args.add(p);
        }
        Cli r = Cli.run(args.toArray());
        assertEquals(0, r.code, r.toString());
        return JSON.readTree(r.out);
    }

    private static double readerWaitSum(JsonNode run) {
        return run.get("stats").get("reader_wait_us").get("sum").asDouble();
    }

    @Test
    void aWriterChangingAnotherVmaStallsFaultersOnlyWithoutPerVmaLocks() throws Exception {
        JsonNode r = replay(trace("a", B, true), "no-vma-lock", "vma-refcount");
        JsonNode none = r.get(0), vma = r.get(1);
        assertEquals("sched", vma.get("inputs").get(0).get("timing").asText());
        String msg = none.get("makespan_us") + " vs " + vma.get("makespan_us") + ", " + none.get("fault_latency_us")
                + " vs " + vma.get("fault_latency_us");
        // under the per-VMA lock nothing waits: the writer locks B, the faults are in A
        assertTrue(readerWaitSum(vma) < 100, "vma-refcount: no fault waits " + vma.get("stats").get("reader_wait_us"));
        assertTrue(vma.get("fault_latency_us").get("max").asDouble() < 100, msg);
        // without it the four faulters stall about 10 ms each, and all their later work moves later
        assertTrue(readerWaitSum(none) > 4 * 9_000, "no-vma-lock: " + none.get("stats").get("reader_wait_us"));
        assertTrue(none.get("fault_latency_us").get("max").asDouble() > 9_000, msg);
        long dm = none.get("makespan_us").asLong() - vma.get("makespan_us").asLong();
        assertTrue(dm > 9_000 && dm < 11_000, "makespan grows by about the writer's 10 ms: " + msg);
        assertTrue(none.get("faults_per_s").asDouble() < vma.get("faults_per_s").asDouble(), msg);
    }

    @Test
    void aWriterChangingTheFaultersVmaBlocksThemUnderBothPolicies() throws Exception {
        JsonNode r = replay(trace("b", A + 0x800000, true), "no-vma-lock", "vma-refcount");
        JsonNode none = r.get(0), vma = r.get(1);
        String msg = none.get("makespan_us") + " vs " + vma.get("makespan_us") + ", waits " + readerWaitSum(none) + " vs "
                + readerWaitSum(vma);
        // the mprotect splits A and write-locks it: faults in A fall back to mmap_lock and wait for the writer
        assertTrue(readerWaitSum(vma) > 4 * 9_000, msg);
        assertTrue(Math.abs(readerWaitSum(none) - readerWaitSum(vma)) < 0.1 * readerWaitSum(none), msg);
        assertTrue(Math.abs(none.get("makespan_us").asLong() - vma.get("makespan_us").asLong()) < 1_000, msg);
    }

    @Test
    void theSameWorkRecordedWithoutPerVmaLocksFinishesAbout10msSoonerWithThem() throws Exception {
        JsonNode r = replay(trace("c", B, false), "no-vma-lock", "vma-refcount");
        JsonNode none = r.get(0), vma = r.get(1);
        String msg = none.get("makespan_us") + " vs " + vma.get("makespan_us");
        long dm = none.get("makespan_us").asLong() - vma.get("makespan_us").asLong();
        assertTrue(dm > 9_000 && dm < 11_000, "vma-refcount finishes about 10 ms sooner: " + msg);
        assertTrue(readerWaitSum(vma) < 100, "and nothing waits: " + vma.get("stats").get("reader_wait_us"));
    }

    @Test
    void theHelpersChangeTheirCallersOnlyTcpLikeReadersStopWaiting() throws Exception {
        JsonNode plain = replay(trace("faults-only", B, true), "vma-refcount", "rcu-wait", "start-read-unlocked");
        for (int i = 1; i < 3; i++) {
            JsonNode r = plain.get(i);
            assertEquals(0, r.get("changed_ops").asLong(), r.get("policy") + " changes nothing without its callers");
            assertTrue(r.get("no_change_reason").asText().contains("find_tcp_vma"), r.get("no_change_reason").toString());
            assertEquals(plain.get(0).get("stats").get("reader_wait_us"), r.get("stats").get("reader_wait_us"));
        }
        JsonNode r = replay(trace("tcp", B, true, true), "vma-refcount", "rcu-wait", "start-read-unlocked");
        JsonNode base = r.get(0);
        assertTrue(readerWaitSum(base) > 9_000, "the tcp-like reader waits for the writer under mmap_read_lock: "
                + base.get("stats").get("reader_wait_us"));
        for (int i = 1; i < 3; i++) {
            JsonNode h = r.get(i);
            assertEquals(300, h.get("changed_ops").asLong(), h.get("policy").asText());
            // the helper takes the VMA's lock under RCU and touches mmap_lock only when that VMA is write-locked
            // (the trace does not say which VMA a tcp reader maps: the seed picks one, sometimes the writer's)
            long baseCount = base.get("stats").get("reader_wait_us").get("count").asLong();
            long count = h.get("stats").get("reader_wait_us").get("count").asLong();
            assertTrue(count < 0.1 * baseCount, h.get("policy") + ": mmap_lock read acquisitions " + baseCount + " -> " + count);
            assertEquals(base.get("faults_on_mmap_lock").asLong(), h.get("faults_on_mmap_lock").asLong(),
                    "page faults are not the series' callers");
        }
    }
}
