package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * The open-path uprobes of {@code vmalock capture} (on the C library's open functions, {@code path=+0(%di):ustring})
 * as real captures print them, raw tracefs and perf script: each is one OPEN_PATH event with the path, followed by
 * the open's sys_exit_openat (the fd) and the reads of that fd. Samples: sample-traces/ftrace-maps-reader.txt
 * (vmalock capture on 6.18: {@code cat /proc/519/maps} next to the overlapping workload) and
 * sample-traces/perf-maps-reader.perf.txt (perf record of {@code cat} and python reading /proc/self/maps).
 */
class OpenPathGoldenTest {
    static List<Event> parse(String name, TraceFormat f) throws Exception {
        CountingSink sink = new CountingSink(true);
        SourceResult r = TraceParsers.parse(SharedTraces.sample(name), null, 0, sink, true);
        assertEquals(0, r.problems(), () -> "problems: " + r.firstProblems());
        assertEquals(f, r.format());
        return sink.events;
    }

    @Test
    void rawTracefs() throws Exception {
        List<Event> ev = parse("ftrace-maps-reader.txt", TraceFormat.FTRACE);
        Event open = ev.get(0);
        assertEquals(EventKind.OPEN_PATH, open.kind);
        assertEquals("open64", open.name);
        assertEquals("/proc/519/maps", open.text);
        assertEquals(0x7fed2454dfc0L, open.ip);
        assertEquals(520, open.tid);
        assertEquals(520, open.tgid);
        assertEquals(10084326960000L, open.ts);
        Event fd = ev.get(1);
        assertEquals(EventKind.SYS_EXIT, fd.kind);
        assertEquals("sys_exit_openat", fd.name);
        assertEquals(3, fd.ret);
        List<Event> reads = ev.stream().filter(e -> "sys_enter_read".equals(e.name)).collect(Collectors.toList());
        assertEquals(2, reads.size());
        assertEquals(3, reads.get(0).args[0]);
        assertEquals(1, ev.stream().filter(e -> e.kind == EventKind.OPEN_PATH).count());
    }

    @Test
    void perfScript() throws Exception {
        List<Event> ev = parse("perf-maps-reader.perf.txt", TraceFormat.PERF_SCRIPT);
        List<Event> opens = ev.stream().filter(e -> e.kind == EventKind.OPEN_PATH).collect(Collectors.toList());
        assertEquals(2, opens.size());
        Event cat = opens.get(0);
        assertEquals("open64", cat.name);
        assertEquals("/proc/self/maps", cat.text);
        assertEquals(0x7fa1726c3fc0L, cat.ip);
        assertEquals(7036, cat.tid);
        assertEquals("cat", cat.comm);
        assertEquals("python3", opens.get(1).comm);
        int i = ev.indexOf(cat);
        assertEquals("sys_exit_openat", ev.get(i + 1).name);
        assertEquals(3, ev.get(i + 1).ret);
        assertEquals("sys_enter_read", ev.get(i + 2).name);
        assertEquals(3, ev.get(i + 2).arg("fd", -1));
    }

    @Test
    void aStringArgumentEndsAtTheQuoteBeforeTheNextArgument() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("open-path", ".txt");
        try {
            java.nio.file.Files.writeString(f, "             cat-520     (    520) [001] ..... 10084.326960: openat64: "
                    + "(0x7fed2454dfc0) path=\"/tmp/a \"b\" c\" dfd=0xffffff9c\n");
            CountingSink sink = new CountingSink(true);
            SourceResult r = TraceParsers.parse(f, null, 0, sink, true);
            assertEquals(0, r.problems(), () -> "problems: " + r.firstProblems());
            Event e = sink.events.get(0);
            assertEquals(EventKind.OPEN_PATH, e.kind);
            assertEquals("/tmp/a \"b\" c", e.text);
            assertEquals(0xffffff9cL, e.arg("dfd", 0));
        } finally {
            java.nio.file.Files.delete(f);
        }
    }
}
