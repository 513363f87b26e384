package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 12: a write to standard output that fails (a full disk) fails the command; exit 0 only with all the output. */
class OutputErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void aFullStandardOutputIsAnError() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.shared().resolve("traces/ftrace-overlap-default.txt"), "-w", ws).code);
        for (List<Object> args : List.<List<Object>>of(List.of("stats", "--json"), List.of("stats"), List.of("report"),
                List.of("query", "SELECT * FROM lock_spans"), List.of("export", "-o", "-"),
                List.of("export", "--table", "lock_spans", "-o", "-"), List.of("compare", "--policies", "vma-refcount"))) {
            Object[] a = new Object[args.size() + 2];
            for (int i = 0; i < args.size(); i++) {
                a[i] = args.get(i);
            }
            a[args.size()] = "-w";
            a[args.size() + 1] = ws;
            Cli ok = Cli.run(a);
            assertEquals(0, ok.code, args + ": " + ok);
            Cli full = Cli.runFailingOut(Math.min(100, ok.out.length() / 2), a);
            assertEquals(ExitCode.OUTPUT, full.code, args + ": " + full);
            assertTrue(full.err.contains("cannot write") && full.err.contains("standard output"), args + ": " + full.err);
            // one line for the error (a warning about the input, printed before it, is not part of it)
            assertEquals(1, java.util.Arrays.stream(full.err.strip().split("\n"))
                    .filter(l -> !l.startsWith("vmalock: warning:")).count(), args + ": " + full.err);
        }
    }
}
