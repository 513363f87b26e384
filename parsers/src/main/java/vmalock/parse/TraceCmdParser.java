package vmalock.parse;

import vmalock.event.Event;
import vmalock.event.EventSink;
import vmalock.event.EventSink.NonEventKind;

/**
 * {@code trace-cmd report} 3.x (tracecmd/trace-read.c): the same {@code COMM-PID [CPU]} prefix as
 * ftrace (via libtraceevent) but no flags column, the event name padded to 20 after {@code name: },
 * pointers printed as {@code 0x…} and syscalls as {@code sys_enter_mmap: addr: 0x00000000, …}.
 * <pre>
 * cpus=2
 *      overlapping-19264 [001]  1269.194780: mmap_lock_released:   mm=0xffff8881056e3200 memcg_id=5859 write=true
 * CPU:1 [1234 EVENTS DROPPED]
 * </pre>
 * Also {@code -t} (ns timestamps, {@code " %9.1d:"}), counter clocks ({@code "%12d:"}) and {@code -l}, the
 * latency format: {@code %8.8s-%-5d %3d} then the flags, e.g. {@code overlapp-19264   1d..1. 1269.194777: …}.
 */
final class TraceCmdParser extends FtraceParser {
    private static final byte[] CPUS = ascii("cpus=");
    private static final byte[] VERSION = ascii("version = ");
    private static final byte[] CPU_COLON = ascii("CPU:");

    TraceCmdParser(EventSink sink, SourceResult result, boolean strict, int sourceIndex) {
        super(sink, result, strict, sourceIndex);
        result.format = TraceFormat.TRACE_CMD;
    }

    @Override
    protected void parseLine() {
        if (p < end && b[p] == 'c' && startsWith(CPUS)) {
            p += CPUS.length;
            try {
                result.cpus = (int) dec();
            } catch (LineProblem ignored) {
                // still the header line
            }
            nonEvent(NonEventKind.HEADER);
            return;
        }
        if (p < end && b[p] == 'v' && startsWith(VERSION)) {
            nonEvent(NonEventKind.HEADER);
            return;
        }
        skipInstancePrefix();
        super.parseLine();
    }

    /**
     * {@code trace-cmd record -B NAME}: the report prints {@code "NAME: "} in front of that instance's
     * lines (trace-read.c), then the usual line, whose comm column is right-aligned, so an unprefixed
     * line starts with a space unless its {@code comm-pid} fills 16 columns — and then its first word
     * ends with the pid, never with {@code ':'}. A first word ending with {@code ':'} and followed by a
     * space is therefore the instance's name: skipped (the events are the same whatever buffer held them).
     */
    private void skipInstancePrefix() {
        if (p >= end || b[p] == ' ' || b[p] == 'C' && startsWith(CPU_COLON)) return;
        int sp = indexOfByte(b, p, end, (byte) ' ');
        if (sp > p + 1 && b[sp - 1] == ':' && indexOfByte(b, p, sp - 1, (byte) ':') < 0) {
            p = sp + 1; // (columns in messages stay counted from the physical line's start)
        }
    }

    @Override
    protected void flags(int s, int t) {
        throw fail("mixed formats: ftrace line (flags column) in a trace-cmd file");
    }

    /**
     * The latency format's lines have no cpu column, but an event's fields may hold a {@code [digits]}:
     * sched_switch prints {@code cf-writer:2052 [120] S ==> swapper/0:0 [120]}. A bracket after a timestamp
     * ({@code " digits[.digits]: "}) is in the fields.
     */
    @Override
    protected boolean bracketIsCpu(int br) {
        for (int i = p + 1; i + 1 < br; i++) {
            if (b[i] == ':' && b[i + 1] == ' ' && b[i - 1] >= '0' && b[i - 1] <= '9') {
                int s = i - 1;
                while (s > p && (b[s - 1] >= '0' && b[s - 1] <= '9' || b[s - 1] == '.')) s--;
                if (s > p && b[s - 1] == ' ') return false;
            }
        }
        return true;
    }

    /** The {@code -l} latency format has no {@code [cpu]} brackets. */
    @Override
    protected void noCpuColumn() {
        int ts = latencyTimestamp();
        if (ts < 0) {
            super.noCpuColumn();
            return;
        }
        // walk back: spaces, CPU+flags token, spaces, COMM-PID
        int j = ts - 1;
        while (j > p && b[j] == ' ') j--;
        int tokEnd = j + 1;
        while (j > p && b[j] != ' ') j--;
        int tokStart = j + 1;
        int k = tokStart;
        int cpu = 0;
        while (k < tokEnd && b[k] >= '0' && b[k] <= '9') cpu = cpu * 10 + (b[k++] - '0');
        if (k == tokStart || tokEnd - k > 6) throw fail("bad latency-format cpu/flags column");
        lineIrqContext = tokEnd - k >= 4 ? irqContextOf(b[k + 2]) : Event.UNKNOWN;
        Event e = begin();
        taskBefore(e, j + 1);
        e.cpu = cpu;
        p = ts;
        e.ts = timestamp();
        if (p >= end || b[p] != ' ') throw fail("truncated line: no event name");
        p++;
        nameAndFields();
    }

    /** Start of a {@code digits[.digits]:} token followed by a space, preceded by a space; -1 if none. */
    private int latencyTimestamp() {
        for (int i = p + 1; i + 1 < end; i++) {
            if (b[i] == ':' && b[i + 1] == ' ' && b[i - 1] >= '0' && b[i - 1] <= '9') {
                int s = i - 1;
                while (s > p && ((b[s - 1] >= '0' && b[s - 1] <= '9') || b[s - 1] == '.')) s--;
                if (s > p && b[s - 1] == ' ') return s;
            }
        }
        return -1;
    }
}
