package vmalock.parse;

/**
 * How many threads parse one source, and the size of the pieces they parse ({@code ingest --threads}).
 * With more than one thread the input is cut into chunks at line ends, parsed in parallel and delivered in
 * file order: the events, counts and problems are exactly those of one thread.
 *
 * @param threads    parsing threads; 1 parses on the calling thread alone
 * @param chunkBytes input bytes per chunk (tests use tiny chunks to cut the input everywhere)
 */
public record Parallelism(int threads, int chunkBytes) {
    /** One thread: the parser reads the stream itself. */
    public static final Parallelism ONE = new Parallelism(1, ChunkedParse.DEFAULT_CHUNK);
    /** Inputs (as stored: compressed size for a .gz) smaller than this are parsed on one thread by default. */
    public static final long AUTO_MIN_BYTES = 8L << 20;

    public Parallelism {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        if (chunkBytes < 1) throw new IllegalArgumentException("chunk size must be at least 1 byte, not " + chunkBytes);
    }

    /** {@code threads} threads with the default chunk size. */
    public static Parallelism of(int threads) {
        return new Parallelism(threads, ChunkedParse.DEFAULT_CHUNK);
    }

    /** The default for a file of {@code size} bytes: every available processor when it is large enough, else one. */
    public static Parallelism auto(long size) {
        int cpus = Runtime.getRuntime().availableProcessors();
        return size >= AUTO_MIN_BYTES && cpus > 1 ? of(cpus) : ONE;
    }
}
