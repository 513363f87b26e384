package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.stats.StatsJson;
import vmalock.store.StoreException;
import vmalock.validate.CounterfactualCheck;

/**
 * {@code vmalock validate}: how far the what-if answers hold on this machine — captures cf.c with
 * user-mode and kernel-mode faults (a real counterfactual: x86 handles the latter under mmap_lock),
 * replays the user-mode runs under faults-on-mmap-lock and prints predicted against real.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check the what-if replay against what this kernel really does: capture cf.c (the bundled "
                + "workload) with user-mode faults (the per-VMA lock) and with kernel-mode faults (pread into "
                + "not-yet-present pages: every fault on mmap_lock on x86), interleaved, --runs times each; replay the "
                + "user-mode runs under faults-on-mmap-lock and compare with the kernel-mode runs (medians): wait "
                + "rates (µs per second of run), wait p99, VMA-syscall latency p99 and the throughput ratio, with a "
                + "verdict per figure. Needs root and tracefs; --captures DIR checks existing captures instead "
                + "(NAME-u1.txt[.xz], NAME-k1…, each with NAME-u1.workload.log).",
            "Exit code 0 when every figure held (within 2× and pointing the way the real change does; throughput "
                + "ratio within 25 %%), 9 when one did not, 6 when this machine cannot trace."})
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--captures", paramLabel = "DIR", description = "check the captures in DIR instead of capturing")
    Path captures;

    @Option(names = "--keep", paramLabel = "DIR", description = "keep the captures (and their workspaces) in DIR")
    Path keep;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "runs per mode (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--layout", defaultValue = "o", paramLabel = "o|d",
            description = "o: the writer changes VMAs inside the faulters' region (default); d: its own VMAs")
    String layout;

    @Option(names = "--faulters", defaultValue = "2", paramLabel = "N", description = "faulting threads (default ${DEFAULT-VALUE})")
    int faulters;

    @Option(names = "--seconds", defaultValue = "0.3", paramLabel = "S", description = "run time per capture (default ${DEFAULT-VALUE})")
    String seconds;

    @Option(names = "--sweep", defaultValue = "16", paramLabel = "PAGES", description = "pages per sweep (default ${DEFAULT-VALUE})")
    int sweep;

    @Option(names = "--faulter-sleep", defaultValue = "300", paramLabel = "US", description = "faulter sleep per sweep, µs (default ${DEFAULT-VALUE})")
    int faulterSleep;

    @Option(names = "--writer-sleep", defaultValue = "200", paramLabel = "US", description = "writer sleep per change, µs (default ${DEFAULT-VALUE})")
    int writerSleep;

    @Option(names = "--hold", defaultValue = "32", paramLabel = "PAGES", description = "largest range the writer changes, pages (default ${DEFAULT-VALUE})")
    int hold;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FMT", description = "text (default) or json")
    String format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("text") && !format.equals("json")) return Failure.report(err, "--format: '" + format + "' is not text or json", ExitCode.USAGE);
        if (!layout.equals("o") && !layout.equals("d")) return Failure.report(err, "--layout: '" + layout + "' is not o or d", ExitCode.USAGE);
        if (runs < 1 || faulters < 1 || faulters > 64) return Failure.report(err, "--runs must be ≥ 1 and --faulters 1–64", ExitCode.USAGE);
        Path tmp = null;
        try {
            Path dir = captures;
            if (dir == null) {
                if (!"root".equals(System.getProperty("user.name"))) {
                    return Failure.report(err, "validate captures with tracefs and needs root (or --captures DIR)", ExitCode.NO_TRACING);
                }
                tmp = keep != null ? keep : Files.createTempDirectory("vmalock-validate-");
                int code = capture(tmp, err);
                if (code != 0) return code;
                dir = tmp;
            } else if (!Files.isDirectory(dir)) {
                return Failure.report(err, dir + ": not a directory", ExitCode.INPUT);
            }
            if (CounterfactualCheck.captures(dir).isEmpty()) {
                return Failure.report(err, dir + ": no NAME-uN.txt / NAME-kN.txt capture pairs", ExitCode.INPUT);
            }
            Path work = (keep != null ? keep : (tmp != null ? tmp : Files.createTempDirectory("vmalock-validate-ws-"))).resolve("ws");
            if (tmp == null && keep == null) tmp = work.getParent();
            ObjectNode r = CounterfactualCheck.check(dir, work);
            if (format.equals("json")) out.println(StatsJson.JSON.writeValueAsString(r));
            else text(out, r);
            out.flush();
            if (out.checkError()) return Failure.report(err, "cannot write output", ExitCode.WORKSPACE);
            return r.get("held").asBoolean() ? ExitCode.OK : ExitCode.NOT_HELD;
        } catch (IOException | StoreException e) {
            return Failure.report(err, e.getMessage(), ExitCode.INPUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Failure.report(err, "interrupted", ExitCode.INPUT);
        } finally {
            if (tmp != null && keep == null) delete(tmp);
        }
    }

    /** Runs the bundled bench/cf-capture.sh (a tracefs instance of its own) with this configuration. */
    private int capture(Path outDir, PrintWriter err) throws IOException, InterruptedException {
        Path root = Paths.get(System.getProperty("vmalock.root", jarRoot()));
        Path script = root.resolve("bench/cf-capture.sh");
        if (!Files.isRegularFile(script)) return Failure.report(err, script + ": the capture script is missing (run from a checkout)", ExitCode.INPUT);
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), outDir.toString(), Integer.toString(runs));
        pb.environment().put("CONFIGS", String.format(Locale.ROOT, "validate %s %d %s %d %d %d %d 0", layout, faulters, seconds,
                sweep, faulterSleep, writerSleep, hold));
        pb.environment().put("NOXZ", "1");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        int rc = pb.start().waitFor();
        if (rc != 0) return Failure.report(err, "capture failed (" + script + " exited " + rc + ")", ExitCode.NO_TRACING);
        return 0;
    }

    private static String jarRoot() {
        try {
            Path jar = Paths.get(ValidateCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().getParent().toString(); // cli/target/vmalock.jar → checkout
        } catch (Exception e) {
            return ".";
        }
    }

    private static void text(PrintWriter out, JsonNode r) {
        for (JsonNode c : r.get("configurations")) {
            out.printf(Locale.ROOT, "== %s (%d u runs, %d k runs): u replayed under faults-on-mmap-lock vs k observed (medians)%n",
                    c.get("name").asText(), c.get("u_runs").asInt(), c.get("k_runs").asInt());
            out.printf(Locale.ROOT, "%-22s %10s %10s %16s %7s %6s  %-9s %s%n", "figure", "predicted", "real", "real min..max",
                    "ratio", "cal×", "direction", "verdict");
            for (JsonNode f : c.get("figures")) {
                out.printf(Locale.ROOT, "%-22s %10.1f %10.1f %7.0f..%-8.0f %7.2f %6.2f  %-9s %s%n", f.get("figure").asText(),
                        f.get("predicted").asDouble(), f.get("real").asDouble(), f.get("real_min").asDouble(),
                        f.get("real_max").asDouble(), f.get("ratio").asDouble(), f.get("calibration_ratio").asDouble(),
                        f.get("direction").isNull() ? "-" : f.get("direction").asText(), f.get("verdict").asText());
            }
            JsonNode t = c.get("throughput_ratio_k_over_u");
            out.printf(Locale.ROOT, "throughput k/u: predicted %.3f, real %s%n", t.get("predicted").asDouble(),
                    t.get("real").isNull() ? "- (no workload logs)" : String.format(Locale.ROOT, "%.3f", t.get("real").asDouble()));
        }
        out.println(r.get("held").asBoolean() ? "held: every figure within 2× and pointing the way the real change does"
                : "did not hold: see the figures off by more than 2× or pointing the wrong way");
    }

    private static void delete(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
