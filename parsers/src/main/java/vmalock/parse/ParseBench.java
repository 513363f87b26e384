package vmalock.parse;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

import vmalock.event.Event;
import vmalock.event.EventSink;

/**
 * Parse throughput of one file, for {@code bench/parse-bench.sh}: parses it {@code runs} times into a
 * sink that only counts (and folds the timestamps, so nothing is optimised away) and prints one line
 * per run plus the best: {@code parse run=N bytes=… seconds=… cpu_seconds=… mb_per_s=… …}. CPU time is the
 * parsing thread's own (robust when other processes share the cores); wall time is what a user waits.
 * Usage: {@code ParseBench FILE [runs] [format]}.
 */
public final class ParseBench {
    private ParseBench() {
    }

    /** Counts events; the checksum keeps the JIT from dropping the parse. */
    static final class Counter implements EventSink {
        long events;
        long lines;
        long checksum;

        @Override
        public void event(Event e) {
            events++;
            checksum += e.ts ^ e.tid;
        }

        @Override
        public void nonEventLine(NonEventKind kind, long line) {
            lines++;
        }

        @Override
        public void problem(long line, String reason) {
            lines++;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ParseBench FILE [runs] [format]");
            System.exit(2);
        }
        Path file = Paths.get(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        TraceFormat format = args.length > 2 ? TraceFormat.fromCliName(args[2]) : null;
        long size = Files.size(file);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        long events = 0;
        for (int run = 1; run <= runs; run++) {
            Counter c = new Counter();
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            SourceResult r = TraceParsers.parse(file, format, 0, c, false);
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            events = r.events() + r.lostMarkers();
            best = Math.min(best, s);
            bestCpu = Math.min(bestCpu, cpu);
            System.out.println(String.format(Locale.ROOT,
                    "parse run=%d bytes=%d seconds=%.3f cpu_seconds=%.3f mb_per_s=%.1f cpu_mb_per_s=%.1f events=%d events_per_s=%.0f problems=%d checksum=%d",
                    run, size, s, cpu, size / 1e6 / s, size / 1e6 / cpu, events, events / s, r.problems(), c.checksum));
        }
        System.out.println(String.format(Locale.ROOT,
                "parse best bytes=%d seconds=%.3f cpu_seconds=%.3f mb_per_s=%.1f cpu_mb_per_s=%.1f events=%d events_per_s=%.0f",
                size, best, bestCpu, size / 1e6 / best, size / 1e6 / bestCpu, events, events / best));
    }
}
