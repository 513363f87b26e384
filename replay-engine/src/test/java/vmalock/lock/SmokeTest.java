package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vmalock.event.Event;

class SmokeTest {
    @Test
    void readerWaitsForWriter() {
        List<Event> evs = new ArrayList<>();
        SimScheduler s = new SimScheduler(new Findings(), true);
        Mm mm = new Mm(0x1000, e -> evs.add(e.copy()));
        Task w = new Task(1, "w"), r = new Task(2, "r");
        s.spawn(w, Seq.of(t -> t.ops().mmapWriteLock.init(mm, true), t -> t.ops().hold.init(1000),
                t -> t.ops().call.init(x -> mm.mmapLock.writeUnlock(x))), 0);
        s.spawn(r, Seq.of(t -> t.ops().mmapReadLock.init(mm, false, true), t -> t.ops().hold.init(10),
                t -> t.ops().call.init(x -> mm.mmapLock.readUnlock(x))), 100);
        s.run();
        StringBuilder sb = new StringBuilder();
        for (Event e : evs) sb.append(e.ts).append(' ').append(e.tid).append(' ').append(e.name).append(e.write ? " w1" : " w0").append('\n');
        System.out.print(sb);
        assertEquals(0, s.findings().total(), s.findings().toString());
        assertEquals(0, s.live());
        assertEquals(1010, s.now());
    }
}
