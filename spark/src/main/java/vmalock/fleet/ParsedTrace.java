package vmalock.fleet;

import java.io.Serializable;
import java.util.List;

/**
 * What a trace's parse task produced: its observed statistics ({@code stats --json}), its manifest entry
 * (JSON), and its events as encoded blocks for the replay tasks — or the reason it failed.
 */
public final class ParsedTrace implements Serializable {
    private static final long serialVersionUID = 1L;
    public TraceInput input;
    /** null when the parse succeeded. */
    public String error;
    public String statsJson;
    public String sourceJson;
    /** Why the trace cannot be replayed (counter clock), or null. */
    public String replayNote;
    public List<byte[]> blocks;
    public long bytes;
    public long parseMs;

    /** The same trace without its events (what the output tables need). */
    ParsedTrace light() {
        ParsedTrace p = new ParsedTrace();
        p.input = input;
        p.error = error;
        p.statsJson = statsJson;
        p.sourceJson = sourceJson;
        p.replayNote = replayNote;
        p.bytes = bytes;
        p.parseMs = parseMs;
        return p;
    }
}
