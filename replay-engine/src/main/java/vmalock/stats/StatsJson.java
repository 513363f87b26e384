package vmalock.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import vmalock.store.Manifest;

/**
 * The JSON mapper of the figures' documents ({@code stats --json}, {@code run.json}, {@code compare --json}: indented
 * output), and the builders of the {@code stats} document under their former names: they are {@link StatsDocument}'s,
 * which creates no mapper (this class's initialisation builds one: ~75 ms of a short command's CPU; issue 13,
 * start-up).
 */
public final class StatsJson {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final int TOP_COMMS = StatsDocument.TOP_COMMS;
    /** per_mm lists each mm's 8 busiest comms, as the truth files do. */
    public static final int TOP_COMMS_PER_MM = StatsDocument.TOP_COMMS_PER_MM;

    private StatsJson() {
    }

    /** {@link StatsDocument#kernel}. */
    public static void kernel(ObjectNode o, List<Manifest.Source> src) {
        StatsDocument.kernel(o, src);
    }

    /** {@link StatsDocument#build}. */
    public static ObjectNode build(WorkspaceStats ws) {
        return StatsDocument.build(ws);
    }

    /** {@link StatsDocument#warnings(ObservedStats, Long, Long, long)}. */
    public static List<String> warnings(ObservedStats s, Long inBuffer, Long written, long problems) {
        return StatsDocument.warnings(s, inBuffer, written, problems);
    }

    /** {@link StatsDocument#warnings(long, long, long, Long, Long, long)}. */
    public static List<String> warnings(long lostEvents, long lostEventMarkers, long lostEventMarkersWithoutCount,
                                        Long inBuffer, Long written, long problems) {
        return StatsDocument.warnings(lostEvents, lostEventMarkers, lostEventMarkersWithoutCount, inBuffer, written, problems);
    }

    /** {@link StatsDocument#putRate}. */
    public static void putRate(ObjectNode o, long makespan, long faults, boolean ticks) {
        StatsDocument.putRate(o, makespan, faults, ticks);
    }

    /** {@link StatsDocument#replayFigures}. */
    public static void replayFigures(ObjectNode o, java.util.function.Function<String, Double> figure) {
        StatsDocument.replayFigures(o, figure);
    }

    /** {@link StatsDocument#topComms}. */
    public static List<Map.Entry<String, ObservedStats.CommStats>> topComms(ObservedStats s, int n) {
        return StatsDocument.topComms(s, n);
    }

    /** {@link StatsDocument#mmKey}. */
    public static String mmKey(long mm, boolean bare) {
        return StatsDocument.mmKey(mm, bare);
    }

    /** {@link StatsDocument#rate}. */
    public static double rate(long num, long den) {
        return StatsDocument.rate(num, den);
    }

    /** {@link StatsDocument#formatTs}. */
    public static String formatTs(long ts, boolean ticks) {
        return StatsDocument.formatTs(ts, ticks);
    }
}
