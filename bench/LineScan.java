import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The floor of a cold ingest (issue 13 target 2, bench/ingest-ceiling.sh): a JVM that reads a file and counts its
 * lines, nothing else, on N threads (each a contiguous part of the file; positional reads into a 1 MiB buffer, a
 * byte-at-a-time loop the JIT compiles as vmalock's newline scan is). Prints the line count.
 *
 * <p>Usage: java -cp DIR LineScan FILE [THREADS]
 */
public final class LineScan {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long[] counts = new long[threads];
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int k = t;
                long from = size * t / threads;
                long to = size * (t + 1) / threads;
                ts[t] = new Thread(() -> counts[k] = count(ch, from, to));
                ts[t].start();
            }
            long n = 0;
            for (int t = 0; t < threads; t++) {
                ts[t].join();
                n += counts[t];
            }
            System.out.println(n);
        }
    }

    private static long count(FileChannel ch, long from, long to) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        byte[] a = buf.array();
        long n = 0;
        try {
            for (long pos = from; pos < to; ) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), to - pos));
                int r = ch.read(buf, pos);
                if (r <= 0) break;
                for (int i = 0; i < r; i++) {
                    if (a[i] == '\n') n++;
                }
                pos += r;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return n;
    }
}
