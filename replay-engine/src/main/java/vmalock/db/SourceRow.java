package vmalock.db;

/**
 * One input file of a run, as the workspace manifest describes it (the {@code sources} table).
 * Nullable fields are {@code null} when the format does not say.
 */
public record SourceRow(int source, String path, String name, long size, String checksum, String format,
                        String clock, String timeUnit, boolean hashedPointers, long linesTotal, long events, long nonEventLines,
                        long headerLines, long blankLines, long otherLines, long lostMarkerLines, long problems, long lostEvents,
                        long lostEventMarkers, long lostEventMarkersWithoutCount, Long headerEntriesInBuffer,
                        Long headerEntriesWritten, Long firstTs, Long lastTs) {

    /**
     * The row of a parsed source (what {@code TraceParsers.parse} reports). Raw ftrace text prints {@code %p}
     * hashed, so its mm values are shown as 16 hex digits without 0x.
     */
    public static SourceRow of(int index, String path, long size, String checksum, vmalock.parse.SourceResult r) {
        String name = java.nio.file.Path.of(path).getFileName().toString();
        boolean counter = r.isCounterClock();
        return new SourceRow(index, path, name, size, checksum, r.format() == null ? null : r.format().cliName(),
                r.clock(), counter ? "ticks" : "ns", r.format() == vmalock.parse.TraceFormat.FTRACE, r.linesTotal(),
                r.events(), r.nonEventLines(), r.nonEventLines(vmalock.event.EventSink.NonEventKind.HEADER),
                r.nonEventLines(vmalock.event.EventSink.NonEventKind.BLANK),
                r.nonEventLines(vmalock.event.EventSink.NonEventKind.OTHER), r.lostMarkers(), r.problems(), r.lostEvents(),
                r.lostMarkers(), r.lostMarkersWithoutCount(),
                r.headerEntriesInBuffer() < 0 ? null : r.headerEntriesInBuffer(),
                r.headerEntriesWritten() < 0 ? null : r.headerEntriesWritten(),
                r.hasEvents() ? r.firstTs() : null, r.hasEvents() ? r.lastTs() : null);
    }

    /** Entries the ring buffer overwrote, from a {@code trace} file's header (written − in buffer), else 0. */
    public long headerOverwritten() {
        if (headerEntriesInBuffer == null || headerEntriesWritten == null) {
            return 0;
        }
        return Math.max(0, headerEntriesWritten - headerEntriesInBuffer);
    }

    /** The row of a workspace manifest's source. */
    public static SourceRow of(vmalock.store.Manifest.Source s) {
        return new SourceRow(s.index, s.path, s.name, s.size, s.checksum, s.format, s.clock, s.timeUnit,
                s.barePointers, s.linesTotal, s.events, s.nonEventLines, kind(s, "header"), kind(s, "blank"),
                kind(s, "other"), kind(s, "lost_marker"), s.problems, s.lostEvents, s.lostEventMarkers,
                s.lostEventMarkersWithoutCount, s.headerEntriesInBuffer, s.headerEntriesWritten, s.firstTs, s.lastTs);
    }

    private static long kind(vmalock.store.Manifest.Source s, String k) {
        Long v = s.nonEventLinesByKind.get(k);
        return v == null ? 0 : v;
    }
}
