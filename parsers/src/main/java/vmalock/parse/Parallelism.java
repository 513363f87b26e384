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

    /** Processors below which the default is one thread whatever the size. */
    public static final int AUTO_MIN_CPUS = 3;

    /** The default for a file of {@code size} bytes on this machine: {@link #auto(long, int)}. */
    public static Parallelism auto(long size) {
        return auto(size, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The default for a file of {@code size} bytes on {@code cpus} processors: every processor when the file is
     * large enough and there are at least {@value #AUTO_MIN_CPUS}, else one thread. With two, the chunked parse
     * (two parsing threads, and this one storing what they recorded) lost to one thread at every load measured:
     * the storing thread's share, the copy of every event from the parsing thread to it, and the JIT compiler
     * competing for the same two cores (docs/ingest-speed.md, "Cold ingest: the JIT and the default threads").
     */
    public static Parallelism auto(long size, int cpus) {
        return size >= AUTO_MIN_BYTES && cpus >= AUTO_MIN_CPUS ? of(cpus) : ONE;
    }
}
