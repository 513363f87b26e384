package vmalock.db;

/**
 * One input file of a run, as the workspace manifest describes it (the {@code sources} table).
 * Nullable fields are {@code null} when the format does not say.
 */
public record SourceRow(int source, String path, String name, long size, String sha256, String format,
                        String clock, String timeUnit, boolean hashedPointers, long linesTotal, long events, long nonEventLines,
                        long headerLines, long blankLines, long otherLines, long problems, long lostEvents,
                        long lostEventMarkers, long lostEventMarkersWithoutCount, Long headerEntriesInBuffer,
                        Long headerEntriesWritten, Long firstTs, Long lastTs) {

    /** Entries the ring buffer overwrote, from a {@code trace} file's header (written − in buffer), else 0. */
    public long headerOverwritten() {
        if (headerEntriesInBuffer == null || headerEntriesWritten == null) {
            return 0;
        }
        return Math.max(0, headerEntriesWritten - headerEntriesInBuffer);
    }
}
