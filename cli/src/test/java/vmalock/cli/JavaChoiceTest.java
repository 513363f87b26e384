package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's JDK choice (issue 13, start-up): cli/java-choice.sh picks $JAVA_HOME or the newest JDK of at least 24
 * from /usr/lib/jvm-style directories by their release files, else `java` on the PATH; ../vmalock runs a Java 24+ JDK
 * with the AOT cache and --sun-misc-unsafe-memory-access=allow, any other as before with the AppCDS archive, and
 * `report --html` on the PATH's java; `ingest` and `stats` have their own caches. Fake JDKs here: directories with a release file and a bin/java script that logs
 * its arguments (and writes the archive file it is asked to), in a copy of the launcher beside an empty jar.
 */
class JavaChoiceTest {
    @TempDir
    Path tmp;

    private Path jdk(String name, String release, boolean java) throws IOException {
        Path d = tmp.resolve("jvm").resolve(name);
        Files.createDirectories(d.resolve("bin"));
        if (release != null) Files.writeString(d.resolve("release"), release);
        if (java) fakeJava(d.resolve("bin/java"), name);
        return d;
    }

    private static void fakeJava(Path p, String name) throws IOException {
        fakeJava(p, name, false);
    }

    /** failAot: a JDK on which the AOT cache's training run fails. */
    private static void fakeJava(Path p, String name, boolean failAot) throws IOException {
        Files.writeString(p, "#!/bin/sh\n"
                + "echo \"" + name + " $*\" >> \"$FAKE_JAVA_LOG\"\n"
                + (failAot ? "case $1 in -XX:AOTMode=*) exit 1 ;; esac\n" : "")
                + "create=\n"
                + "for a in \"$@\"; do\n"
                + "  case $a in\n"
                + "    -XX:ArchiveClassesAtExit=*) echo archive > \"${a#*=}\" ;;\n"
                + "    -XX:AOTMode=create) create=1 ;;\n"
                + "    -XX:AOTCache=*) [ -n \"$create\" ] && echo cache > \"${a#*=}\" ;;\n"
                + "  esac\n"
                + "done\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private String bash(Map<String, String> env, String... cmd) throws Exception {
        List<String> c = new ArrayList<>(List.of("bash", "-c"));
        c.addAll(List.of(cmd));
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("VMALOCK_JAVA");
        pb.environment().remove("VMALOCK_CDS");
        pb.environment().remove("VMALOCK_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", c) + "\n" + out);
        return out.strip();
    }

    private String pick(Map<String, String> env, Path... dirs) throws Exception {
        StringBuilder args = new StringBuilder();
        for (Path d : dirs) args.append(" '").append(d).append("'");
        return bash(env, ". '" + Cli.root().resolve("cli/java-choice.sh") + "' && vmalock_pick_java" + args);
    }

    @Test
    void picksTheNewestJdkOfAtLeast24ByItsReleaseFile() throws Exception {
        Path j17 = jdk("java-17-openjdk-amd64", "IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\n", true);
        Path j8 = jdk("java-8", "JAVA_VERSION=\"1.8.0_402\"\n", true);
        Path j24 = jdk("jdk-24", "JAVA_VERSION=\"24.0.2\"\n", true);
        Path j25a = jdk("temurin-25.0.1", "JAVA_VERSION=\"25.0.1\"\n", true);
        Path j25b = jdk("temurin-25-jdk-amd64", "JAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\nJAVA_VERSION=\"25.0.3\"", true);
        Path j26nojava = jdk("jdk-26-jre-broken", "JAVA_VERSION=\"26\"\n", false);
        Path norelease = jdk("no-release", null, true);
        Path ea = jdk("jdk-27-ea", "JAVA_VERSION=\"27-ea\"\n", true);
        assertEquals("25 " + j25b + "/bin/java", pick(Map.of(), j17, j8, j24, j25a, j25b, j26nojava, norelease));
        assertEquals("27 " + ea + "/bin/java", pick(Map.of(), j17, j25b, ea), "an early-access version counts by its major");
        assertEquals("24 " + j24 + "/bin/java", pick(Map.of(), j17, j24));
        assertEquals("0 java", pick(Map.of(), j17, j8, norelease, j26nojava), "nothing of 24 or later: java on the PATH");
        assertEquals("0 java", pick(Map.of(), tmp.resolve("jvm/none")), "no such directory");
        assertEquals("24 " + j24 + "/bin/java", pick(Map.of("JAVA_HOME", j24.toString()), j17, j25b), "JAVA_HOME of 24+ wins");
        assertEquals("25 " + j25b + "/bin/java", pick(Map.of("JAVA_HOME", j17.toString()), j17, j25b), "JAVA_HOME before 24: searched");
    }

