package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sample-traces/shared holds copies of ../shared/traces and ../shared/workloads for checkouts that have
 * no ../shared beside them (the tests fall back to it): where ../shared is present, every copy must be
 * byte-identical to its original, so the fallback never tests something else.
 */
class SharedCopiesTest {
    @ParameterizedTest
    @ValueSource(strings = {"traces", "workloads"})
    void copiesAreByteIdenticalToShared(String dir) throws IOException {
        Path root = Paths.get(System.getProperty("vmalock.root", ".."));
        Path original = root.resolve("..").resolve("shared").resolve(dir).normalize();
        Assumptions.assumeTrue(Files.isDirectory(original), "no " + original + " beside the checkout: nothing to compare");
        Path copies = root.resolve("sample-traces/shared").resolve(dir);
        List<Path> files;
        try (Stream<Path> s = Files.list(copies)) {
            files = s.sorted().collect(Collectors.toList());
        }
        assertTrue(files.size() >= 3, "copies in " + copies);
        for (Path copy : files) {
            Path orig = original.resolve(copy.getFileName().toString());
            assertArrayEquals(Files.readAllBytes(orig), Files.readAllBytes(copy), copy + " differs from " + orig);
        }
    }
}
