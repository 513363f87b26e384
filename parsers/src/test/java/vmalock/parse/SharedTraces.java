package vmalock.parse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The real traces in ../shared/traces and their truth JSON. A checkout without ../shared beside it (a
 * clone elsewhere, CI on a new machine) uses the byte-identical copies in sample-traces/shared.
 */
public final class SharedTraces {
    static final String FTRACE = "ftrace-overlap-default.txt";
    static final String PERF = "perf-disjoint.perf.txt";
    public static final String TRACE_CMD = "tc-overlap.report.txt";

    private SharedTraces() {
    }

    static Path dir() {
        Path root = Paths.get(System.getProperty("vmalock.root", ".."));
        Path beside = root.resolve("..").resolve("shared").resolve("traces").normalize();
        return Files.isDirectory(beside) ? beside : root.resolve("sample-traces/shared/traces");
    }

    public static Path trace(String name) {
        return dir().resolve(name);
    }

    static JsonNode truth(String name) throws IOException {
        String base = name.substring(0, name.lastIndexOf('.'));
        return new ObjectMapper().readTree(dir().resolve(base + ".truth.json").toFile());
    }

    static Path sample(String name) {
        String root = System.getProperty("vmalock.root", "..");
        return Paths.get(root, "sample-traces", name);
    }
}
