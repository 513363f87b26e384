package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmalock validate --captures}: predicted against real on stored counterfactual captures. */
class ValidateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void storedCapturesOfOneConfigurationHold() throws Exception {
        Path dir = tmp.resolve("caps");
        Files.createDirectories(dir);
        Path cf = Cli.root().resolve("sample-traces/cf");
        for (String mode : new String[] {"u", "k"}) {
            for (int r = 1; r <= 3; r++) {
                for (String ext : new String[] {".txt.xz", ".workload.log"}) {
                    Files.createSymbolicLink(dir.resolve("o3h-" + mode + r + ext), cf.resolve("o3h-" + mode + r + ext));
                }
            }
        }
        Cli c = Cli.run("validate", "--captures", dir, "--keep", tmp.resolve("keep"), "--format", "json");
        assertEquals(0, c.code, c.toString());
        JsonNode r = new ObjectMapper().readTree(c.out);
        assertTrue(r.get("held").asBoolean(), c.out);
        JsonNode conf = r.get("configurations").get(0);
        assertEquals("o3h", conf.get("name").asText());
        assertEquals(3, conf.get("u_runs").asInt());
        assertEquals(5, conf.get("figures").size());
        for (JsonNode f : conf.get("figures")) {
            assertTrue(f.get("held").asBoolean(), f.toString());
            assertTrue(f.get("real_min").asDouble() <= f.get("real").asDouble() && f.get("real").asDouble() <= f.get("real_max").asDouble());
        }
        // the same medians as bench/cf-oracle.py prints for o3h (README's trust table)
        assertEquals(1952, conf.get("figures").get(0).get("predicted").asDouble(), 1);
        assertEquals(2031, conf.get("figures").get(0).get("real").asDouble(), 1);
        assertEquals(0.99, conf.get("throughput_ratio_k_over_u").get("real").asDouble(), 0.005);
        Cli text = Cli.run("validate", "--captures", dir, "--keep", tmp.resolve("keep"));
        assertEquals(0, text.code, text.toString());
        assertTrue(text.out.contains("held: every figure within 2×"), text.out);
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        Cli none = Cli.run("validate", "--captures", empty);
        assertEquals(ExitCode.INPUT, none.code, none.toString());
        assertTrue(none.err.contains("no NAME-uN.txt"), none.err);
        assertEquals(1, none.err.strip().lines().count(), none.err);
        assertEquals(ExitCode.USAGE, Cli.run("validate", "--captures", empty, "--format", "xml").code);
        assertEquals(ExitCode.USAGE, Cli.run("validate", "--layout", "x").code);
        assertEquals(ExitCode.INPUT, Cli.run("validate", "--captures", tmp.resolve("missing")).code);
    }
}
