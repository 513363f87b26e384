package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code vmalock policies}: the preset table of the replay issue, with kernel versions and patches. */
class PoliciesCommandTest {
    @Test
    void listsThePresetsOfTheIssueWithTheirKernel() throws Exception {
        Cli j = Cli.run("policies", "--json");
        assertEquals(0, j.code, j.toString());
        JsonNode arr = new ObjectMapper().readTree(j.out);
        List<String> names = new ArrayList<>();
        for (JsonNode p : arr) {
            names.add(p.get("policy").asText());
            assertTrue(!p.get("kernel").asText().isBlank());
        }
        assertEquals(List.of("no-vma-lock", "vma-rwsem", "vma-refcount", "faults-on-mmap-lock", "rcu-wait",
                "start-read-unlocked", "start-read-unlocked-v2", "remote-vma-lock", "unconditional",
                "hypothetical-fault-rcu-wait", "hypothetical-fault-start-read-unlocked",
                "hypothetical-fault-start-read-unlocked-v2"), names);
        assertTrue(arr.get(2).get("kernel").asText().contains("6.15"));
        assertTrue(arr.get(3).get("spec").asText().contains("lock=refcount,fault=mmap-only"));
        assertTrue(arr.get(7).get("spec").asText().contains("remote=vma-lock-fast-path"));
        Cli t = Cli.run("policies");
        assertEquals(0, t.code, t.toString());
        assertTrue(t.out.contains("6.4–6.14"), t.out);
    }

    @Test
    void docsPolicyTableIsTheMarkdownOutput() throws Exception {
        Cli md = Cli.run("policies", "--format", "markdown");
        assertEquals(0, md.code, md.toString());
        String doc = java.nio.file.Files.readString(Cli.root().resolve("docs/policies.md"));
        assertTrue(doc.contains(md.out.strip()), "docs/policies.md is regenerated from `vmalock policies --format markdown`");
        JsonNode arr = new ObjectMapper().readTree(Cli.run("policies", "--format", "json").out);
        for (JsonNode p : arr) {
            assertTrue(!p.get("callers").asText().isBlank(), p.toString());
            assertEquals(p.get("policy").asText().startsWith("hypothetical-"), p.get("hypothetical").asBoolean());
        }
        assertEquals(ExitCode.USAGE, Cli.run("policies", "--format", "xml").code);
    }
}
