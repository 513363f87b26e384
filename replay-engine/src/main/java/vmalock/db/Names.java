package vmalock.db;

import java.util.Locale;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.Syscall;

/** The lower-case names stored in text columns. */
final class Names {
    private static final String[] KINDS = new String[EventKind.values().length];
    private static final String[] SYSCALLS = new String[Syscall.values().length];

    static {
        for (EventKind k : EventKind.values()) {
            KINDS[k.ordinal()] = k.name().toLowerCase(Locale.ROOT);
        }
        for (Syscall c : Syscall.values()) {
            SYSCALLS[c.ordinal()] = c.kernelName();
        }
    }

    private Names() {
    }

    static String kind(EventKind k) {
        return KINDS[k.ordinal()];
    }

    /** The syscall's kernel name ({@code mmap}), from the enum or else from the event name {@code sys_enter_foo}. */
    static String syscall(Event e) {
        if (e.syscall != null && e.syscall != Syscall.OTHER) {
            return SYSCALLS[e.syscall.ordinal()];
        }
        String n = e.name;
        if (n == null) {
            return null;
        }
        if (n.startsWith("sys_enter_")) {
            return n.substring(10);
        }
        if (n.startsWith("sys_exit_")) {
            return n.substring(9);
        }
        return n;
    }
}
