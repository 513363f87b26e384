package vmalock.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import vmalock.parse.TraceFormat;

/**
 * Ingest (checksum + parse + store) throughput of one file, for {@code bench/parse-bench.sh}: ingests it
 * {@code runs} times, each into a fresh workspace under {@code WORKDIR}, and prints one line per run plus
 * the best: wall-clock and CPU-time (of the ingesting thread: what one core does, whatever else the
 * machine runs) throughput, the CPU cost of the checksum alone (measured by a separate pass after the
 * run: the ingest itself computes it on the chunks its parse reads), queue size and heap use.
 * Usage: {@code IngestBench FILE WORKDIR [runs] [format] [threads]}; threads N > 1 parses chunks of the file
 * on N threads ({@link vmalock.parse.Parallelism}) while this one stores them: then the CPU time printed is
 * this thread's only, and the wall time is the figure to read (plus the process CPU time, which counts every
 * thread and the JVM's own).
 */
public final class IngestBench {
    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: IngestBench FILE WORKDIR [runs] [format]");
            System.exit(2);
        }
        Path file = Paths.get(args[0]);
        Path work = Paths.get(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        TraceFormat format = args.length > 3 ? TraceFormat.fromCliName(args[3]) : null;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        long size = Files.size(file);
        double best = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        long records = 0;
        for (int run = 1; run <= runs; run++) {
            Path dir = work.resolve("ingest-bench-ws");
            deleteTree(dir);
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long c0 = mx.getCurrentThreadCpuTime();
            long p0 = processCpu();
            long t0 = System.nanoTime();
            Manifest.Source s;
            try (Workspace ws = Workspace.forIngest(dir)) {
                s = Ingester.ingest(ws, file, format, false, null, vmalock.parse.Parallelism.of(threads));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
            double processCpu = (processCpu() - p0) / 1e9;
            long c1 = mx.getCurrentThreadCpuTime();
            Checksums.of(file);
            double sumCpu = (mx.getCurrentThreadCpuTime() - c1) / 1e9;
            records = s.records;
            long[] chunks = vmalock.parse.TraceParsers.lastChunkCounts();
            if (chunks != null) System.out.println("chunks=" + chunks[0] + " parsed_again=" + chunks[1]);
            best = Math.min(best, secs);
            bestCpu = Math.min(bestCpu, cpu);
            Runtime rt = Runtime.getRuntime();
            System.out.println(String.format(Locale.ROOT,
                    "ingest run=%d bytes=%d seconds=%.3f mb_per_s=%.1f events=%d events_per_s=%.0f cpu_seconds=%.3f "
                            + "mb_per_cpu_s=%.1f events_per_cpu_s=%.0f checksum_cpu_seconds=%.3f "
                            + "process_cpu_seconds=%.3f threads=%d blocks=%d queue_bytes=%d heap_used_mb=%d max_heap_mb=%d problems=%d",
                    run, size, secs, size / 1e6 / secs, records, records / secs, cpu, size / 1e6 / cpu, records / cpu, sumCpu,
                    processCpu, threads,
                    s.blocks, allocated(dir),
                    (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20, s.problems));
        }
        System.out.println(String.format(Locale.ROOT,
                "ingest best bytes=%d seconds=%.3f mb_per_s=%.1f events=%d events_per_s=%.0f cpu_seconds=%.3f max_heap_mb=%d",
                size, best, size / 1e6 / best, records, records / best, bestCpu, Runtime.getRuntime().maxMemory() >> 20));
        deleteTree(work.resolve("ingest-bench-ws"));
    }

    /** CPU time of the whole process (every thread, JIT and GC included), ns. */
    private static long processCpu() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : -1;
    }

    /** Bytes the queue's cycle files really use (they are sparse), via {@code du}. */
    private static long allocated(Path dir) throws IOException, InterruptedException {
        Process du = new ProcessBuilder("du", "-sB1", dir.resolve(Workspace.QUEUE_DIR).toString()).start();
        String out = new String(du.getInputStream().readAllBytes()).trim();
        du.waitFor();
        return out.isEmpty() ? -1 : Long.parseLong(out.split("\\s+")[0]);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
