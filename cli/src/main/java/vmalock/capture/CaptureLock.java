package vmalock.capture;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One capture at a time per machine: an exclusive lock (fcntl, via {@link FileChannel#tryLock()}) on {@code /run/lock/vmalock-capture.lock}
 * (held until the process ends, released by the kernel even on SIGKILL), plus a look at tracefs for
 * {@code instances/vmalock-PID} left by a capture that was killed before it could clean up: a live
 * owner means busy; a dead one's instance (and probe definitions) are removed.
 */
public final class CaptureLock implements AutoCloseable {
    static final Path DEFAULT = Files.isDirectory(Paths.get("/run/lock")) ? Paths.get("/run/lock/vmalock-capture.lock")
            : Paths.get(System.getProperty("java.io.tmpdir"), "vmalock-capture.lock");

    private final FileChannel ch;
    private final FileLock lock;

    private CaptureLock(FileChannel ch, FileLock lock) {
        this.ch = ch;
        this.lock = lock;
    }

    /**
     * Takes the lock, then cleans what a killed capture left in tracefs.
     *
     * @param notes receives one line per stale instance removed
     */
    public static CaptureLock acquire(Path lockFile, Tracefs fs, List<String> notes) throws CaptureException {
        FileChannel ch;
        FileLock lock;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "cannot open the capture lock " + lockFile
                    + ": " + Tracefs.reason(e));
        }
        try {
            lock = ch.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String owner = "";
            try {
                owner = new String(Files.readAllBytes(lockFile), StandardCharsets.US_ASCII).trim();
            } catch (IOException ignored) {
                // owner unknown
            }
            closeQuietly(ch);
            throw new CaptureException(CaptureException.Kind.BUSY, "another vmalock capture is running"
                    + (owner.isEmpty() ? "" : " (pid " + owner + ")") + "; wait for it to finish (only one capture at a time)");
        }
        try {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException ignored) {
            // the pid in the file is only informative
        }
        CaptureLock l = new CaptureLock(ch, lock);
        try {
            cleanStale(fs, notes);
        } catch (CaptureException e) {
            l.close();
            throw e;
        }
        return l;
    }

    /** Removes {@code instances/vmalock-PID} of dead PIDs and this tool's leftover probe definitions. */
    static void cleanStale(Tracefs fs, List<String> notes) throws CaptureException {
        List<String> live = new ArrayList<>();
        for (String n : fs.list("instances")) {
            if (!n.startsWith(CaptureInstance.PREFIX)) continue;
            long pid;
            try {
                pid = Long.parseLong(n.substring(CaptureInstance.PREFIX.length()));
            } catch (NumberFormatException e) {
                continue; // not ours
            }
            if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isPresent()) {
                live.add(n);
                continue;
            }
            fs.write("instances/" + n + "/tracing_on", "0");
            try {
                Files.delete(fs.path("instances/" + n));
            } catch (IOException e) {
                throw fs.error("cannot remove the stale tracefs instance", "instances/" + n, e);
            }
            notes.add("removed tracefs instance " + n + " left by a capture that was killed (pid " + pid + " is gone)");
        }
        if (!live.isEmpty()) {
            throw new CaptureException(CaptureException.Kind.BUSY, "another vmalock capture is running (tracefs instance "
                    + String.join(", ", live) + "); wait for it to finish (only one capture at a time)");
        }
        if (fs.exists("uprobe_events")) {
            for (String l : fs.read("uprobe_events").split("\n")) {
                // "p:vmalock_PID/open64 /lib/…/libc.so.6:0x… path=…": only the groups of captures that are gone
                int slash = l.indexOf('/');
                int sp = l.indexOf(' ');
                if (l.length() < 2 || l.charAt(1) != ':' || slash < 0 || sp < slash) continue;
                String group = l.substring(2, slash);
                if (!group.startsWith(CaptureSession.UPROBE_GROUP_PREFIX)) continue;
                long pid;
                try {
                    pid = Long.parseLong(group.substring(CaptureSession.UPROBE_GROUP_PREFIX.length()));
                } catch (NumberFormatException e) {
                    continue; // not ours
                }
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isPresent()) continue;
                fs.append("uprobe_events", "-:" + l.substring(2, sp));
                notes.add("removed probe " + l.substring(2, sp) + " left by a capture that was killed");
            }
        }
        if (fs.exists("kprobe_events")) {
            for (String l : fs.read("kprobe_events").split("\n")) {
                // "p:vmalock/lock_vma_under_rcu lock_vma_under_rcu …"
                int slash = l.indexOf('/');
                int sp = l.indexOf(' ');
                if (l.length() > 2 && l.charAt(1) == ':' && slash > 0 && sp > slash
                        && l.substring(2, slash).equals(EventPlan.PROBE_GROUP)) {
                    fs.append("kprobe_events", "-:" + l.substring(2, sp));
                    notes.add("removed probe " + l.substring(2, sp) + " left by a capture that was killed");
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the kernel drops it with the process
        }
        closeQuietly(ch);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
