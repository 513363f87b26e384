package vmalock.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress display on stderr for long ingests, shown only when the terminal is
 * interactive ({@code System.console() != null}); otherwise every method does nothing, so scripts
 * and pipes see no progress noise.
 */
final class Progress {
    private static final long PERIOD_MS = 500;
    private final PrintWriter err;
    private final String label;
    private final boolean enabled;
    private Thread thread;
    private volatile boolean shown;

    private Progress(PrintWriter err, String label, boolean enabled) {
        this.err = err;
        this.label = label;
        this.enabled = enabled;
    }

    static Progress forTerminal(PrintWriter err, String label) {
        return new Progress(err, label, System.console() != null && System.getenv("VMALOCK_NO_PROGRESS") == null);
    }

    void start(LongSupplier lines) {
        if (!enabled || thread != null) {
            return;
        }
        long t0 = System.nanoTime();
        thread = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(PERIOD_MS);
                    double s = (System.nanoTime() - t0) / 1e9;
                    long n = lines.getAsLong();
                    synchronized (err) {
                        err.print(String.format(Locale.ROOT, "\r%s: %,d lines (%.0f k lines/s)   ", label, n, n / s / 1000));
                        err.flush();
                        shown = true;
                    }
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }, "vmalock-progress");
        thread.setDaemon(true);
        thread.start();
    }

    /** Erases the progress line (before printing something else). */
    void clear() {
        if (shown) {
            synchronized (err) {
                err.print("\r\033[K");
                err.flush();
                shown = false;
            }
        }
    }

    void stop() {
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        clear();
    }
}
