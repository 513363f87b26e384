package vmalock.lock;

import vmalock.event.Event;

/**
 * Receives the tracepoint events the modelled kernel emits, as canonical {@link Event}s shaped exactly
 * like parsed ones (kind, bare tracepoint name, ts = driver time in ns, tid/tgid/comm, mm, write,
 * success, memcg_id; lock_addr/flags/ret for lock:contention_*). The instance is a per-task flyweight:
 * copy it to keep it. With the thread driver, calls come from many threads.
 */
@FunctionalInterface
public interface LockEventListener {
    LockEventListener NONE = e -> { };

    void event(Event e);
}
