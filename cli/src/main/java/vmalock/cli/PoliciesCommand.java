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

    @Option(names = "--json", description = "print as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode arr = StatsJson.JSON.createArrayNode();
            for (PolicyPreset p : PolicyPreset.PRESETS.values()) {
                ObjectNode o = arr.addObject();
                o.put("policy", p.name);
                o.put("spec", p.spec());
                o.put("kernel", p.kernel);
                o.put("description", p.description);
            }
            out.println(StatsJson.JSON.writeValueAsString(arr));
        } else {
            new PoliciesTextWriter(out).write(PolicyPreset.PRESETS.values());
        }
        out.flush();
        return ExitCode.OK;
    }
}
