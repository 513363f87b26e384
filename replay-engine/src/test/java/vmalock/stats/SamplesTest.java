package vmalock.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SamplesTest {
    @Test
    void nearestRankPercentiles() {
        Samples s = new Samples();
        for (int i = 10; i >= 1; i--) {
            s.add(i); // unsorted input
        }
        // n=10: p50 = v[5], p90 = v[9], p99 = v[ceil(9.9)] = v[10]
        assertEquals(5, s.percentile(50));
        assertEquals(9, s.percentile(90));
        assertEquals(10, s.percentile(99));
        assertEquals(1, s.min());
        assertEquals(10, s.max());
        assertEquals(55, s.sum());
        assertEquals(0, s.negatives());
    }

    @Test
    void singleSampleAndNegatives() {
        Samples s = new Samples();
        s.add(-3);
        assertEquals(-3, s.percentile(50));
        assertEquals(-3, s.percentile(99));
        assertEquals(1, s.negatives());
        Samples t = new Samples();
        for (int i = 1; i <= 1078; i++) {
            t.add(i);
        }
        assertEquals(1068, t.percentile(99)); // ceil(0.99 * 1078) = ceil(1067.22) = 1068
        assertEquals(971, t.percentile(90)); // ceil(970.2)
        assertEquals(539, t.percentile(50));
    }

    @Test
    void ratesRoundLikeTheTruthScript() {
        assertEquals(0.014211, StatsJson.rate(150, 10555));
        assertEquals(0.013548, StatsJson.rate(143, 10555));
        assertEquals(0.001032, StatsJson.rate(47, 45538));
        assertEquals(0.0, StatsJson.rate(0, 0));
        assertEquals("1216.415952", StatsJson.formatTs(1_216_415_952_000L, false));
        assertEquals("5.000000001", StatsJson.formatTs(5_000_000_001L, false));
        assertEquals("123", StatsJson.formatTs(123, true));
    }
}
