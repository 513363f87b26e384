package vmalock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .dynsym offsets of a shared library built here with gcc: the uprobe offsets capture defines. */
class ElfSymbolsTest {
    @TempDir
    Path tmp;

    @Test
    void functionOffsetsOfASharedLibraryMatchNm() throws Exception {
        Path src = tmp.resolve("lib.c");
        Files.writeString(src, "int open64(const char *p, int f) { return f + 1; }\n"
                + "int openat64(int d, const char *p, int f) { return d + f; }\n"
                + "int helper(void) { return 7; }\n");
        Path so = tmp.resolve("libt.so");
        Assumptions.assumeTrue(run("gcc", "-shared", "-fPIC", "-O1", "-o", so.toString(), src.toString()) == 0, "gcc");
        Map<String, Long> offs = ElfSymbols.functionOffsets(so, List.of("openat64", "open64", "missing"));
        assertEquals(List.of("openat64", "open64"), List.copyOf(offs.keySet()), "in the order asked, absent ones left out");
        // nm -D prints the symbol value; in a gcc -shared library the text segment's vaddr equals its offset
        Process p = new ProcessBuilder("nm", "-D", "--defined-only", so.toString()).start();
        String nm = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor() == 0, "nm");
        for (String line : nm.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && offs.containsKey(f[2])) assertEquals(Long.parseLong(f[0], 16), offs.get(f[2]), f[2]);
        }
        assertTrue(offs.get("open64") > 0);
    }

    @Test
    void aFileThatIsNotElfIsRefusedWithTheReason() throws Exception {
        Path f = tmp.resolve("x.so");
        Files.writeString(f, "not an ELF file at all, just some text that is long enough for a header......");
        IOException e = assertThrows(IOException.class, () -> ElfSymbols.functionOffsets(f, List.of("open64")));
        assertTrue(e.getMessage().endsWith("not an ELF file"), e.getMessage());
    }

    private static int run(String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException e) {
            return -1;
        }
    }
}
