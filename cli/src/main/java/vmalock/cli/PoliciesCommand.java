package vmalock.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.replay.PolicyPreset;
import vmalock.stats.StatsJson;

/** {@code vmalock policies [--json]}: the replay's named policies with their kernel version or patch. */
@Command(name = "policies", mixinStandardHelpOptions = true,
        description = {"List the locking policies the replay knows: lock design, how faults, remote access and other "
                + "readers lock, and the kernel version or patch each stands for.",
            "Compose others with 'replay --set lock=…,fault=…,remote=…,other=…,smp=…'."})
public final class PoliciesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print as JSON (the same as --format json)")
    boolean json;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "text",
            description = "text (default), json, or markdown (the table of docs/policies.md)")
    String format;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!format.equals("text") && !format.equals("json") && !format.equals("markdown")) {
            return Failure.report(spec.commandLine().getErr(), "--format: '" + format + "' is not text, json or markdown",
                    ExitCode.USAGE);
        }
        if (format.equals("markdown")) {
            out.println("| policy | kernel or patch | callers it changes | what they do | --set spelling |");
            out.println("|---|---|---|---|---|");
            for (PolicyPreset p : PolicyPreset.PRESETS.values()) {
                out.println("| `" + p.name + "` | " + p.kernel + " | " + PolicyPreset.callers(p.name) + " | " + p.description
                        + " | `" + p.spec() + "` |");
            }
        } else if (json || format.equals("json")) {
            ArrayNode arr = StatsJson.JSON.createArrayNode();
            for (PolicyPreset p : PolicyPreset.PRESETS.values()) {
                ObjectNode o = arr.addObject();
                o.put("policy", p.name);
                o.put("spec", p.spec());
                o.put("kernel", p.kernel);
                o.put("description", p.description);
                o.put("callers", PolicyPreset.callers(p.name));
                o.put("hypothetical", p.name.startsWith("hypothetical-"));
            }
            out.println(StatsJson.JSON.writeValueAsString(arr));
        } else {
            new PoliciesTextWriter(out).write(PolicyPreset.PRESETS.values());
        }
        out.flush();
        return ExitCode.OK;
    }
}
