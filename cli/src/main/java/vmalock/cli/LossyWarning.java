package vmalock.cli;

import java.io.PrintWriter;
import java.util.List;
import vmalock.store.Manifest;

/**
 * The one-line warning that {@code replay}, {@code compare} and {@code report} print on stderr when the
 * trace they use lost events (lost-events markers, or an ftrace header showing overwritten entries):
 * their figures come from an incomplete event stream.
 */
final class LossyWarning {
    private LossyWarning() {
    }

    /** The warning for these sources, or null when they lost nothing. */
    static String text(List<Manifest.Source> sources) {
        long lost = 0;
        long markers = 0;
        long withoutCount = 0;
        long overwritten = 0;
        for (Manifest.Source s : sources) {
            lost = saturatedAdd(lost, s.lostEvents);
            markers += s.lostEventMarkers;
            withoutCount += s.lostEventMarkersWithoutCount;
            if (s.headerEntriesWritten != null && s.headerEntriesInBuffer != null
                    && s.headerEntriesWritten > s.headerEntriesInBuffer) {
                overwritten = saturatedAdd(overwritten, s.headerEntriesWritten - s.headerEntriesInBuffer);
            }
        }
        if (markers == 0 && overwritten == 0) {
            return null;
        }
        StringBuilder b = new StringBuilder("warning: lossy trace: ");
        if (markers > 0) {
            b.append(String.format(java.util.Locale.ROOT, "%,d lost events in %,d markers", lost, markers));
            if (withoutCount > 0) {
                b.append(String.format(java.util.Locale.ROOT, " (%,d markers without a count)", withoutCount));
            }
        }
        if (overwritten > 0) {
            b.append(markers > 0 ? ", " : "").append(String.format(java.util.Locale.ROOT,
                    "%,d ring-buffer entries overwritten", overwritten));
        }
        b.append(": pairs across the gaps are not samples; figures cover an incomplete event stream");
        return b.toString();
    }

    /** Prints the warning (if any) as {@code vmalock CMD: warning: …}. */
    static void print(PrintWriter err, String cmd, List<Manifest.Source> sources) {
        String t = text(sources);
        if (t != null) {
            err.println("vmalock " + cmd + ": " + t);
            err.flush();
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
