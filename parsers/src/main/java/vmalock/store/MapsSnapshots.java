package vmalock.store;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code /proc/PID/maps} snapshots a capture stores in its workspace ({@value #FILE}), for the
 * replay engine's address-space model.
 *
 * <h2>Format (text, UTF-8, version 1)</h2>
 * <pre>
 * # vmalock maps snapshots v1 clock=mono
 * &#64;snapshot seq=0 ts=1234567890123 read_ns=41200 pid=4242 tgid=4242 reason=exec comm=overlapping exe=/tmp/wl/overlapping vmas=23
 * 55d4c0a00000-55d4c0a01000 r--p 00000000 fd:01 1234                       /tmp/wl/overlapping
 * …  (the maps lines verbatim, as the kernel printed them)
 * &#64;end
 * </pre>
 * <ul>
 *   <li>The first line names the trace clock of {@code ts}. {@code ts} is in that clock's unit (ns), on
 *       the same time axis as the captured events: a capture uses {@code trace_clock=mono}, which is
 *       CLOCK_MONOTONIC, and stamps each snapshot with the monotonic time at which reading it finished;
 *       {@code read_ns} is how long the read took (the kernel prints maps in chunks, dropping its lock
 *       between them, so a snapshot is the state during {@code [ts - read_ns, ts]}, not of one instant).</li>
 *   <li>{@code reason}: {@code start} (a process present when the capture began, or the traced command
 *       right after its first exec), {@code exec} (after a {@code sched_process_exec} of that pid),
 *       {@code first-seen} (whole-machine capture: the first event of a process), {@code poll} (periodic
 *       re-read that found the maps changed), {@code exit} (the last maps read before the process
 *       exited — the kernel frees the mm before {@code sched_process_exit} fires, so this is the newest
 *       poll, at most one poll interval old; {@code exit_ts} is the exit event's time).</li>
 *   <li>{@code comm} has spaces replaced by {@code _}; {@code exe} is the {@code /proc/PID/exe} link
 *       target, or {@code ?} when unreadable. Keys may be added in later versions: readers ignore
 *       unknown {@code key=value} pairs.</li>
 * </ul>
 */
public final class MapsSnapshots {
    public static final String FILE = "maps-snapshots.txt";
    static final String MAGIC = "# vmalock maps snapshots v1";

    /** One VMA line of /proc/PID/maps. {@code prot} uses PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4. */
    public record Vma(long start, long end, int prot, boolean shared, long offset, String dev, long inode, String path) {
        /** Anonymous memory: no file behind it (no path, or a bracketed pseudo-path like [heap], [stack], [anon:x]). */
        public boolean anon() {
            return inode == 0 && (path.isEmpty() || path.startsWith("["));
        }
    }

    /** One snapshot; {@code exitTs} is -1 unless {@code reason} is {@code exit}. */
    public record Snapshot(int seq, long ts, long readNs, int pid, int tgid, String reason, String comm, String exe,
                           long exitTs, List<String> lines) {
        public List<Vma> vmas() {
            List<Vma> out = new ArrayList<>(lines.size());
            for (String l : lines) {
                out.add(parseVma(l));
            }
            return out;
        }
    }

    private MapsSnapshots() {
    }

    /** Parses one maps line ({@code start-end perms offset dev inode [path]}). */
    public static Vma parseVma(String line) {
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 5) {
            throw new IllegalArgumentException("not a /proc/PID/maps line: " + line);
        }
        int dash = f[0].indexOf('-');
        long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
        long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
        String perms = f[1];
        int prot = (perms.charAt(0) == 'r' ? 1 : 0) | (perms.charAt(1) == 'w' ? 2 : 0) | (perms.charAt(2) == 'x' ? 4 : 0);
        boolean shared = perms.charAt(3) == 's';
        long offset = Long.parseUnsignedLong(f[2], 16);
        long inode = Long.parseLong(f[4]);
        String path = f.length > 5 ? f[5] : "";
        return new Vma(start, end, prot, shared, offset, f[3], inode, path);
    }

    /** Reads the workspace's snapshots in file order; an empty list when the file does not exist. */
    public static List<Snapshot> read(Path workspaceDir) {
        Path file = workspaceDir.resolve(FILE);
        List<Snapshot> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            if (first == null || !first.startsWith(MAGIC)) {
                throw new StoreException(file + ": line 1: not a vmalock maps snapshot file");
            }
            String l;
            long lineNo = 1;
            String header = null;
            long headerLine = 0;
            List<String> lines = null;
            while ((l = r.readLine()) != null) {
                lineNo++;
                if (l.startsWith("@snapshot ")) {
                    if (header != null) {
                        throw new StoreException(file + ": line " + lineNo + ": @snapshot before @end of the one at line " + headerLine);
                    }
                    header = l;
                    headerLine = lineNo;
                    lines = new ArrayList<>();
                } else if (l.equals("@end")) {
                    if (header == null) {
                        throw new StoreException(file + ": line " + lineNo + ": @end without @snapshot");
                    }
                    out.add(snapshot(file, headerLine, header, lines));
                    header = null;
                } else if (header != null) {
                    lines.add(l);
                } else if (!l.isEmpty() && !l.startsWith("#")) {
                    throw new StoreException(file + ": line " + lineNo + ": text outside a snapshot");
                }
            }
            if (header != null) {
                throw new StoreException(file + ": line " + headerLine + ": snapshot without @end (truncated file)");
            }
        } catch (NoSuchFileException e) {
            return Collections.emptyList();
        } catch (IOException e) {
            throw new StoreException(file + ": cannot read: " + Workspace.reason(e), e);
        }
        return out;
    }

    private static Snapshot snapshot(Path file, long lineNo, String header, List<String> lines) {
        int seq = -1;
        int pid = -1;
        int tgid = -1;
        long ts = -1;
        long readNs = 0;
        long exitTs = -1;
        String reason = null;
        String comm = "";
        String exe = "?";
        for (String kv : header.substring("@snapshot ".length()).split(" ")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            try {
                switch (k) {
                    case "seq": seq = Integer.parseInt(v); break;
                    case "ts": ts = Long.parseLong(v); break;
                    case "read_ns": readNs = Long.parseLong(v); break;
                    case "pid": pid = Integer.parseInt(v); break;
                    case "tgid": tgid = Integer.parseInt(v); break;
                    case "exit_ts": exitTs = Long.parseLong(v); break;
                    case "reason": reason = v; break;
                    case "comm": comm = v; break;
                    case "exe": exe = v; break;
                    default: break; // later versions may add keys
                }
            } catch (NumberFormatException e) {
                throw new StoreException(file + ": line " + lineNo + ": bad number in " + kv);
            }
        }
        if (pid < 0 || ts < 0 || reason == null) {
            throw new StoreException(file + ": line " + lineNo + ": @snapshot needs pid=, ts= and reason=");
        }
        return new Snapshot(seq, ts, readNs, pid, tgid, reason, comm, exe, exitTs, List.copyOf(lines));
    }

    /** Appends snapshots to a new file; each is written whole (header, lines, {@code @end}) and flushed. */
    public static final class Writer implements AutoCloseable {
        private final BufferedWriter w;
        private int seq;

        public Writer(Path workspaceDir, String clock) throws IOException {
            w = Files.newBufferedWriter(workspaceDir.resolve(FILE), StandardCharsets.UTF_8);
            w.write(MAGIC + " clock=" + clock + "\n");
            w.flush();
        }

        /** Writes one snapshot; returns its seq. {@code maps} is the raw /proc/PID/maps text. */
        public synchronized int write(long ts, long readNs, int pid, int tgid, String reason, String comm, String exe,
                                      long exitTs, String maps) throws IOException {
            int s = seq++;
            int n = 0;
            for (int i = 0; i < maps.length(); i++) {
                if (maps.charAt(i) == '\n') n++;
            }
            if (!maps.isEmpty() && !maps.endsWith("\n")) n++;
            StringBuilder h = new StringBuilder(160).append("@snapshot seq=").append(s).append(" ts=").append(ts)
                    .append(" read_ns=").append(readNs).append(" pid=").append(pid).append(" tgid=").append(tgid).append(" reason=").append(reason);
            if (exitTs >= 0) h.append(" exit_ts=").append(exitTs);
            h.append(" comm=").append(token(comm)).append(" exe=").append(token(exe)).append(" vmas=").append(n).append('\n');
            w.write(h.toString());
            w.write(maps);
            if (!maps.isEmpty() && !maps.endsWith("\n")) w.write('\n');
            w.write("@end\n");
            w.flush();
            return s;
        }

        private static String token(String s) {
            if (s == null || s.isEmpty()) return "?";
            return s.replace(' ', '_').replace('\n', '_');
        }

        @Override
        public synchronized void close() throws IOException {
            w.close();
        }
    }
}
