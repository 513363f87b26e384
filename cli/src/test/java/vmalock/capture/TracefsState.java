package vmalock.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The tracefs settings a capture could change, as one comparable text: the top-level control files
 * (tracing_on, clock, buffer size, pid filters, enabled events, options, current tracer, kprobe
 * definitions) and the list of instances. Equal texts before and after = tracefs put back byte for byte.
 */
final class TracefsState {
    static final String[] FILES = {"tracing_on", "trace_clock", "buffer_size_kb", "buffer_percent", "current_tracer",
        "set_event", "set_event_pid", "set_event_notrace_pid", "trace_options", "tracing_cpumask", "saved_cmdlines_size",
        "kprobe_events", "uprobe_events", "dynamic_events", "events/enable"};

    private TracefsState() {
    }

    static String of(Path root) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : FILES) {
            Path p = root.resolve(f);
            if (!Files.exists(p)) continue;
            sb.append("== ").append(f).append('\n');
            try {
                sb.append(new String(Files.readAllBytes(p)));
            } catch (IOException e) {
                sb.append("<unreadable: ").append(e.getClass().getSimpleName()).append(">\n");
            }
        }
        try (Stream<Path> s = Files.list(root.resolve("options"))) {
            for (Path p : s.sorted().toList()) {
                sb.append("== options/").append(p.getFileName()).append(' ').append(new String(Files.readAllBytes(p)));
            }
        }
        sb.append("== instances\n");
        try (Stream<Path> s = Files.list(root.resolve("instances"))) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(n -> sb.append(n).append('\n'));
        }
        return sb.toString();
    }
}
