package vmalock.cli;

import java.io.PrintWriter;
import java.util.Collection;
import vmalock.replay.PolicyPreset;

/** The aligned text table of {@code vmalock policies}. */
final class PoliciesTextWriter {
    private final PrintWriter out;

    PoliciesTextWriter(PrintWriter out) {
        this.out = out;
    }

    void write(Collection<PolicyPreset> presets) {
        int w = "policy".length();
        for (PolicyPreset p : presets) w = Math.max(w, p.name.length());
        String fmt = "%-" + w + "s  %s%n";
        out.printf(fmt, "policy", "kernel / patch");
        for (PolicyPreset p : presets) {
            out.printf(fmt, p.name, p.kernel);
            out.printf(fmt, "", "  " + p.spec());
            out.printf(fmt, "", "  " + p.description);
        }
    }
}
