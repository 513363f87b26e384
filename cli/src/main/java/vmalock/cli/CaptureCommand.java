package vmalock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import vmalock.capture.CaptureException;
import vmalock.capture.CaptureReport;
import vmalock.capture.CaptureReportJson;
import vmalock.capture.CaptureSession;
import vmalock.capture.CaptureTextWriter;

/** {@code vmalock capture}: record a real trace of a command, some pids or the whole machine into a workspace. */
@Command(name = "capture", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Record mmap_lock, page-fault, lock-contention, VMA-syscall and process events straight from tracefs into a "
                    + "new workspace, ready for stats and replay. Needs root.",
            "With a command (after --): traces it and its threads and children from its first instruction to its exit. "
                    + "With --pid: those processes until they exit. Otherwise the whole machine for --duration or until Ctrl-C.",
            "Uses a tracefs instance of its own (instances/vmalock-PID), so the top-level tracing setup is never touched; "
                    + "everything it changes is put back on exit, error, Ctrl-C and SIGTERM. One capture at a time.",
            "Stores /proc/PID/maps snapshots (start, exec, changes, exit) in DIR/maps-snapshots.txt; the summary goes "
                    + "to stderr, --json prints it on stdout."},
        footerHeading = "%nExamples:%n",
        footer = {"  vmalock capture -w /tmp/ws -- ./overlapping 4 1",
                  "  vmalock capture -w /tmp/ws --duration 5 --events +sched:sched_switch,-lock:*",
                  "  vmalock capture -w /tmp/ws --pid 1234 --buffer-kb 32768"})
public final class CaptureCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR",
            description = "New workspace directory to write (must not exist or be empty).")
    Path workspace;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds (default: at the command's exit, "
            + "when the --pid processes exit, or at Ctrl-C).")
    double duration;

    @Option(names = "--pid", paramLabel = "PID", split = ",",
            description = "Trace these running processes (their threads and future children).")
    List<Integer> pids = new ArrayList<>();

    @Option(names = "--buffer-kb", paramLabel = "N", defaultValue = "" + CaptureSession.DEFAULT_BUFFER_KB,
            description = "Ring buffer per CPU in KiB (default: ${DEFAULT-VALUE}). Raise it when events are lost.")
    int bufferKb;

    @Option(names = "--events", paramLabel = "SPEC",
            description = "Edit the default events: comma-separated +SYS:EVENT to add, -SYS:EVENT to remove, SYS:* for a "
                    + "whole subsystem, -kprobes to drop the lock_vma_under_rcu probes, -uprobes as --no-open-probes. Defaults: "
                    + "mmap_lock:*, exceptions:page_fault_user, lock:contention_begin/end, syscalls:sys_{enter,exit}_{mmap,munmap,"
                    + "mprotect,madvise,mremap,brk,pread64}, sched:sched_process_{exec,exit,fork}, sched_switch/wakeup/waking, "
                    + "exceptions:page_fault_kernel, tlb:tlb_flush (where a per-VMA-lock madvise's zap ends), kprobes and the "
                    + "open-path uprobes (when the kernel has them).")
    String events;

    @Option(names = "--no-open-probes",
            description = "Do not put uprobes on the C library's open functions (by default they record the path each "
                    + "open gets, with the open/read/close syscalls, so the replay sees the /proc/PID/maps reads that "
                    + "6.17+ kernels do without mmap_lock).")
    boolean noOpenProbes;

    @Option(names = "--clock", paramLabel = "CLOCK", defaultValue = CaptureSession.DEFAULT_CLOCK,
            description = "trace_clock of the capture (default: ${DEFAULT-VALUE} = CLOCK_MONOTONIC, which puts maps "
                    + "snapshots on the events' time axis exactly; counter/x86-tsc give ticks).")
    String clock;

    @Option(names = "--maps-interval-ms", paramLabel = "MS", defaultValue = "100",
            description = "Re-read the traced processes' maps this often and store changes; the last read is the exit "
                    + "snapshot (default: ${DEFAULT-VALUE}; 0 = only start/exec snapshots).")
    long mapsIntervalMs;

    @Option(names = "--json", description = "Print the capture summary as JSON on stdout.")
    boolean json;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "Command to run and trace (put it after --).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (duration < 0 || mapsIntervalMs < 0) {
            err.println("vmalock capture: --duration and --maps-interval-ms must not be negative");
            err.flush();
            return ExitCode.USAGE;
        }
        CaptureSession session = new CaptureSession(new CaptureSession.Options(workspace, duration, pids, bufferKb,
                noOpenProbes ? (events == null || events.isBlank() ? "-uprobes" : events + ",-uprobes") : events,
                clock, mapsIntervalMs, command, null, null));
        Signals.install(session, err);
        if (command.isEmpty() && duration == 0 && System.console() != null) {
            err.println("vmalock capture: tracing " + (pids.isEmpty() ? "the whole machine" : "pid(s) " + pids)
                    + " into " + workspace + "; Ctrl-C to stop");
            err.flush();
        }
        CaptureReport r;
        try {
            r = session.run();
        } catch (CaptureException e) {
            err.println("vmalock capture: " + e.getMessage());
            err.flush();
            return exitCode(e.kind());
        }
        CaptureTextWriter.write(r, err);
        if (json) {
            try {
                CaptureReportJson.write(r, System.out);
            } catch (IOException e) {
                err.println("vmalock capture: cannot write JSON to stdout: " + e.getMessage());
                err.flush();
                return ExitCode.INTERNAL;
            }
        }
        return r.lost() > 0 || r.problems() > 0 ? ExitCode.PROBLEMS : ExitCode.OK;
    }

    static int exitCode(CaptureException.Kind k) {
        switch (k) {
            case BUSY: return ExitCode.CAPTURE_BUSY;
            case INPUT: return ExitCode.INPUT;
            case WORKSPACE: return ExitCode.WORKSPACE;
            case ENVIRONMENT:
            case TRACEFS:
            default: return ExitCode.NO_TRACING;
        }
    }

    /** Ctrl-C / SIGTERM end the capture cleanly (the workspace is written); a second one exits at once (tracefs is still restored by the shutdown hook). */
    static final class Signals {
        private Signals() {
        }

        @SuppressWarnings("removal")
        static void install(CaptureSession session, PrintWriter err) {
            AtomicInteger count = new AtomicInteger();
            for (String name : new String[] {"INT", "TERM"}) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                        if (count.incrementAndGet() == 1) {
                            session.requestStop();
                        } else {
                            err.println("vmalock capture: interrupted again: exiting without finishing the workspace");
                            err.flush();
                            System.exit(128 + sig.getNumber());
                        }
                    });
                } catch (IllegalArgumentException | UnsupportedOperationException e) {
                    // the shutdown hook still restores tracefs on this signal
                }
            }
        }
    }
}
