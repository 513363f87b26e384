#!/usr/bin/env python3
"""Does EEVDF, as the replay models it, make the kernel's wake-up preemption decisions?

Usage: python3 bench/eevdf-wakeups.py TRACE [TRACE...]   (raw ftrace text of a cf capture, .xz or plain, with sched_switch
and sched_wakeup)

For each trace it rebuilds every CPU's EEVDF run queue from the trace's own schedule — sched_wakeup places a task with the
lag it left with (inflated by the weight it adds, ignored on an empty queue), sched_switch charges the running task and
dequeues a task that sleeps; 6.18's base slice for 2 CPUs (1.5 ms), lag limit max(2 slices, a 4 ms tick), a tick every
4 ms — and at each wake-up of a cf task onto a CPU running another cf task asks pick_eevdf(protect) whether the wakee
would take the CPU. It then counts how often that answer matches what the kernel did: the wakee ran there within 5 us, the
running task switched out runnable (a wake-up whose runner went to sleep at once is left out). Three rule sets:

  kernel       DELAY_DEQUEUE (a task that sleeps not eligible stays queued until picked, its positive lag cut to 0, or
               woken: re-placed at lag 0 if its lag is positive), and the woken delayed task's lag taken against the
               running task's virtual runtime as last recorded (enqueue_task_fair(ENQUEUE_DELAYED) returns before
               update_curr(); the wake-up check then updates it)
  fresh-lag    DELAY_DEQUEUE with the running task charged up to now at a delayed task's wake-up
  no-delay     no DELAY_DEQUEUE (vmalock's scheduler before --delay-dequeue on)

Writers are tasks named cf-writer, faulters cf-fault-*. Prints, per rule set and wakee kind (wake-ups onto a CPU running another cf task), the decisions that agree
with the kernel's out of all counted.
"""
import collections, lzma, re, sys

SLICE, TICK = 1500.0, 4000.0
RX = re.compile(r'^\s*(.+?)-(\d+)\s+\(\s*([-\d]+)\)\s+\[(\d+)\]\s+(\S+)\s+([\d.]+):\s+(\w+):?\s*(.*)$')
SW = re.compile(r'prev_comm=(.+?) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.+?) next_pid=(\d+)')
WK = re.compile(r'comm=(.+?) pid=(\d+) .*target_cpu=(\d+)')


def kind(name):
    return 'writer' if name.startswith('cf-writer') else 'faulter' if name.startswith('cf-fault') else None


class Entity:
    __slots__ = ('v', 'dl', 'lag', 'cpu', 'start', 'name', 'vprot', 'delayed')

    def __init__(self, name):
        self.v = self.dl = self.lag = 0.0
        self.cpu, self.start, self.name, self.vprot, self.delayed = -1, None, name, 0.0, False


