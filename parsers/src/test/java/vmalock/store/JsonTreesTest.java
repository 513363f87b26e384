package vmalock.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON that {@link JsonTrees} and {@link Manifest} read and write without an ObjectMapper (issue 13, start-up) is
 * what the mappers they replaced read and wrote: the same trees, the same text byte for byte.
 */
class JsonTreesTest {
    /** The mapper the figures' documents are written with (StatsJson.JSON). */
    private static final ObjectMapper INDENTED = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The manifest's former mapper, with the annotations its two optional fields had. */
    private static final ObjectMapper MANIFEST = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addMixIn(Manifest.class, FormerAnnotations.class);

    abstract static class FormerAnnotations {
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        long removedBlocks;
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        int nextSource;
    }

    @TempDir
    Path tmp;

    private static final String EVERY_KIND = "{\"i\":1,\"neg\":-7,\"long\":12345678901234,\"big\":123456789012345678901234567890,"
            + "\"d\":0.1,\"e\":1.5e300,\"small\":-2.5E-7,\"whole\":3.0,\"s\":\"a \\\"q\\\" \\\\ \\n \\t \\u0001 é ✓ 😀\","
            + "\"t\":true,\"f\":false,\"n\":null,\"o\":{},\"a\":[],\"nested\":{\"x\":[1,[2,{\"y\":null}],\"z\"],\"w\":{\"v\":{}}},"
            + "\"dup\":1,\"dup\":2}";

    @Test
    void readsTheTreesAMapperReads() throws Exception {
        byte[] b = EVERY_KIND.getBytes(StandardCharsets.UTF_8);
        JsonNode mine = JsonTrees.read(b);
        assertEquals(INDENTED.readTree(b), mine);
        Path f = tmp.resolve("x.json");
        Files.write(f, b);
        assertEquals(INDENTED.readTree(f.toFile()), JsonTrees.read(f));
        Files.write(f, new byte[0]);
        assertTrue(JsonTrees.read(f).isMissingNode(), "an empty file, as readTree gives it");
    }

    @Test
    void writesTheTextAMapperWrites() throws Exception {
        JsonNode n = INDENTED.readTree(EVERY_KIND);
        assertEquals(INDENTED.writeValueAsString(n), JsonTrees.pretty(n));
        assertArrayEquals(INDENTED.writeValueAsBytes(n), JsonTrees.prettyBytes(n));
        var o = INDENTED.createObjectNode(); // node kinds a parser does not make
        o.put("float", 1.25f);
        o.put("decimal", new java.math.BigDecimal("1.250"));
        o.put("short", (short) 3);
        o.putArray("empty");
        o.putObject("none");
        assertEquals(INDENTED.writeValueAsString(o), JsonTrees.pretty(o));
        assertEquals(INDENTED.writeValueAsString(INDENTED.createArrayNode()), JsonTrees.pretty(INDENTED.createArrayNode()));
    }

    private static Manifest.Source full(int index) {
        Manifest.Source s = new Manifest.Source();
        s.index = index;
        s.path = "/tmp/ünïcode \"quoted\"/trace-" + index + ".txt";
        s.name = "trace-" + index + ".txt";
        s.size = 1L << 40;
        s.checksum = "xxh64:0123456789abcdef";
        s.format = "ftrace";
        s.clock = "local";
        s.timeUnit = "ns";
        s.barePointers = true;
        s.linesTotal = 1000;
        s.events = 988;
        s.nonEventLines = 12;
        s.nonEventLinesByKind.put("header", 11L);
        s.nonEventLinesByKind.put("lost", 1L);
        s.problems = 2;
        s.problemSamples = List.of("3: bad line", "9: worse \\ line");
        s.lostEvents = 5;
        s.lostEventMarkers = 1;
        s.lostEventMarkersWithoutCount = 0;
        s.headerEntriesInBuffer = 100L;
        s.headerEntriesWritten = 120L;
        s.firstTs = -5L;
        s.lastTs = Long.MAX_VALUE;
        s.records = 989;
        s.firstIndex = 0;
        s.lastIndex = 3;
        s.blocks = 4;
        s.kernel = "6.8.0-45-generic";
        s.kernelFrom = "recorded by capture";
        s.kernelConfig = new LinkedHashMap<>(Map.of("CONFIG_PER_VMA_LOCK", "y"));
        s.kernelConfig.put("CONFIG_PER_VMA_LOCK_STATS", "n");
        s.vmstatBefore = new LinkedHashMap<>();
        s.vmstatBefore.put("vma_lock_success", 10L);
        s.vmstatBefore.put("vma_lock_abort", 0L);
        s.vmstatAfter = new LinkedHashMap<>(s.vmstatBefore);
        s.vmstatAfter.put("vma_lock_success", 30L);
        s.complete = true;
        return s;
    }

    private static List<Manifest> manifests() {
        Manifest empty = new Manifest();
        Manifest one = new Manifest();
        Manifest.Source bare = new Manifest.Source(); // nulls, empty map and list, defaults
        bare.complete = true;
        one.sources.add(bare);
        Manifest two = new Manifest();
        two.sources.add(full(0));
        two.sources.add(full(3));
        two.removedBlocks = 7;
        two.nextSource = 4;
        return List.of(empty, one, two);
    }

    @Test
    void manifestTextIsTheFormerMappersByteForByte() throws Exception {
        for (Manifest m : manifests()) {
            assertEquals(MANIFEST.writeValueAsString(m), new String(Manifest.toJson(m), StandardCharsets.UTF_8));
            for (Manifest.Source s : m.sources) {
                assertEquals(MANIFEST.writeValueAsString(s), Manifest.toJson(s));
            }
        }
    }

    @Test
    void manifestReadsWhatTheFormerMapperRead() throws Exception {
        for (Manifest m : manifests()) {
            m.sources.forEach(s -> {
                s.complete = true;
                s.records = s.events + s.lostEventMarkers;
            });
            // a field this version does not know is skipped, as before (FAIL_ON_UNKNOWN_PROPERTIES off)
            String text = MANIFEST.writeValueAsString(m).replaceFirst("\\{", "{\n  \"future_field\" : { \"a\" : [ 1, { } ] },");
            Files.writeString(tmp.resolve(Manifest.FILE), text);
            Manifest former = MANIFEST.readValue(text, Manifest.class);
            assertEquals(MANIFEST.writeValueAsString(former), MANIFEST.writeValueAsString(Manifest.read(tmp)));
        }
    }
}
