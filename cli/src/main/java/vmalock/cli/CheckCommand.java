package vmalock.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.event.Event;
import vmalock.lock.TraceChecker;
import vmalock.store.EventReader;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/** {@code vmalock check -w DIR [--json] [--source N,…]}: the lock invariants over a workspace's events. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check the mmap_lock invariants over the stored events: every acquire follows a "
                + "start_locking with the same write flag (a downgrade is acq(write=false) while holding write), every "
                + "release matches the task's hold, readers and a writer never overlap, at most one writer per mm.",
            "Tolerated and labelled, not violations: an overlap whose earlier holder's next event is its release "
                + "(kernels before ≈Sep 2021 traced mmap_lock_released after up_*, so two writers can appear to "
                + "overlap), and releases of locks taken before the trace or a lost-events gap began. "
                + "Exit code 8 when violations are found."})
public final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Option(names = "--source", split = ",", paramLabel = "N",
            description = "only these sources (indexes as printed by ingest); default all")
    List<Integer> sources;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Workspace ws = Workspace.open(workspace)) {
            List<Manifest.Source> srcs = sources == null ? ws.manifest().sources : ws.sources(sources);
            TraceChecker checker = new TraceChecker();
            try (EventReader r = ws.reader(srcs)) {
                Event e = new Event();
                while (r.next(e)) checker.accept(e);
            }
            checker.finish();
            CheckReportWriter w = new CheckReportWriter(out);
            if (json) w.json(srcs, checker);
            else w.text(srcs, checker);
            out.flush();
            return checker.violationCount() == 0 ? ExitCode.OK : ExitCode.VIOLATIONS;
        } catch (StoreException e) {
            err.println("vmalock: " + e.getMessage());
            err.flush();
            return ExitCode.WORKSPACE;
        }
    }
}
