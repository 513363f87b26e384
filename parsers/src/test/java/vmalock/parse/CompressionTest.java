package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import io.airlift.compress.zstd.ZstdOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** .gz / .xz / .zst inputs (detected by magic bytes, whatever the name) parse exactly like the plain file. */
class CompressionTest {
    @TempDir
    Path dir;

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bo)) {
            o.write(b);
        }
        return bo.toByteArray();
    }

    static byte[] xz(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = new XZOutputStream(bo, new LZMA2Options(1))) {
            o.write(b);
        }
        return bo.toByteArray();
    }

    static byte[] zstd(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = new ZstdOutputStream(bo)) {
            o.write(b);
        }
        return bo.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {SharedTraces.FTRACE, SharedTraces.PERF, SharedTraces.TRACE_CMD})
    void compressedEqualsPlain(String name) throws Exception {
        Path plain = SharedTraces.trace(name);
        byte[] raw = Files.readAllBytes(plain);
        CountingSink ref = new CountingSink(true);
        SourceResult r0 = TraceParsers.parse(plain, null, 0, ref, true);
        String[] kinds = {"gzip", "xz", "zstd"};
        byte[][] packed = {gzip(raw), xz(raw), zstd(raw)};
        for (int i = 0; i < kinds.length; i++) {
            Path p = dir.resolve(name + "." + kinds[i] + ".bin"); // the name says nothing: magic bytes decide
            Files.write(p, packed[i]);
            CountingSink s = new CountingSink(true);
            SourceResult r = TraceParsers.parse(p, null, 0, s, true);
            assertEquals(kinds[i], r.compression());
            assertEquals(r0.format(), r.format());
            assertEquals(r0.linesTotal(), r.linesTotal());
            assertEquals(raw.length, r.bytes());
            assertEquals(r0.nonEventLinesByKind(), r.nonEventLinesByKind());
            assertEquals(ref.events.size(), s.events.size());
            assertEquals(ref.events, s.events, kinds[i]);
        }
    }
}
