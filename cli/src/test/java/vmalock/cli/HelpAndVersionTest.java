package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Issue 12 item 11: --version says what was built from what; help texts cite nothing users do not have. */
class HelpAndVersionTest {
    @Test
    void versionGivesCommitAndLibraryVersions() {
        Cli v = Cli.run("--version");
        assertEquals(0, v.code, v.toString());
        assertTrue(v.out.startsWith("vmalock " + BuildInfo.VERSION + "\n"), v.out);
        assertTrue(v.out.lines().anyMatch(l -> l.matches("commit: ([0-9a-f]{40}|unknown.*)")), v.out);
        assertTrue(v.out.lines().anyMatch(l -> l.matches("DuckDB: [0-9][0-9.]*")), v.out);
        assertTrue(v.out.lines().anyMatch(l -> l.matches("Chronicle Queue: [0-9][0-9.]*.*")), v.out);
    }

    @Test
    void helpTextsCiteNoSpecOrTruthFiles() {
        CommandLine root = Main.commandLine();
        for (CommandLine c : root.getSubcommands().values()) {
            String help = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertFalse(help.contains("spec §") || help.contains("truth file"), c.getCommandName() + ":\n" + help);
        }
        // nor do the texts other commands print about themselves: policies, the report list, a replay's assumptions
        for (Object[] args : new Object[][] {{"policies"}, {"policies", "--format", "markdown"}, {"report", "--list"}}) {
            Cli c = Cli.run(args);
            assertEquals(0, c.code, c.toString());
            assertFalse(c.out.contains("§") || c.out.contains("truth file"), c.out);
        }
    }

    @Test
    void versionsAreStampedAtBuildTimeNotReadFromJarNames() {
        // the fat jar (vmalock.jar) carries no library jar names: the build writes the versions into a resource
        String[] v = Version.lines(() -> "none");
        assertTrue(v[2].matches("DuckDB: [0-9][0-9.]*"), v[2]);
        assertTrue(v[3].matches("Chronicle Queue: [0-9][0-9.]*.*"), v[3]);
    }

    @Test
    void completionPrintsTheBashScriptPicocliGenerates() throws Exception {
        Cli c = Cli.run("completion");
        assertEquals(0, c.code, c.toString());
        assertTrue(c.out.startsWith("#!/usr/bin/env bash"), c.out.substring(0, Math.min(200, c.out.length())));
        assertTrue(c.out.contains("complete -F _complete_vmalock") || c.out.contains("_complete_vmalock"), "a bash completion function");
        for (String word : new String[] {"sources", "remove", "completion", "--comm", "--from"}) {
            assertTrue(c.out.contains(word), word);
        }
    }
}
