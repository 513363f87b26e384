package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import vmalock.db.LazyTable;
import vmalock.db.ObservedRun;
import vmalock.db.RunInfo;
import vmalock.db.WorkspaceDb;

/**
 * Issue 13 start-up work changes nothing a user sees: the --version fast path prints picocli's lines,
 * a command line built for one subcommand behaves like the full one, the tables ingest builds and the
 * stats figures it stores are exactly what the lazy path computes. (Speed itself: bench/startup-bench.sh.)
 */
class StartupTest {
    @TempDir
    Path tmp;

    @Test
    void versionFastPathPrintsPicocliLinesAndTheCheckoutHead() throws Exception {
        assertArrayEquals(new BuildInfo().getVersion(), Version.lines(BuildInfo::commit));
        String head = Version.gitHead();
        if (head != null) {
            assertEquals(BuildInfo.commit(), head, "the .git files give what git rev-parse HEAD gives");
        }
        String[] l = Version.lines(null);
        assertTrue(l[2].matches("DuckDB: [0-9][0-9.]*") && l[3].matches("Chronicle Queue: [0-9][0-9.]*.*"), String.join("\n", l));
    }

    @Test
    void oneSubcommandCommandLineBehavesLikeTheFullOne() {
        for (String name : new String[] {"ingest", "stats", "query", "report", "export", "compare", "replay", "capture"}) {
            CommandLine only = Main.commandLine(new String[] {name});
            assertEquals(1, only.getSubcommands().size(), name);
            assertEquals(Main.commandLine().getSubcommands().get(name).getUsageMessage(CommandLine.Help.Ansi.OFF),
                    only.getSubcommands().get(name).getUsageMessage(CommandLine.Help.Ansi.OFF), name);
        }
        assertEquals(Main.commandLine().getSubcommands().keySet(), Main.commandLine(new String[] {"help"}).getSubcommands().keySet());
        assertEquals(Main.commandLine().getSubcommands().keySet(), Main.commandLine(new String[] {"nosuch"}).getSubcommands().keySet());
    }

    @Test
    void ingestBuildsEveryTableAndStoredStatsEqualTheComputedOnes() throws Exception {
        Path ws = tmp.resolve("ws");
        Path trace = Cli.shared().resolve("traces/ftrace-overlap-default.txt");
        Cli in = Cli.run("ingest", trace, "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertTrue(Files.isRegularFile(ws.resolve(ObservedRun.STATS_CACHE)), in.toString());
        try (WorkspaceDb db = WorkspaceDb.open(ws); Statement s = db.connection().createStatement()) {
            for (LazyTable t : LazyTable.values()) {
                assertTrue(db.loaded(RunInfo.OBSERVED, t), t.table());
            }
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM events")) {
                r.next();
                assertEquals(19444, r.getLong(1));
            }
        }
        Cli text = Cli.run("stats", "-w", ws);
        Cli json = Cli.run("stats", "-w", ws, "--json");
        Files.delete(ws.resolve(ObservedRun.STATS_CACHE));
        Cli text2 = Cli.run("stats", "-w", ws);
        Cli json2 = Cli.run("stats", "-w", ws, "--json");
        assertEquals(text2.toString(), text.toString());
        assertEquals(json2.toString(), json.toString());
    }

