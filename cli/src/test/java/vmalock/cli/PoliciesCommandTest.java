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
        assertEquals(List.of("no-vma-lock", "vma-rwsem", "vma-rwsem-6.4", "vma-rwsem-6.6", "vma-refcount", "faults-on-mmap-lock", "rcu-wait",
                "start-read-unlocked", "start-read-unlocked-v2", "remote-vma-lock", "unconditional",
                "hypothetical-fault-rcu-wait", "hypothetical-fault-start-read-unlocked",
                "hypothetical-fault-start-read-unlocked-v2"), names);
        assertTrue(arr.get(4).get("kernel").asText().contains("6.15"));
        assertTrue(arr.get(2).get("spec").asText().endsWith(",era=6.4"), arr.get(2).toString());
        assertTrue(arr.get(5).get("spec").asText().contains("lock=refcount,fault=mmap-only"));
        assertTrue(arr.get(9).get("spec").asText().contains("remote=vma-lock-fast-path"));
        Cli t = Cli.run("policies");
        assertEquals(0, t.code, t.toString());
        assertTrue(t.out.contains("6.7–6.14") && t.out.contains("6.4–6.5"), t.out);
    }

    @Test
    void docsPolicyTableIsTheMarkdownOutput() throws Exception {
        Cli md = Cli.run("policies", "--format", "markdown");
        assertEquals(0, md.code, md.toString());
        String doc = java.nio.file.Files.readString(Cli.root().resolve("docs/policies.md"));
        assertTrue(doc.contains(md.out.strip()), "docs/policies.md is regenerated from `vmalock policies --format markdown`");
        String readme = java.nio.file.Files.readString(Cli.root().resolve("README.md"));
        assertTrue(readme.contains(md.out.strip()), "README.md's policy table is `vmalock policies --format markdown`");
        JsonNode arr = new ObjectMapper().readTree(Cli.run("policies", "--format", "json").out);
        for (JsonNode p : arr) {
            assertTrue(!p.get("callers").asText().isBlank(), p.toString());
            assertEquals(p.get("policy").asText().startsWith("hypothetical-"), p.get("hypothetical").asBoolean());
        }
        assertEquals(ExitCode.USAGE, Cli.run("policies", "--format", "xml").code);
    }
}
