package vmalock.db;

import java.util.Map;

/**
 * The rows of a pair table ({@code syscalls}, {@code contention}) with one side missing, counted while the
 * run streams whether or not the rows themselves load: kept in {@code counters} as {@code unpaired.NAME},
 * so {@code data_quality} needs no per-row table.
 */
final class UnpairedCounts {
    private final String secondWithoutFirst;
    private final String firstWithoutSecond;
    private long noFirst;
    private long noSecond;

    /** @param secondWithoutFirst e.g. {@code sys_exit_without_enter}; @param firstWithoutSecond e.g. {@code sys_enter_without_exit} */
    UnpairedCounts(String secondWithoutFirst, String firstWithoutSecond) {
        this.secondWithoutFirst = "unpaired." + secondWithoutFirst;
        this.firstWithoutSecond = "unpaired." + firstWithoutSecond;
    }

    /** Counts one pair row. */
    void row(boolean hasFirst, boolean hasSecond) {
        if (!hasFirst) {
            noFirst++;
        } else if (!hasSecond) {
            noSecond++;
        }
    }

    Map<String, Long> asMap() {
        return Map.of(secondWithoutFirst, noFirst, firstWithoutSecond, noSecond);
    }
}
