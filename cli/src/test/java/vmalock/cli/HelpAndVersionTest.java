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
    }
}
