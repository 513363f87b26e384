package vmalock.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import vmalock.lock.TraceChecker;
import vmalock.store.Manifest;

/** Prints a {@link TraceChecker} result as text or JSON. */
final class CheckReportWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintWriter out;

    CheckReportWriter(PrintWriter out) {
        this.out = out;
    }

    private static String name(List<Manifest.Source> srcs, int source) {
        for (Manifest.Source s : srcs) if (s.index == source) return s.name;
        return "source " + source;
    }

    void text(List<Manifest.Source> srcs, TraceChecker c) {
        out.printf("checked %d events (%d mmap_lock) from %d source(s); %d lost-event gaps reset the state%n",
                c.events(), c.mmapEvents(), srcs.size(), c.resets());
        if (c.violations().isEmpty()) {
            out.println("violations: none");
        } else {
            out.println("violations:");
            for (Map.Entry<String, Long> v : c.violations().entrySet()) out.printf("  %-32s %d%n", v.getKey(), v.getValue());
            for (TraceChecker.Item it : c.examples()) {
                out.printf("    %s:%d ts=%d tid=%d mm=0x%x %s: %s%n", name(srcs, it.source()), it.line(), it.ts(), it.tid(),
                        it.mm(), it.what(), it.detail());
            }
        }
        if (!c.tolerated().isEmpty()) {
            out.println("tolerated:");
            for (Map.Entry<String, Long> v : c.tolerated().entrySet()) out.printf("  %-32s %d%n", v.getKey(), v.getValue());
        }
        if (!c.unverifiable().isEmpty()) {
            out.println("unverifiable (lost events can explain them; not violations):");
            for (Map.Entry<String, Long> v : c.unverifiable().entrySet()) out.printf("  %-32s %d%n", v.getKey(), v.getValue());
        }
    }

    void json(List<Manifest.Source> srcs, TraceChecker c) {
        ObjectNode root = JSON.createObjectNode();
        root.put("events", c.events());
        root.put("mmap_lock_events", c.mmapEvents());
        root.put("sources", srcs.size());
        root.put("lost_event_resets", c.resets());
        ObjectNode v = root.putObject("violations");
        c.violations().forEach(v::put);
        ObjectNode t = root.putObject("tolerated");
        c.tolerated().forEach(t::put);
        ObjectNode u = root.putObject("unverifiable");
        c.unverifiable().forEach(u::put);
        ArrayNode ex = root.putArray("examples");
        for (TraceChecker.Item it : c.examples()) {
            ObjectNode o = ex.addObject();
            o.put("invariant", it.what());
            o.put("source", name(srcs, it.source()));
            o.put("line", it.line());
            o.put("ts", it.ts());
            o.put("tid", it.tid());
            o.put("mm", "0x" + Long.toHexString(it.mm()));
            o.put("detail", it.detail());
        }
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
