package vmalock.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The file offsets of functions in a shared library, from its ELF dynamic symbol table ({@code .dynsym}
 * and the string table it links to), as a uprobe definition needs them ({@code PATH:0xOFFSET}).
 *
 * <p>Hand-written: no ELF reader is among the Maven packages this project may use, and a 64-bit
 * little-endian {@code .dynsym} walk is a few dozen lines. Only ELFCLASS64 / ELFDATA2LSB files (x86_64,
 * arm64) are read; anything else is refused with the reason. A symbol's offset is its value translated
 * through the {@code PT_LOAD} segment that contains it ({@code value - p_vaddr + p_offset}).
 */
public final class ElfSymbols {
    private static final int SHT_DYNSYM = 11;
    private static final int PT_LOAD = 1;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;

    private ElfSymbols() {}

    /**
     * The file offset of each named function defined in {@code lib}'s {@code .dynsym} (names not found
     * are absent from the map), in the order of {@code names}.
     *
     * @throws IOException unreadable, or not a 64-bit little-endian ELF file with a dynamic symbol table
     */
    public static Map<String, Long> functionOffsets(Path lib, Collection<String> names) throws IOException {
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(lib, StandardOpenOption.READ)) {
            b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < 64 || b.getInt(0) != 0x464c457f) throw new IOException(lib + ": not an ELF file");
        if (b.get(4) != 2 || b.get(5) != 1) throw new IOException(lib + ": not a 64-bit little-endian ELF file");
        long phoff = b.getLong(0x20);
        long shoff = b.getLong(0x28);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        int shentsize = Short.toUnsignedInt(b.getShort(0x3A));
        int shnum = Short.toUnsignedInt(b.getShort(0x3C));
        Map<String, Long> values = new LinkedHashMap<>();
        for (int s = 0; s < shnum; s++) {
            int sh = at(b, shoff + (long) s * shentsize, 64);
            if (b.getInt(sh + 4) != SHT_DYNSYM) continue;
            int symOff = at(b, b.getLong(sh + 0x18), 0);
            long symSize = b.getLong(sh + 0x20);
            long entSize = b.getLong(sh + 0x38);
            int strSh = at(b, shoff + (long) b.getInt(sh + 0x28) * shentsize, 64);
            int strOff = at(b, b.getLong(strSh + 0x18), 0);
            long strSize = b.getLong(strSh + 0x20);
            if (entSize < 24) throw new IOException(lib + ": bad .dynsym entry size " + entSize);
            for (long k = 0; k + entSize <= symSize; k += entSize) {
                int e = at(b, symOff + k, 24);
                int type = b.get(e + 4) & 0xF;
                int shndx = Short.toUnsignedInt(b.getShort(e + 6));
                long value = b.getLong(e + 8);
                if ((type != STT_FUNC && type != STT_GNU_IFUNC) || shndx == 0 || value == 0) continue;
                long nameOff = Integer.toUnsignedLong(b.getInt(e));
                if (nameOff >= strSize) continue;
                String n = cString(b, strOff + (int) nameOff, strOff + (int) strSize);
                if (names.contains(n) && !values.containsKey(n)) values.put(n, value);
            }
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (String n : names) {
            Long v = values.get(n);
            if (v == null) continue;
            for (int p = 0; p < phnum; p++) {
                int ph = at(b, phoff + (long) p * phentsize, 56);
                if (b.getInt(ph) != PT_LOAD) continue;
                long off = b.getLong(ph + 8);
                long vaddr = b.getLong(ph + 0x10);
                long filesz = b.getLong(ph + 0x20);
                if (v >= vaddr && v < vaddr + filesz) {
                    out.put(n, v - vaddr + off);
                    break;
                }
            }
        }
        return out;
    }

    private static int at(ByteBuffer b, long off, int len) throws IOException {
        if (off < 0 || off + len > b.limit()) throw new IOException("ELF structure at " + off + " is past the end of the file");
        return (int) off;
    }

    private static String cString(ByteBuffer b, int from, int limit) {
        int i = from;
        while (i < limit && b.get(i) != 0) i++;
        byte[] s = new byte[i - from];
        b.get(from, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
