package vmalock.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.stats.StatsJson;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/** {@code vmalock sources -w DIR [--json]}: the ingested sources of a workspace. */
@Command(name = "sources", mixinStandardHelpOptions = true,
        description = {"List the sources ingested into a workspace: id (what --source and `vmalock remove --source` "
                + "take), format, clock, events, size and checksum (the pair that identifies a capture, so the same "
                + "file is not ingested twice) and the path it was read from.",
            "`vmalock remove -w DIR --source ID` takes one out again."})
public final class SourcesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--json", description = "print the sources as a JSON array")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Workspace ws = Workspace.open(workspace)) {
            if (json) {
                ArrayNode a = StatsJson.JSON.createArrayNode();
                for (Manifest.Source s : ws.manifest().sources) {
                    ObjectNode o = a.addObject();
                    o.put("id", s.index);
                    o.put("path", s.path);
                    o.put("format", s.format);
                    o.put("clock", s.clock);
                    o.put("events", s.events);
                    o.put("lines", s.linesTotal);
                    o.put("problems", s.problems);
                    o.put("lost_events", s.lostEvents);
                    o.put("size_bytes", s.size);
                    o.put("checksum", s.checksum);
                }
                out.println(StatsJson.JSON.writeValueAsString(a));
            } else if (ws.manifest().sources.isEmpty()) {
                out.println("no sources in " + ws.dir() + " (add one with `vmalock ingest FILE -w " + ws.dir() + "`)");
            } else {
                out.println(String.format(Locale.ROOT, "%-3s %-9s %-8s %12s %12s %-24s %s", "id", "format", "clock",
                        "events", "size", "checksum", "path"));
                for (Manifest.Source s : ws.manifest().sources) {
                    out.println(String.format(Locale.ROOT, "%-3d %-9s %-8s %,12d %12s %-24s %s", s.index, s.format,
                            s.clock, s.events, size(s.size), s.checksum, s.path));
                }
            }
            out.flush();
            return ExitCode.OK;
        } catch (StoreException e) {
            return Failure.report(err, e.getMessage(), ExitCode.WORKSPACE);
        }
    }

    /** 1,234 B / 12.3 KiB / 4.5 MiB / 1.1 GiB. */
    static String size(long b) {
        if (b < 1024) return String.format(Locale.ROOT, "%,d B", b);
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
    }
}
