package vmalock.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
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

    /*
     * The file is read and written with jackson-core's streaming parser and generator (issue 13, start-up: Jackson's
     * data binding of these classes cost every command ~0.1 s of CPU). The text is the one an ObjectMapper wrote
     * before, field for field: snake_case names in declaration order, indented, null fields left out, and
     * removed_blocks and next_source only when not 0; unknown fields are ignored (ManifestJsonTest checks both
     * against such a mapper).
     */

    public int vmalockWorkspace = FORMAT_VERSION;
    public List<Source> sources = new ArrayList<>();
    /**
     * Event blocks of removed sources ({@code vmalock remove}): still in the queue file, owned by no source and
     * not left by an interrupted ingest. Absent (0) until a source is removed.
     */
    public long removedBlocks;
    /** The index the next source gets when it is above every present one (indexes of removed sources are not reused). */
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

        private void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeNumberField("index", index);
            field(g, "path", path);
            field(g, "name", name);
            g.writeNumberField("size", size);
            field(g, "checksum", checksum);
            field(g, "format", format);
            field(g, "clock", clock);
            field(g, "time_unit", timeUnit);
            g.writeBooleanField("bare_pointers", barePointers);
            g.writeNumberField("lines_total", linesTotal);
            g.writeNumberField("events", events);
            g.writeNumberField("non_event_lines", nonEventLines);
            numbersField(g, "non_event_lines_by_kind", nonEventLinesByKind);
            g.writeNumberField("problems", problems);
            if (problemSamples != null) {
                g.writeArrayFieldStart("problem_samples");
                for (String x : problemSamples) {
                    if (x == null) g.writeNull(); else g.writeString(x);
                }
                g.writeEndArray();
            }
            g.writeNumberField("lost_events", lostEvents);
            g.writeNumberField("lost_event_markers", lostEventMarkers);
            g.writeNumberField("lost_event_markers_without_count", lostEventMarkersWithoutCount);
            field(g, "header_entries_in_buffer", headerEntriesInBuffer);
            field(g, "header_entries_written", headerEntriesWritten);
            field(g, "first_ts", firstTs);
            field(g, "last_ts", lastTs);
            g.writeNumberField("records", records);
            g.writeNumberField("first_index", firstIndex);
            g.writeNumberField("last_index", lastIndex);
            g.writeNumberField("blocks", blocks);
            field(g, "kernel", kernel);
            field(g, "kernel_from", kernelFrom);
            if (kernelConfig != null) {
                g.writeObjectFieldStart("kernel_config");
                for (Map.Entry<String, String> e : kernelConfig.entrySet()) {
                    field(g, e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            numbersField(g, "vmstat_before", vmstatBefore);
            numbersField(g, "vmstat_after", vmstatAfter);
            g.writeBooleanField("complete", complete);
            g.writeEndObject();
        }

        private static Source parse(JsonParser p) throws IOException {
            expect(p, p.currentToken(), JsonToken.START_OBJECT, "Manifest$Source");
            Source s = new Source();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case "index": s.index = (int) number(p, t); break;
                    case "path": s.path = text(p, t); break;
                    case "name": s.name = text(p, t); break;
                    case "size": s.size = number(p, t); break;
                    case "checksum": s.checksum = text(p, t); break;
                    case "format": s.format = text(p, t); break;
                    case "clock": s.clock = text(p, t); break;
                    case "time_unit": s.timeUnit = text(p, t); break;
                    case "bare_pointers": s.barePointers = bool(p, t); break;
                    case "lines_total": s.linesTotal = number(p, t); break;
                    case "events": s.events = number(p, t); break;
                    case "non_event_lines": s.nonEventLines = number(p, t); break;
                    case "non_event_lines_by_kind": s.nonEventLinesByKind = map(p, t, Manifest::nullableNumber); break;
                    case "problems": s.problems = number(p, t); break;
                    case "problem_samples": s.problemSamples = texts(p, t); break;
                    case "lost_events": s.lostEvents = number(p, t); break;
                    case "lost_event_markers": s.lostEventMarkers = number(p, t); break;
                    case "lost_event_markers_without_count": s.lostEventMarkersWithoutCount = number(p, t); break;
                    case "header_entries_in_buffer": s.headerEntriesInBuffer = nullableNumber(p, t); break;
                    case "header_entries_written": s.headerEntriesWritten = nullableNumber(p, t); break;
                    case "first_ts": s.firstTs = nullableNumber(p, t); break;
                    case "last_ts": s.lastTs = nullableNumber(p, t); break;
                    case "records": s.records = number(p, t); break;
                    case "first_index": s.firstIndex = number(p, t); break;
                    case "last_index": s.lastIndex = number(p, t); break;
                    case "blocks": s.blocks = number(p, t); break;
                    case "kernel": s.kernel = text(p, t); break;
                    case "kernel_from": s.kernelFrom = text(p, t); break;
                    case "kernel_config": s.kernelConfig = map(p, t, Manifest::text); break;
                    case "vmstat_before": s.vmstatBefore = map(p, t, Manifest::nullableNumber); break;
                    case "vmstat_after": s.vmstatAfter = map(p, t, Manifest::nullableNumber); break;
                    case "complete": s.complete = bool(p, t); break;
                    default: p.skipChildren();
                }
            }
            return s;
        }

        /** CONFIG_PER_VMA_LOCK as recorded ({@code y}/{@code n}), or null. */
        public String perVmaLockConfig() {
            return kernelConfig == null ? null : kernelConfig.get("CONFIG_PER_VMA_LOCK");
        }

        public boolean counterClock() {
            return "ticks".equals(timeUnit);
        }
    }

    /**
     * Loads the classes that read and write a manifest (a write and a read of a one-source manifest in memory): the
     * CLI runs this on a start-up thread while it parses its command line (issue 13).
     */
    public static void prime() {
        try {
            Manifest m = new Manifest();
            m.sources.add(new Source());
            try (JsonParser p = JsonTrees.FACTORY.createParser(toJson(m))) {
                parse(p);
            }
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the real read or write reports any problem
        }
    }

    /** The manifest's text, as {@link #write} stores it (without the final line end). */
    static byte[] toJson(Manifest m) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try (JsonGenerator g = JsonTrees.indented(JsonTrees.FACTORY.createGenerator(b))) {
            m.write(g);
        }
        return b.toByteArray();
    }

    /** One source's entry as the manifest stores it (tests compare entries). */
    public static String toJson(Source s) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JsonTrees.indented(JsonTrees.FACTORY.createGenerator(w))) {
            s.write(g);
        }
        return w.toString();
    }

    private void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeNumberField("vmalock_workspace", vmalockWorkspace);
        g.writeArrayFieldStart("sources");
        for (Source s : sources) {
            s.write(g);
        }
        g.writeEndArray();
        if (removedBlocks != 0) g.writeNumberField("removed_blocks", removedBlocks);
        if (nextSource != 0) g.writeNumberField("next_source", nextSource);
        g.writeEndObject();
    }

    private static Manifest parse(JsonParser p) throws IOException {
        Manifest m = new Manifest();
        expect(p, p.nextToken(), JsonToken.START_OBJECT, "Manifest");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            switch (f) {
                case "vmalock_workspace": m.vmalockWorkspace = (int) number(p, t); break;
                case "removed_blocks": m.removedBlocks = number(p, t); break;
                case "next_source": m.nextSource = (int) number(p, t); break;
                case "sources":
                    m.sources = new ArrayList<>();
                    if (t == JsonToken.VALUE_NULL) {
                        m.sources = null;
                        break;
                    }
                    expect(p, t, JsonToken.START_ARRAY, "sources");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        m.sources.add(Source.parse(p));
                    }
                    break;
                default: p.skipChildren(); // an unknown field (FAIL_ON_UNKNOWN_PROPERTIES was off)
            }
        }
        if (m.sources == null) m.sources = new ArrayList<>();
        return m;
    }

    private static void expect(JsonParser p, JsonToken t, JsonToken want, String what) throws IOException {
        if (t != want) {
            throw new JsonParseException(p, "Cannot read " + what + ": expected " + want + " but found " + t);
        }
    }

    /** A number field, as data binding coerced it: an integer, a float (truncated), a numeric string; null is 0. */
    private static long number(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return p.getValueAsLong();
            case VALUE_NULL:
                return 0;
            case VALUE_STRING:
                try {
                    return Long.parseLong(p.getText().trim());
                } catch (NumberFormatException e) {
                    throw new JsonParseException(p, "Cannot read \"" + p.currentName() + "\": not a number: \"" + p.getText() + "\"");
                }
            default:
                throw new JsonParseException(p, "Cannot read \"" + p.currentName() + "\": expected a number but found " + t);
        }
    }

    private static Long nullableNumber(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NULL ? null : number(p, t);
    }

    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        if (!t.isScalarValue()) {
            throw new JsonParseException(p, "Cannot read \"" + p.currentName() + "\": expected a string but found " + t);
        }
        return p.getText();
    }

    private static boolean bool(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_TRUE: return true;
            case VALUE_FALSE: case VALUE_NULL: return false;
            case VALUE_NUMBER_INT: return p.getLongValue() != 0;
            case VALUE_STRING:
                if (p.getText().trim().equalsIgnoreCase("true")) return true;
                if (p.getText().trim().equalsIgnoreCase("false")) return false;
                // fall through
            default:
                throw new JsonParseException(p, "Cannot read \"" + p.currentName() + "\": expected true or false but found " + t);
        }
    }

    private static List<String> texts(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        expect(p, t, JsonToken.START_ARRAY, "\"" + p.currentName() + "\"");
        List<String> l = new ArrayList<>();
        for (JsonToken x = p.nextToken(); x != JsonToken.END_ARRAY; x = p.nextToken()) {
            l.add(text(p, x));
        }
        return l;
    }

    /** How a map's values are read ({@link #number}-like or {@link #text}-like). */
    private interface Value<V> {
        V read(JsonParser p, JsonToken t) throws IOException;
    }

    private static <V> Map<String, V> map(JsonParser p, JsonToken t, Value<V> value) throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        expect(p, t, JsonToken.START_OBJECT, "\"" + p.currentName() + "\"");
        Map<String, V> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            m.put(k, value.read(p, p.nextToken()));
        }
        return m;
    }

    private static void field(JsonGenerator g, String name, String v) throws IOException {
        if (v != null) g.writeStringField(name, v);
    }

    private static void field(JsonGenerator g, String name, Long v) throws IOException {
        if (v != null) g.writeNumberField(name, v);
    }

    private static void numbersField(JsonGenerator g, String name, Map<String, Long> m) throws IOException {
        if (m == null) return;
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : m.entrySet()) {
            if (e.getValue() != null) g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    public static Manifest read(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            Manifest m;
            try (JsonParser p = JsonTrees.FACTORY.createParser(file.toFile())) {
                m = parse(p);
            }
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
                out.write(toJson(this));
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
}
