package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 11: a roff man page per command, which groff renders without a warning. */
class ManPagesTest {
    @TempDir
    Path tmp;

    @Test
    void everyCommandHasAPageThatRendersWithoutWarnings() throws Exception {
        List<Path> pages = ManPages.write(tmp);
        TreeSet<String> want = new TreeSet<>();
        want.add("vmalock.1");
        Main.commandLine().getSubcommands().keySet().forEach(n -> want.add("vmalock-" + n + ".1"));
        assertEquals(want, pages.stream().map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
        assertTrue(want.size() > 10, want.toString());

        String stats = Files.readString(tmp.resolve("vmalock-stats.1"));
        assertTrue(stats.startsWith(".TH \"VMALOCK-STATS\" \"1\""), stats);
        for (String section : new String[] {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH \"EXIT STATUS\""}) {
            assertTrue(stats.contains(section), section + " in\n" + stats);
        }
        assertTrue(stats.contains("\\fB\\-\\-json\\fR"), stats);

        boolean groff = new ProcessBuilder("sh", "-c", "command -v groff").start().waitFor() == 0;
        if (!groff) {
            return; // the roff is checked above; rendering needs groff (apt-get install groff-base)
        }
        for (Path p : pages) {
            Process r = new ProcessBuilder("groff", "-man", "-Tutf8", "-ww", "-z", p.toString()).redirectErrorStream(true).start();
            String out = new String(r.getInputStream().readAllBytes());
            assertEquals(0, r.waitFor(), p + ": " + out);
            assertEquals("", out, p + " renders with warnings");
            Process text = new ProcessBuilder("groff", "-man", "-Tutf8", "-P-cbou", p.toString()).start();
            String rendered = new String(text.getInputStream().readAllBytes());
            text.waitFor();
            assertTrue(rendered.contains("NAME") && rendered.contains("SYNOPSIS"), p + ":\n" + rendered);
        }
    }
}
