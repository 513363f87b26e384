package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The reports use DuckDB's {@code quantile_disc}; the truth rules define percentiles as nearest rank,
 * pX = v[ceil(X/100·n)] (1-based). This checks, with exact integer arithmetic as the reference, that the
 * two agree for every n up to 2500 at the percentiles the reports print, and that the schema's
 * {@code nearest_rank} macro computes the same rank.
 */
class PercentileTest {
    private static final int[] PERMILLE = {500, 900, 990, 999, 10, 70, 290, 570};

    @Test
    void quantileDiscIsNearestRank() throws Exception {
        try (WorkspaceDb db = WorkspaceDb.inMemory(); Statement s = db.connection().createStatement()) {
            // samples 10, 20, …: the rank r picks value 10·r
            StringBuilder sql = new StringBuilder("SELECT n");
            for (int p : PERMILLE) {
                sql.append(", quantile_disc(v, ").append(p / 1000.0).append(")");
                sql.append(", nearest_rank(n, ").append(p / 10.0).append(")");
            }
            sql.append(" FROM (SELECT n, 10 * r AS v FROM range(1, 2501) a(n), range(1, 2501) b(r) WHERE r <= n)"
                    + " GROUP BY n ORDER BY n");
            int rowsSeen = 0;
            try (ResultSet r = s.executeQuery(sql.toString())) {
                while (r.next()) {
                    long n = r.getLong(1);
                    for (int i = 0; i < PERMILLE.length; i++) {
                        long rank = Math.max(1, (PERMILLE[i] * n + 999) / 1000);
                        assertEquals(10 * rank, r.getLong(2 + 2 * i), "quantile_disc p=" + PERMILLE[i] / 10.0 + " n=" + n);
                        assertEquals(rank, r.getLong(3 + 2 * i), "nearest_rank p=" + PERMILLE[i] / 10.0 + " n=" + n);
                    }
                    rowsSeen++;
                }
            }
            assertEquals(2500, rowsSeen);
        }
    }

    @Test
    void log2BucketsAreBpftraceStyle() throws Exception {
        try (WorkspaceDb db = WorkspaceDb.inMemory(); Statement s = db.connection().createStatement();
             ResultSet r = s.executeQuery("SELECT string_agg(log2_bucket(v), ' ' ORDER BY v) FROM (VALUES (0), (1), (2), (3), (4), (7), (8),"
                     + " (1023), (1024), (2047), (1048576)) t(v)")) {
            r.next();
            assertEquals("[0] [1] [2, 4) [2, 4) [4, 8) [4, 8) [8, 16) [512, 1K) [1K, 2K) [1K, 2K) [1M, 2M)",
                    r.getString(1));
        }
    }
}
