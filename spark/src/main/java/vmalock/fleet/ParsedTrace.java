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
    /** The observed run's workspace tables (lock_spans, …) under run {@code TRACE_ID/observed}. */
    public WsRows ws;

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
        p.ws = ws;
        return p;
    }

    /** The same trace with its events but without its tables, for the replay tasks it is shuffled to. */
    ParsedTrace forReplay() {
        ParsedTrace p = light();
        p.ws = null;
        p.blocks = blocks;
        return p;
    }
}