class Eevdf:
    def __init__(self, delay, stale):
        self.delay, self.stale = delay, stale
        self.ents, self.curr = {}, {}
        self.rq = collections.defaultdict(set)
        self.vbase = collections.defaultdict(float)
        self.tick = collections.defaultdict(float)

    def ent(self, pid, name):
        e = self.ents.setdefault(pid, Entity(name))
        e.name = name
        return e

    def avg(self, c):
        vs = [self.ents[p].v for p in self.rq[c]]
        return sum(vs) / len(vs) if vs else self.vbase[c]

    def update_curr(self, c, now):
        p = self.curr.get(c)
        if not p or self.ents[p].start is None:
            return
        e = self.ents[p]
        e.v += now - e.start
        e.start = now
        if e.v >= e.dl:
            e.dl = e.v + SLICE

    def ticks(self, c, now):
        t = (now // TICK) * TICK
        if t > self.tick[c]:
            self.tick[c] = t
            p = self.curr.get(c)
            if p and self.ents[p].start is not None and self.ents[p].start < t:
                self.update_curr(c, t)

    def remove(self, p):
        e = self.ents[p]
        self.rq[e.cpu].discard(p)
        e.cpu, e.delayed = -1, False

    def sleep(self, p, c, now):
        e = self.ents[p]
        self.update_curr(c, now)
        a = self.avg(c)
        if self.delay and e.v > a and len(self.rq[c]) > 1:
            e.delayed = True
            return
        e.lag = max(-2 * SLICE, min(2 * SLICE, a - e.v))
        self.remove(p)
        self.vbase[c] = a

    def place(self, p, c):
        e = self.ents[p]
        n = len(self.rq[c])
        lag = e.lag * (n + 1) / n if n else 0.0
        e.v = self.avg(c) - lag
        e.dl, e.cpu, e.delayed = e.v + SLICE, c, False
        self.rq[c].add(p)

    def pick(self, c, protect):
        q = self.rq[c]
        if len(q) == 1:
            return next(iter(q))
        a = self.avg(c)
        cur = self.curr.get(c)
        ce = self.ents[cur] if cur and cur in q else None
        if ce is not None and ce.v > a + 1e-9:
            ce = None
        if ce is not None and protect and ce.v < ce.vprot:
            return cur
        best = None
        for p in q:
            e = self.ents[p]
            if e.v <= a + 1e-9 and (best is None or e.dl < self.ents[best].dl):
                best = p
        return best

    def pick_next(self, c):  # a delayed task picked leaves the queue, its lag cut to <= 0; pick again
        while True:
            p = self.pick(c, False)
            if p is None or not self.ents[p].delayed:
                return
            e, a = self.ents[p], self.avg(c)
            e.lag = min(0.0, max(-2 * SLICE, a - e.v))
            self.remove(p)
            self.vbase[c] = a

    def switch(self, c, now, prev, pname, state, nxt, nname):
        self.ticks(c, now)
        if prev:
            e = self.ent(prev, pname)
            self.update_curr(c, now)
            if not state.startswith('R') and e.cpu == c:
                self.sleep(prev, c, now)
            e.start = None
        self.curr[c] = nxt
        if prev:
            self.pick_next(c)
        if nxt:
            e = self.ent(nxt, nname)
            if e.cpu != c or e.delayed:
                if e.cpu >= 0:
                    self.remove(nxt)
                self.place(nxt, c)
            e.start, e.vprot = now, e.dl

    def wakeup(self, c, now, p, name):
        """Places the wakee; returns whether pick_eevdf(protect) then chooses it."""
        self.ticks(c, now)
        e = self.ent(p, name)
        if e.delayed and e.cpu == c:
            if not self.stale:
                self.update_curr(c, now)
            e.delayed = False
            if self.avg(c) - e.v > 0:
                self.rq[c].discard(p)
                e.lag = 0.0
                self.place(p, c)
        else:
            if e.cpu >= 0:
                self.remove(p)
            self.update_curr(c, now)
            self.place(p, c)
        self.update_curr(c, now)
        return self.pick(c, True) == p


def run(path, model):
    opener = lzma.open if path.endswith('.xz') else open
    pend, agree = {}, collections.Counter()
    with opener(path, 'rt') as f:
        for ln in f:
            m = RX.match(ln)
            if not m or m.group(7) not in ('sched_switch', 'sched_wakeup'):
                continue
            c, now = int(m.group(4)), float(m.group(6)) * 1e6
            if m.group(7) == 'sched_switch':
                a = SW.search(m.group(8))
                pname, prev, state, nname, nxt = a.group(1), int(a.group(2)), a.group(3), a.group(4), int(a.group(5))
                for w, (t0, c0, k, picked) in list(pend.items()):
                    if c0 != c:
                        continue
                    del pend[w]
                    if nxt == w and not state.startswith('R'):
                        continue  # the runner went to sleep: no preemption either way
                    ran = nxt == w and now - t0 <= 5
                    agree[(k, picked == ran)] += 1
                model.switch(c, now, prev, pname, state, nxt, nname)
            else:
                a = WK.search(m.group(8))
                name, p, tgt = a.group(1), int(a.group(2)), int(a.group(3))
                picked = model.wakeup(tgt, now, p, name)
                run_ = model.curr.get(tgt, 0)
                k = kind(name)
                if k and run_ and run_ in model.ents and kind(model.ents[run_].name):
                    pend[p] = (now, tgt, k, picked)
    return agree


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        print(path.split('/')[-1])
        for label, delay, stale in (('kernel', True, True), ('fresh-lag', True, False), ('no-delay', False, True)):
            a = run(path, Eevdf(delay, stale))
            cells = []
            for k in ('writer', 'faulter'):
                n = a[(k, True)] + a[(k, False)]
                if n:
                    cells.append('%s wake-ups: %d of %d agree (%.0f %%)' % (k, a[(k, True)], n, 100.0 * a[(k, True)] / n))
            print('  %-10s %s' % (label, '; '.join(cells)))


if __name__ == '__main__':
    main()
