package vmalock.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The streaming file checksum that identifies a source (constant memory, one pass).
 *
 * <p>It answers "is this the same capture as one already ingested?", not an adversary: a 64-bit value
 * made of CRC32C and CRC32 (two different polynomials, both JDK intrinsics on the CPU's crc32 and
 * carry-less-multiply instructions) next to the file size. Measured on the 1.1 GB bench file:
 * 0.19 s of CPU against 0.80 s for SHA-256 with the SHA extensions — SHA-256 alone would cost a
 * quarter of the ingest time.
 */
public final class Checksums {
    /** Prefix naming the algorithm in the manifest, so a later change of algorithm is detectable. */
    public static final String ALGORITHM = "crc32c+crc32";

    private Checksums() {
    }

    /** {@code crc32c+crc32:XXXXXXXXYYYYYYYY} of the file's bytes as stored (a .gz is hashed compressed). */
    public static String of(Path file) throws IOException {
        Running r = new Running();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                r.accept(buf);
                buf.clear();
            }
        }
        return r.value();
    }

    /**
     * The same checksum fed chunk by chunk, e.g. by the parser's read of the file
     * ({@code TraceParsers.parse(…, tap)}), so an ingest reads the file once.
     */
    public static final class Running implements Consumer<ByteBuffer> {
        private final CRC32C c = new CRC32C();
        private final CRC32 d = new CRC32();
        private long bytes;

        @Override
        public void accept(ByteBuffer chunk) {
            bytes += chunk.remaining();
            c.update(chunk.duplicate());
            d.update(chunk);
        }

        /** Bytes seen so far. */
        public long bytes() {
            return bytes;
        }

        public String value() {
            return String.format("%s:%08x%08x", ALGORITHM, c.getValue(), d.getValue());
        }
    }
}