    @Test
    void storedStatsPrintAsTheMapperPrintedThem() throws Exception {
        // stats reads stats-observed.json and prints --json without an ObjectMapper (issue 13, start-up): the same
        // document and text as the mapper's (StatsJson.JSON), on traces of each format and clock
        for (String sample : new String[] {"ftrace-tgid.txt", "ftrace-counter.txt", "ftrace-pipe-lost.txt", "ftrace-overwrite.txt",
            "perf-ns.perf.txt", "tc-plain.report.txt"}) {
            Path ws = tmp.resolve("ws-" + sample);
            assertEquals(0, Cli.run("ingest", Cli.sample(sample), "-w", ws).code, sample);
            Path stored = ws.resolve(ObservedRun.STATS_CACHE);
            com.fasterxml.jackson.databind.JsonNode former = vmalock.stats.StatsJson.JSON.readTree(stored.toFile());
            assertEquals(former, vmalock.store.JsonTrees.read(stored), sample);
            com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) former.get("stats");
            vmalock.stats.StatsJson.kernel(node, vmalock.store.Manifest.read(ws).sources);
            Cli json = Cli.run("stats", "-w", ws, "--json");
            assertEquals(vmalock.stats.StatsJson.JSON.writeValueAsString(node) + System.lineSeparator(), json.out, sample);
            assertEquals(vmalock.stats.StatsJson.JSON.writeValueAsString(former), new String(
                    vmalock.store.JsonTrees.prettyBytes(former), java.nio.charset.StandardCharsets.UTF_8), sample);
        }
    }

    @Test
    void aLaterIngestReplacesTheStoredStats() throws Exception {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-tgid.txt"), "-w", ws).code);
        Cli one = Cli.run("stats", "-w", ws, "--json");
        Cli in = Cli.run("ingest", "--no-tables", Cli.sample("ftrace-remote.txt"), "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertFalse(Files.exists(ws.resolve(ObservedRun.STATS_CACHE)), "dropped: it describes the sources before");
        Cli two = Cli.run("stats", "-w", ws, "--json");
        assertFalse(one.out.equals(two.out));
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-memcg.txt"), "-w", ws).code);
        Cli three = Cli.run("stats", "-w", ws, "--json");
        Files.delete(ws.resolve(ObservedRun.STATS_CACHE));
        assertEquals(Cli.run("stats", "-w", ws, "--json").out, three.out);
    }

    @Test
    void aSmallIngestLeavesNoTablesAndTheFirstQueryBuildsThem() throws Exception {
        Path trace = Cli.sample("ftrace-tgid.txt"); // 1,738 lines: fewer events than IngestCommand.TABLES_FROM_EVENTS
        Path small = tmp.resolve("small");
        Cli in = Cli.run("ingest", trace, "-w", small);
        assertEquals(0, in.code, in.toString());
        assertFalse(Files.exists(WorkspaceDb.file(small)), "no database: DuckDB not started");
        byte[] stored = Files.readAllBytes(small.resolve(ObservedRun.STATS_CACHE));
        Path built = tmp.resolve("built");
        assertEquals(0, Cli.run("ingest", "--tables", trace, "-w", built).code);
        assertTrue(Files.isRegularFile(WorkspaceDb.file(built)));
        // the stored figures are those ingest stores with the tables, and those the SQL report computes
        assertArrayEquals(Files.readAllBytes(built.resolve(ObservedRun.STATS_CACHE)), stored);
        Cli text = Cli.run("stats", "-w", small);
        assertFalse(Files.exists(WorkspaceDb.file(small)), "stats started DuckDB");
        assertEquals(Cli.run("stats", "-w", built).toString(), text.toString());
        assertEquals(Cli.run("stats", "-w", built, "--run", "observed").toString(), text.toString());
        long events = vmalock.store.Manifest.read(small).sources.get(0).events;
        Cli q = Cli.run("query", "-w", small, "SELECT count(*) FROM events");
        assertEquals(0, q.code, q.toString());
        assertTrue(q.out.contains(" " + events + "\n"), events + " events: " + q);
        assertEquals(Cli.run("query", "-w", built, "SELECT count(*) FROM events").toString(), q.toString());
        // the first use built every table, as ingest --tables does, and stored the same figures again
        try (WorkspaceDb db = WorkspaceDb.openReadOnly(small)) {
            for (LazyTable t : LazyTable.values()) {
                assertTrue(db.loaded(RunInfo.OBSERVED, t), t.table());
            }
        }
        assertEquals(RunTablesAfterReplayTest.tables(built), RunTablesAfterReplayTest.tables(small));
        assertArrayEquals(stored, Files.readAllBytes(small.resolve(ObservedRun.STATS_CACHE)));
        for (String cmd : new String[] {"SELECT count(*) FROM faults", "SELECT count(*) FROM contention"}) {
            assertEquals(Cli.run("query", "-w", built, cmd).toString(), Cli.run("query", "-w", small, cmd).toString());
        }
    }

    @Test
    void statsWithoutStoredFiguresStartsNoDuckDbOnASmallWorkspace() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", "--no-tables", Cli.sample("ftrace-tgid.txt"), "-w", ws).code);
        assertFalse(Files.exists(ws.resolve(ObservedRun.STATS_CACHE)));
        Cli text = Cli.run("stats", "-w", ws);
        Cli json = Cli.run("stats", "-w", ws, "--json");
        assertEquals(0, text.code, text.toString());
        assertFalse(Files.exists(WorkspaceDb.file(ws)), "stats opened the database");
        // the SQL report over the database gives the same, byte for byte
        assertEquals(Cli.run("stats", "-w", ws, "--run", "observed").toString(), text.toString());
        assertEquals(Cli.run("stats", "-w", ws, "--json", "--run", "observed").toString(), json.toString());
    }

    @Test
    void tablesOptionBuildsThemForASmallInput() throws Exception {
        Path ws = tmp.resolve("ws");
        Cli in = Cli.run("ingest", "--tables", Cli.sample("ftrace-tgid.txt"), "-w", ws);
        assertEquals(0, in.code, in.toString());
        try (WorkspaceDb db = WorkspaceDb.openReadOnly(ws)) {
            for (LazyTable t : LazyTable.values()) {
                assertTrue(db.loaded(RunInfo.OBSERVED, t), t.table());
            }
        }
        Path both = tmp.resolve("both");
        Cli bad = Cli.run("ingest", "--tables", "--no-tables", Cli.sample("ftrace-tgid.txt"), "-w", both);
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
        assertEquals(1, bad.err.lines().count(), bad.toString());
        assertFalse(Files.exists(both), "a refused command leaves nothing behind");
    }

    @Test
    void aSecondSmallIngestLeavesTheOldDatabaseToTheFirstQuery() throws Exception {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", "--tables", Cli.sample("ftrace-tgid.txt"), "-w", ws).code);
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-memcg.txt"), "-w", ws).code);
        Path built = tmp.resolve("built");
        assertEquals(0, Cli.run("ingest", "--tables", Cli.sample("ftrace-tgid.txt"), Cli.sample("ftrace-memcg.txt"), "-w", built).code);
        assertEquals(-1, Files.mismatch(built.resolve(ObservedRun.STATS_CACHE), ws.resolve(ObservedRun.STATS_CACHE)));
        String q = "SELECT source, count(*) FROM events GROUP BY ALL ORDER BY 1";
        assertEquals(Cli.run("query", "-w", built, q).toString(), Cli.run("query", "-w", ws, q).toString());
        assertEquals(RunTablesAfterReplayTest.tables(built), RunTablesAfterReplayTest.tables(ws));
    }

    @Test
    void noTablesLeavesNoDatabase() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", "--no-tables", Cli.sample("ftrace-tgid.txt"), "-w", ws).code);
        assertFalse(Files.exists(WorkspaceDb.file(ws)));
    }
}
