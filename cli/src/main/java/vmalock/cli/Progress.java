package vmalock.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for steps that can take more than a second (ingest, the first load of the
 * workspace database and of the lazy {@code events} table, each replay of {@code compare}/{@code replay},
 * {@code report --html}): percent, rate and time left when the total is known, drawn by the progressbar
 * library (me.tongfei:progressbar).
 *
 * <p>Shown only when <em>stderr itself</em> is a terminal (isatty(2), asked through JLine's JNI provider;
 * {@code System.console()} tells about stdin and stdout instead), so {@code 2> log} gets no escape codes and
 * {@code > out} still shows progress. {@code VMALOCK_NO_PROGRESS} (any value) turns it off. A bar appears only
 * after the step has run for {@value #DELAY_MS} ms, and is erased when the step ends.
 */
final class Progress implements AutoCloseable {
    static final long DELAY_MS = 1000;
    /** {@link #DELAY_MS}; tests shorten it. */
    static volatile long delayMs = DELAY_MS;
    private static final long PERIOD_MS = 250;
    /** Whether stderr is a terminal; tests replace it. */
    static volatile BooleanSupplier stderrIsTerminal = Progress::isatty2;
    /** Where bars are drawn (null: System.err); tests replace it. */
    static volatile PrintStream target;
    /** Bars still running: stopped when the command ends, whatever path it took ({@link #stopAll}). */
    private static final Set<Progress> ACTIVE = ConcurrentHashMap.newKeySet();
    private static volatile Boolean tty;

    private final String label;
    private final boolean enabled;
    private Thread thread;
    private volatile ProgressBar bar;
    private volatile long steps;
    private volatile String stepName;
    private boolean stepping;

    private Progress(String label, boolean enabled) {
        this.label = label;
        this.enabled = enabled;
    }

    /** A bar for {@code label}, or one that does nothing when stderr is not a terminal. */
    static Progress forTerminal(PrintWriter err, String label) {
        // one bar at a time: a step inside another (a table load inside a report) leaves the outer bar alone
        return new Progress(label, System.getenv("VMALOCK_NO_PROGRESS") == null && ACTIVE.isEmpty()
                && stderrIsTerminal.getAsBoolean());
    }

    /** Counts {@code done} lines with no known total (rate and elapsed time only). */
    void start(LongSupplier done) {
        start(done, -1, "lines");
    }

    /**
     * Follows {@code done} (polled from a background thread) towards {@code total} ({@code -1}: unknown, no
     * percent or time left), counted in {@code unit} ("B" shows bytes as MB).
     */
    void start(LongSupplier done, long total, String unit) {
        if (!enabled || thread != null) {
            return;
        }
        ACTIVE.add(this);
        long t0 = System.nanoTime();
        thread = new Thread(() -> {
            try {
                Thread.sleep(delayMs);
                boolean bytes = "B".equals(unit);
                ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(label).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis((int) PERIOD_MS)
                        .setConsumer(new ConsoleProgressBarConsumer(out(), width() - 1))
                        .startsFrom(0, java.time.Duration.ofNanos(System.nanoTime() - t0))
                        .clearDisplayOnFinish().showSpeed();
                if (bytes) {
                    b.setUnit(" MB", 1_000_000);
                } else if (unit != null) {
                    b.setUnit(" " + unit, 1);
                }
                bar = b.build();
                while (true) {
                    long n = done.getAsLong();
                    if (total > 0 && n > total) bar.maxHint(n);
                    bar.stepTo(n);
                    String name = stepName;
                    if (name != null) bar.setExtraMessage(" " + name);
                    Thread.sleep(PERIOD_MS);
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }, "vmalock-progress");
        thread.setDaemon(true);
        thread.start();
    }

    /** A bar over {@code total} named steps (the policies of a compare); {@link #step} starts each. */
    static Progress steps(String label, long total) {
        Progress p = forTerminal(null, label);
        p.start(() -> p.steps, total, null);
        return p;
    }

    /** The next step begins (the previous one is done). */
    void step(String name) {
        stepName = name; // shown with the bar's next update
        if (stepping) {
            steps++; // the previous step is done
        }
        stepping = true;
    }

    /** Kept for callers that erase the bar before printing a line (stop does it now). */
    void clear() {
        // the library redraws the bar after other output; problems are printed after the ingest
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
        ProgressBar b = bar;
        if (b != null) {
            // the last state is drawn once before the line is erased: a command shorter than one update period
            // (250 ms) would otherwise show only the bar's first draw, without the step it was at
            String name = stepName;
            if (name != null) b.setExtraMessage(" " + name);
            b.refresh();
            b.close(); // clearDisplayOnFinish: the line is erased
            bar = null;
        }
        ACTIVE.remove(this);
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops every bar still running (the command is over, however it ended). */
    static void stopAll() {
        for (Progress p : ACTIVE) {
            p.stop();
        }
    }

    private static PrintStream out() {
        PrintStream t = target;
        return t != null ? t : System.err;
    }

    /** isatty(2), through JLine's JNI terminal provider; false wherever it cannot tell. */
    static boolean isatty2() {
        Boolean t = tty;
        if (t == null) {
            try {
                t = new org.jline.terminal.impl.jni.JniTerminalProvider()
                        .isSystemStream(org.jline.terminal.spi.SystemStream.Error);
            } catch (Throwable e) { // no native library for this platform, or it cannot be loaded
                t = false;
            }
            tty = t;
        }
        return t;
    }

    /** The width of the terminal on stderr (80 if unknown). */
    private static int width() {
        if (target == null) {
            try {
                int w = new org.jline.terminal.impl.jni.JniTerminalProvider()
                        .systemStreamWidth(org.jline.terminal.spi.SystemStream.Error);
                if (w > 20) return w;
            } catch (Throwable e) {
                // below
            }
        }
        return 80;
    }
}
