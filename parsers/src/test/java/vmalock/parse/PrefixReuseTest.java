package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ftrace and trace-cmd parsers reuse the previous line's {@code COMM-PID [(TGID)] [CPU]} parse when a
 * line starts with the same bytes: on every real and fixture trace, and on lines built to sit next to a
 * reused prefix (same prefix then a truncated or bad rest, a comm differing in one byte, tgid columns),
 * that must give exactly the events, non-event lines and problems the full parse gives.
 */
class PrefixReuseTest {

    @ParameterizedTest
    @MethodSource("vmalock.parse.EventResetTest#traces")
    void reuseEqualsFullParse(Path trace) throws Exception {
        SourceResult r = TraceParsers.parse(trace, null, 0, new CountingSink(false), true);
        if (r.format() != TraceFormat.FTRACE && r.format() != TraceFormat.TRACE_CMD) return;
        byte[] text = Files.readAllBytes(trace);
        assertSame(trace.toString(), text, r.format());
    }

    @Test
    void linesNextToAReusedPrefix() throws Exception {
        String p = "      capture.sh-16869   [001] ";
        String ok = p + "d....  1216.416078: page_fault_user: address=0x55c69eed6a28 ip=0x7f91c9a8baa2 error_code=0x7\n";
        String text = ok + ok
                + p + "\n"                                          // the prefix alone: truncated
                + ok
                + p.substring(0, p.length() - 1) + "\n"             // shorter than the prefix
                + ok
                + "      capture.sh-16868   [001] d....  1216.416079: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "      capture.sh-16868   [002] d....  1216.416080: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "      capture.sh-16868   [002] d....  1216.41608x: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "      capture.sh-16868   [002] d....  1216.416081: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "           <...>-16868   [002] d....  1216.416082: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "           <...>-16868   [002] d....  1216.416083: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "      capture.sh-16869   (  16860) [001] .....  1216.416084: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "      capture.sh-16869   (  16860) [001] .....  1216.416085: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "      capture.sh-16869   (  16861) [001] .....  1216.416086: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "      capture.sh-16869   (-------) [001] .....  1216.416087: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "a-1 [0] 1216.416088: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n"
                + "a-1 [0] 1216.416089: page_fault_user: address=0x1 ip=0x2 error_code=0x7\n";
        CountingSink fast = assertSame("fixture", text.getBytes(StandardCharsets.UTF_8), TraceFormat.FTRACE);
        assertEquals(3, fast.problems.size(), fast.problems.toString());
        assertEquals(15, fast.events.size());
    }

    private static CountingSink assertSame(String name, byte[] text, TraceFormat f) throws IOException {
        CountingSink fast = run(text, f, false);
        CountingSink full = run(text, f, true);
        assertEquals(full.events.size(), fast.events.size(), name);
        for (int i = 0; i < full.events.size(); i++) {
            assertEquals(full.events.get(i), fast.events.get(i), name + " event " + i);
            assertEquals(full.events.get(i).toString(), fast.events.get(i).toString());
        }
        assertEquals(full.problems, fast.problems, name);
        assertEquals(full.nonEventLines, fast.nonEventLines, name);
        return fast;
    }

    private static CountingSink run(byte[] text, TraceFormat f, boolean noReuse) throws IOException {
        CountingSink s = new CountingSink(true);
        TextParser p = TraceParsers.create(f, s, new SourceResult("x"), false, 0);
        ((FtraceParser) p).noPrefixReuse = noReuse;
        try (InputStream in = new ByteArrayInputStream(text)) {
            p.run(in);
        }
        return s;
    }
}
