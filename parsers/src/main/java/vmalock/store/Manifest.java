package vmalock.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workspace's table of contents ({@code manifest.json}): one entry per completely ingested source.
 *
 * <p>It is the commit record of an ingest: a source's events are appended to the queue first, and
 * only then is its entry added here (written to a temporary file, forced to disk and atomically
 * renamed over the old manifest). Readers only visit the queue index ranges listed here, so blocks
 * left by an interrupted ingest are never read as data.
 */
public final class Manifest {
    public static final String FILE = "manifest.json";
    /**
     * Bumped whenever the stored layout changes, so an old workspace is refused with a clear message
     * instead of being misread. 2: event blocks of {@link BlockCodec} version 2 (byte-width numbers);
     * 3: version 3, each block with a CRC32C checksum; 4: a sched wake-up's irq context ({@code BlockCodec#F_IRQ_CONTEXT}),
     * a field format 3 never has: a format-3 workspace is read as it is and written back as format 4.
     */
    public static final int FORMAT_VERSION = 4;

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public int vmalockWorkspace = FORMAT_VERSION;
    public List<Source> sources = new ArrayList<>();
    /**
     * Event blocks of removed sources ({@code vmalock remove}): still in the queue file, owned by no source and
     * not left by an interrupted ingest. Absent (0) until a source is removed.
     */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public long removedBlocks;
    /** The index the next source gets when it is above every present one (indexes of removed sources are not reused). */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public int nextSource;

    /** One ingested input file. Timestamps in the source's clock unit (ns or ticks). */
    public static final class Source {
        public int index;
        /** Absolute path as given at ingest time. */
        public String path;
        /** File name only (what the summaries print as {@code capture}). */
        public String name;
        public long size;
        /** {@link Checksums#of}: identifies the capture (with the size) to refuse ingesting it twice. */
        public String checksum;
        /** Detected (or forced) format, e.g. {@code ftrace}, {@code trace-cmd}, {@code perf}, {@code csv}. */
        public String format;
        /** trace_clock, e.g. {@code local}, {@code counter}; {@code unknown} when the input does not say. */
        public String clock;
        /** {@code ns} for time clocks, {@code ticks} for counter clocks. */
        public String timeUnit;
        /** mm addresses printed as ftrace %p (16 bare hex digits, hashed by default) rather than 0x-prefixed (perf, trace-cmd). */
        public boolean barePointers;
        public long linesTotal;
        /** Event lines (LOST markers excluded) — {@code total_events}. */
        public long events;
        /** Lines that are not events, lost markers included. */
        public long nonEventLines;
        public Map<String, Long> nonEventLinesByKind = new LinkedHashMap<>();
        public long problems;
        /** The first few problems, {@code line: reason}. */
        public List<String> problemSamples = new ArrayList<>();
        public long lostEvents;
        public long lostEventMarkers;
        public long lostEventMarkersWithoutCount;
        /** From the ftrace {@code # entries-in-buffer/entries-written: A/B} header, null if absent. */
        public Long headerEntriesInBuffer;
        public Long headerEntriesWritten;
        public Long firstTs;
        public Long lastTs;
        /** Stored records (events + lost markers) and their Chronicle index range; -1 when none. */
        public long records;
        public long firstIndex = -1;
        public long lastIndex = -1;
        public long blocks;
        /** {@code uname -r} of the traced kernel: recorded by {@code capture} or given to {@code ingest --kernel}; null if unknown. */
        public String kernel;
        /** How {@link #kernel} is known: {@code recorded by capture} or {@code ingest --kernel}. */
        public String kernelFrom;
        /**
         * The traced kernel's config lines that matter ({@code CONFIG_PER_VMA_LOCK}, {@code CONFIG_PER_VMA_LOCK_STATS}):
         * {@code y}, {@code n} (not set); absent when the config could not be read.
         */
        public Map<String, String> kernelConfig;
        /**
         * {@code /proc/vmstat} {@code vma_lock_*} counters before and after a capture (machine-wide; only with
         * CONFIG_PER_VMA_LOCK_STATS); null when not captured or the kernel does not count them.
         */
        public Map<String, Long> vmstatBefore;
        public Map<String, Long> vmstatAfter;
        /** Always true in a written manifest: the entry is the commit record of the source. */
        public boolean complete;

        /** CONFIG_PER_VMA_LOCK as recorded ({@code y}/{@code n}), or null. */
        public String perVmaLockConfig() {
            return kernelConfig == null ? null : kernelConfig.get("CONFIG_PER_VMA_LOCK");
        }

        public boolean counterClock() {
            return "ticks".equals(timeUnit);
        }
    }

    /**
     * Builds Jackson's (de)serialisers of the manifest (a write and a read of a one-source manifest in
     * memory): the CLI runs this on a start-up thread while it parses its command line (issue 13).
     */
    public static void prime() {
        try {
            Manifest m = new Manifest();
            m.sources.add(new Source());
            JSON.readValue(JSON.writeValueAsBytes(m), Manifest.class);
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the real read or write reports any problem
        }
    }

    public static Manifest read(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            Manifest m = JSON.readValue(file.toFile(), Manifest.class);
            if (m.vmalockWorkspace == 3) m.vmalockWorkspace = FORMAT_VERSION; // its blocks are format 4's without a field
            if (m.vmalockWorkspace != FORMAT_VERSION) {
                throw new StoreException(dir + ": workspace format " + m.vmalockWorkspace
                        + " is not supported by this vmalock (it reads format " + FORMAT_VERSION
                        + (m.vmalockWorkspace < FORMAT_VERSION && m.vmalockWorkspace >= 2
                                ? ", whose event blocks carry checksums" : "")
                        + "); rebuild the workspace with `vmalock ingest` from the original traces");
            }
            m.sources.removeIf(s -> !s.complete);
            for (Source s : m.sources) {
                String bad = inconsistency(s);
                if (bad != null) throw new StoreException(file + ": damaged manifest: source " + s.index + ": " + bad);
            }
            return m;
        } catch (NoSuchFileException e) {
            throw new StoreException(dir + ": not a vmalock workspace (no " + FILE + "); run `vmalock ingest FILE -w "
                    + dir + "` first");
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new StoreException(dir + ": not a vmalock workspace (no " + FILE + ")");
            }
            throw new StoreException(file + ": damaged manifest: " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * The manifest checked against itself: a source's stored records are its events plus its lost-event
     * markers, and its Chronicle index range holds at least its blocks (an edited or damaged
     * {@code last_index} would silently drop events). Null when consistent.
     */
    static String inconsistency(Source s) {
        if (s.records != s.events + s.lostEventMarkers) {
            return "records " + s.records + " != events " + s.events + " + lost-event markers " + s.lostEventMarkers;
        }
        if (s.blocks > 0 && (s.firstIndex < 0 || s.lastIndex < s.firstIndex || s.lastIndex - s.firstIndex + 1 < s.blocks)) {
            return "index range " + s.firstIndex + ".." + s.lastIndex + " cannot hold its " + s.blocks + " blocks";
        }
        return null;
    }

    /** Writes the manifest atomically: temp file, fsync, rename over {@code manifest.json}. */
    void write(Path dir) {
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                JSON.writeValue(new NonClosing(out), this);
                out.write('\n');
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new StoreException(dir + ": cannot write " + FILE + ": " + e.getMessage(), e);
        }
    }

    public Source source(int index) {
        for (Source s : sources) {
            if (s.index == index) {
                return s;
            }
        }
        return null;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Jackson closes the stream it writes to; we still need to append a newline. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