    /** A copy of the launcher beside an (empty) jar that is up to date, so that it builds nothing with Maven. */
    private Path launcherTree() throws IOException {
        Path t = tmp.resolve("tree");
        Files.createDirectories(t.resolve("cli/target"));
        Files.copy(Cli.root().resolve("vmalock"), t.resolve("vmalock"));
        Files.copy(Cli.root().resolve("cli/java-choice.sh"), t.resolve("cli/java-choice.sh"));
        Files.writeString(t.resolve("cli/target/vmalock.jar"), "");
        return t;
    }

    private List<String> log(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void launcherRunsJava24WithTheAotCacheAndOlderOnesAsBefore() throws Exception {
        Path t = launcherTree();
        Path j25 = jdk("temurin-25-jdk-amd64", "JAVA_VERSION=\"25.0.3\"\n", true);
        Path j17 = jdk("java-17-openjdk-amd64", "JAVA_VERSION=\"17.0.15\"\n", true);
        Path pathBin = tmp.resolve("pathbin");
        Files.createDirectories(pathBin);
        fakeJava(pathBin.resolve("java"), "path-java");
        Path log = tmp.resolve("java.log");
        String path = pathBin + ":" + System.getenv("PATH");
        String v = "'" + t.resolve("vmalock") + "'";

        // VMALOCK_JAVA=a JDK 25 directory: the AOT caches are built once (each: record, then create), then used, each by its
        // commands
        bash(Map.of("FAKE_JAVA_LOG", log.toString(), "PATH", path, "VMALOCK_JAVA", j25.toString()),
                v + " --version; " + v + " stats -w /nonexistent; " + v + " ingest x -w /nonexistent; " + v + " query -w /nonexistent 'SELECT 1'");
        List<String> l = log(log);
        assertEquals(12, l.size(), String.join("\n", l));
        assertCachesBuilt("temurin-25-jdk-amd64", l);
        String version = "temurin-25-jdk-amd64 -XX:AOTCache=" + t.resolve("cli/target/vmalock-version.aot") + " ";
        assertTrue(l.get(8).startsWith(version) && l.get(8).contains(" --sun-misc-unsafe-memory-access=allow ")
                && l.get(8).endsWith("-cp " + t.resolve("cli/target/vmalock.jar") + " vmalock.cli.Launch --version"), l.get(8));
        String[] caches = {"vmalock-stats.aot", "vmalock-ingest.aot", "vmalock.aot"};
        for (int i = 0; i < 3; i++) {
            String run = l.get(9 + i);
            assertTrue(run.startsWith("temurin-25-jdk-amd64 -XX:AOTCache=" + t.resolve("cli/target").resolve(caches[i]) + " ")
                    && run.contains(" --sun-misc-unsafe-memory-access=allow ") && run.contains(" -w /nonexistent")
                    && !run.contains("SharedArchiveFile"), run);
        }
        assertFalse(Files.exists(t.resolve("cli/target/vmalock.jsa")), "no AppCDS archive for Java 25");

        // a failed training run: one stderr line, the command runs without the cache, no new attempt before the next build
        Path j24 = jdk("jdk-24-broken", "JAVA_VERSION=\"24.0.1\"\n", false);
        fakeJava(j24.resolve("bin/java"), "jdk-24-broken", true);
        Files.delete(log);
        String out = bash(Map.of("FAKE_JAVA_LOG", log.toString(), "PATH", path, "VMALOCK_JAVA", j24.toString()),
                v + " stats -w /nonexistent; " + v + " stats -w /nonexistent");
        assertEquals("vmalock: building the start-up AOT caches " + t.resolve("cli/target/vmalock") + "*.aot (once per build)…\n"
                + "vmalock: could not build the AOT caches; starting without them until the next build", out);
        l = log(log);
        assertEquals(3, l.size(), String.join("\n", l));
        assertTrue(l.get(0).startsWith("jdk-24-broken -XX:AOTMode=record "), l.get(0));
        for (String run : l.subList(1, 3)) {
            assertTrue(run.startsWith("jdk-24-broken --sun-misc-unsafe-memory-access=allow ") && !run.contains("AOTCache")
                    && run.endsWith(" stats -w /nonexistent"), run);
        }

        // VMALOCK_JAVA=a JDK 17 java: the AppCDS archive, no Java 24+ options (17 would refuse them)
        Files.delete(log);
        bash(Map.of("FAKE_JAVA_LOG", log.toString(), "PATH", path, "VMALOCK_JAVA", j17.resolve("bin/java").toString()),
                v + " stats -w /nonexistent");
        l = log(log);
        assertEquals(2, l.size(), String.join("\n", l));
        assertTrue(l.get(0).startsWith("java-17-openjdk-amd64 -XX:ArchiveClassesAtExit="), l.get(0));
        assertTrue(l.get(1).startsWith("java-17-openjdk-amd64 -XX:SharedArchiveFile=" + t.resolve("cli/target/vmalock.jsa"))
                && !l.get(1).contains("AOT") && !l.get(1).contains("--sun-misc") && l.get(1).endsWith("-jar " + t.resolve("cli/target/vmalock.jar") + " stats -w /nonexistent"), l.get(1));

        // no VMALOCK_JAVA: the choice kept next to the jar (here: the fake 25); report --html on the PATH's java
        Files.delete(log);
        Files.delete(t.resolve("cli/target/vmalock.jsa"));
        Files.writeString(t.resolve("cli/target/vmalock.java"), "25 " + j25.resolve("bin/java") + "\n");
        bash(Map.of("FAKE_JAVA_LOG", log.toString(), "PATH", path),
                v + " ingest x -w /nonexistent; " + v + " report -w /nonexistent --html /dev/null; " + v + " report -w /nonexistent");
        l = log(log);
        assertEquals(12, l.size(), String.join("\n", l));
        assertCachesBuilt("temurin-25-jdk-amd64", l);   // again: the failed JDK 24 left none
        String cache = "-XX:AOTCache=" + t.resolve("cli/target/vmalock");
        assertTrue(l.get(8).startsWith("temurin-25-jdk-amd64 " + cache + "-ingest.aot ") && l.get(8).endsWith(" ingest x -w /nonexistent"), l.get(8));
        assertTrue(l.get(9).startsWith("path-java -XX:ArchiveClassesAtExit="), l.get(9));
        assertTrue(l.get(10).startsWith("path-java -XX:SharedArchiveFile=") && l.get(10).endsWith("report -w /nonexistent --html /dev/null"), l.get(10));
        assertTrue(l.get(11).startsWith("temurin-25-jdk-amd64 " + cache + ".aot ") && l.get(11).endsWith("report -w /nonexistent"), l.get(11));
    }

    /** The first eight lines: the four caches' record and create runs (the class archive's training, ingest, stats, --version). */
    private static void assertCachesBuilt(String jdk, List<String> l) {
        String[] trainings = {" --cds-training ", " ingest ", " stats -w ", " vmalock.cli.Launch --version"};
        for (int i = 0; i < 4; i++) {
            assertTrue(l.get(2 * i).startsWith(jdk + " -XX:AOTMode=record ") && l.get(2 * i).contains(trainings[i]), l.get(2 * i));
            assertTrue(l.get(2 * i + 1).startsWith(jdk + " -XX:AOTMode=create "), l.get(2 * i + 1));
        }
    }
}
