package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import vmalock.replay.ReplayRunner;

/** The text summary {@code vmalock replay} prints per run (µs). */
final class ReplaySummaryWriter {
    private final PrintWriter out;

    ReplaySummaryWriter(PrintWriter out) {
        this.out = out;
    }

    void run(ReplayRunner.Run run, JsonNode s, Path workspace) {
        JsonNode j = run.json;
        JsonNode c = j.get("counters");
        JsonNode vl = j.get("vma_lock");
        out.printf(Locale.ROOT, "run %s  policy %s — %s%n", run.id, j.get("policy").asText(), j.get("kernel").asText());
        out.printf(Locale.ROOT, "  faults %d: per-VMA lock %d, mmap_lock %d, failed %d; fallback rate %.2f %% (rule 2 on the replayed events)%n",
                c.get("faults").asLong(), c.get("faults_vma").asLong(), c.get("faults_mmap").asLong(),
                c.get("faults_failed").asLong(), 100 * s.get("fallback_rate_strict").asDouble());
        out.printf(Locale.ROOT, "  vma_lock success %d abort %d miss %d retry %d; lock_vma_under_rcu_wait retries %d%n",
                vl.get("success").asLong(), vl.get("abort").asLong(), vl.get("miss").asLong(), vl.get("retry").asLong(),
                j.get("retries").asLong());
        out.printf(Locale.ROOT, "  writer wait p50/p99/max %s/%s/%s µs; reader wait p99 %s µs; mmap write hold p99 %s µs%n",
                num(s.get("writer_wait_us").get("p50")), num(s.get("writer_wait_us").get("p99")),
                num(s.get("writer_wait_us").get("max")), num(s.get("reader_wait_us").get("p99")),
                num(s.get("write_hold_us").get("p99")));
        out.printf(Locale.ROOT, "  remote reads %d (per-VMA fast path %d); other readers %d (skipped %d); write sections %d (VMAs write-locked %d)%n",
                c.get("remote_reads").asLong(), c.get("remote_reads_fast_path").asLong(), c.get("other_reads").asLong(),
                c.get("other_reads_skipped").asLong(), c.get("write_sections").asLong(), c.get("vmas_write_locked").asLong());
        JsonNode as = j.get("address_space");
        long rk = as.get("syscall_ranges_in_known_vmas").asLong();
        long ri = as.get("syscall_ranges_in_inferred_vmas").asLong();
        out.printf(Locale.ROOT, "  address space: %.1f %% of faults and %s of munmap/mprotect/madvise ranges in known VMAs "
                + "(the rest inferred); %d address spaces, %d from maps snapshots%n", 100 * as.get("known_fraction").asDouble(),
                rk + ri == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100.0 * rk / (rk + ri)),
                as.get("address_spaces").asLong(), as.get("address_spaces_from_maps_snapshots").asLong());
        out.printf(Locale.ROOT, "  defects %d, invariant violations %d; makespan %d µs%n", j.get("defect_count").asLong(),
                j.get("violations").asLong(), j.get("makespan_us").asLong());
        for (JsonNode d : j.get("defects")) {
            out.printf(Locale.ROOT, "  defect at %s %s-%d: %s%n", d.get("time").asText(), d.get("comm").asText(),
                    d.get("tid").asInt(), d.get("detail").asText());
            break;
        }
        out.printf(Locale.ROOT, "  stored in %s (vmalock stats -w %s --run %s)%n", run.dir, workspace, run.id);
    }

    void assumptions(List<String> a) {
        if (a == null) return;
        out.println("modelling assumptions:");
        for (String s : a) out.println("  - " + s);
    }

    static String num(JsonNode n) {
        if (n == null || n.isNull()) return "-";
        double d = n.asDouble();
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
    }
}
