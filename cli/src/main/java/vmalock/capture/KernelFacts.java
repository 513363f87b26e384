package vmalock.capture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * What {@code capture} records about the traced kernel: its release ({@code /proc/sys/kernel/osrelease},
 * i.e. {@code uname -r}), the config lines the replay's baseline depends on, and the per-VMA-lock vm
 * event counters of {@code /proc/vmstat}. {@code root} is {@code /} on a real machine (a directory
 * with fake files in tests).
 */
public final class KernelFacts {
    /** The config lines that matter to the replay. */
    public static final List<String> CONFIG_KEYS = List.of("CONFIG_PER_VMA_LOCK", "CONFIG_PER_VMA_LOCK_STATS");
    /** The vm events CONFIG_PER_VMA_LOCK_STATS adds to /proc/vmstat. */
    public static final List<String> VMSTAT_KEYS = List.of("vma_lock_success", "vma_lock_abort", "vma_lock_retry", "vma_lock_miss");

    private final Path root;

    public KernelFacts(Path root) {
        this.root = root;
    }

    /** {@code uname -r}, or null when unreadable. */
    public String release() {
        try {
            return Files.readString(root.resolve("proc/sys/kernel/osrelease"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * {@link #CONFIG_KEYS} from {@code /proc/config.gz} or {@code /boot/config-RELEASE}: {@code y}/{@code m}
     * as written, {@code n} for "is not set" or a key the config lacks; null when no config is readable.
     * {@code where} receives the file read.
     */
    public Map<String, String> config(String release, StringBuilder where) {
        Path gz = root.resolve("proc/config.gz");
        Path boot = release == null ? null : root.resolve("boot/config-" + release);
        try {
            if (Files.isRegularFile(gz)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                    where.append("/proc/config.gz");
                    return parseConfig(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
                }
            }
            if (boot != null && Files.isRegularFile(boot)) {
                try (BufferedReader r = Files.newBufferedReader(boot, StandardCharsets.UTF_8)) {
                    where.append("/boot/config-").append(release);
                    return parseConfig(r);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    static Map<String, String> parseConfig(BufferedReader r) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String k : CONFIG_KEYS) m.put(k, "n");
        for (String line; (line = r.readLine()) != null; ) {
            for (String k : CONFIG_KEYS) {
                if (line.startsWith(k + "=")) m.put(k, line.substring(k.length() + 1).trim());
            }
        }
        return m;
    }

    /** The {@link #VMSTAT_KEYS} counters now, or null when the kernel does not count them (no CONFIG_PER_VMA_LOCK_STATS). */
    public Map<String, Long> vmstat() {
        Map<String, Long> m = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(root.resolve("proc/vmstat"), StandardCharsets.US_ASCII)) {
            for (String line; (line = r.readLine()) != null; ) {
                int sp = line.indexOf(' ');
                if (sp > 0 && VMSTAT_KEYS.contains(line.substring(0, sp))) {
                    m.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1).trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return m.isEmpty() ? null : m;
    }
}
