package vmalock.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code vmalock <subcommand>}. One class per subcommand, registered here. */
@Command(name = "vmalock", mixinStandardHelpOptions = true, versionProvider = BuildInfo.class,
        description = "Replay mmap_lock and per-VMA-lock traces under alternative locking policies.")
public final class Main implements Runnable {
    /**
     * The subcommands, in help order. Registered in code, not in the annotation: a run builds the picocli
     * model of the one subcommand it names (reflection over every command class was ~0.3 s of each start).
     */
    private static final String[] SUBCOMMANDS = {"help", "ingest", "stats", "export", "report", "query", "capture",
        "check", "replay", "compare", "policies", "validate", "sources", "remove", "completion"};

    private static Object newSubcommand(String name) {
        switch (name) {
            case "help": return new CommandLine.HelpCommand();
            case "ingest": return new IngestCommand();
            case "stats": return new StatsCommand();
            case "export": return new ExportCommand();
            case "report": return new ReportCommand();
            case "query": return new QueryCommand();
            case "capture": return new CaptureCommand();
            case "check": return new CheckCommand();
            case "replay": return new ReplayCommand();
            case "compare": return new CompareCommand();
            case "policies": return new PoliciesCommand();
            case "validate": return new ValidateCommand();
            case "sources": return new SourcesCommand();
            case "remove": return new RemoveCommand();
            case "completion": return new CompletionCommand();
            default: throw new IllegalArgumentException(name);
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Chronicle must not phone home, announce itself or read ./system.properties, whatever the launcher did.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.setProperty("system.properties", "/nonexistent");
        jnaSearchPath();
        Warmup.start(args);
        // a heap too small shows once, as one line from the command (exit 10), not as a trace per thread
        Thread.UncaughtExceptionHandler dflt = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, x) -> {
            if (x instanceof OutOfMemoryError) return;
            if (dflt != null) dflt.uncaughtException(t, x);
            else { // as the JVM prints it (ThreadGroup's handler would call this one again)
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                x.printStackTrace(System.err);
            }
        });
        CommandLine cl = commandLine(args);
        // not System.out: a PrintStream swallows write errors (a full disk gave exit 0 with a truncated output)
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(new java.io.FileOutputStream(java.io.FileDescriptor.out),
                java.nio.charset.StandardCharsets.UTF_8), true));
        System.exit(cl.execute(args));
    }

    /**
     * Chronicle's start-up probes its thread-affinity library, which loads JNA, whose first library lookup runs
     * {@code ldconfig -p} in a child process to learn the library directories (~20 ms of CPU and a fork of every
     * command that opens the queue) unless {@code jna.platform.library.path} names them (issue 13, start-up).
     * Set to the usual ones when the user did not set it; nothing vmalock runs needs the affinity library.
     */
    static void jnaSearchPath() {
        if (System.getProperty("jna.platform.library.path") != null) {
            return;
        }
        String arch = System.getProperty("os.arch", "");
        String multiarch = "amd64".equals(arch) || "x86_64".equals(arch) ? "x86_64-linux-gnu"
                : "aarch64".equals(arch) ? "aarch64-linux-gnu" : null;
        System.setProperty("jna.platform.library.path", (multiarch == null ? ""
                : "/usr/lib/" + multiarch + ":/lib/" + multiarch + ":") + "/usr/lib64:/lib64:/usr/lib:/lib");
    }

    /** picocli's system property: regular expressions of the types whose built-in converters it does not register. */
    static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    /** The full command line, every subcommand registered. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for these arguments: only the subcommand they name when the first one is a
     * subcommand other than {@code help} (its usage, errors and behaviour are the same), else all of them.
     */
    static CommandLine commandLine(String[] argv) {
        // picocli registers its built-in converters for java.time and java.sql types by reflection, loading and
        // initialising ~25 JDK classes (~5 ms of each start, issue 13); no vmalock option has such a type
        if (System.getProperty(CONVERTER_EXCLUDES) == null) {
            System.setProperty(CONVERTER_EXCLUDES, "java\\.time\\..*,java\\.sql\\..*");
        }
        CommandLine cl = new CommandLine(new Main());
        String only = argv.length > 0 && !"help".equals(argv[0]) && java.util.Arrays.asList(SUBCOMMANDS).contains(argv[0])
                ? argv[0] : null;
        for (String name : SUBCOMMANDS) {
            if (only == null || only.equals(name)) {
                cl.addSubcommand(name, newSubcommand(name));
            }
        }
        for (CommandLine c : allCommands(cl)) {
            c.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(
                    c.getCommandSpec().userObject() instanceof CaptureCommand ? ExitCode.captureHelpList()
                            : c.getCommandSpec().userObject() instanceof CheckCommand ? ExitCode.checkHelpList()
                            : ExitCode.helpList());
        }
        cl.setExitCodeExceptionMapper(t -> ExitCode.INTERNAL);
        cl.setExecutionStrategy(parsed -> {
            List<CommandLine> chain = parsed.asCommandLineList();
            CommandLine last = chain.get(chain.size() - 1);
            int rc;
            try {
                rc = new CommandLine.RunLast().execute(parsed);
            } catch (InternalError e) {
                if (!mappedFileFault(e)) throw e;
                return mappedFileFailure(last.getErr());
            } catch (OutOfMemoryError e) {
                // the command's frames are gone: what it held can be collected, and one line can be printed
                return outOfMemory(last.getErr(), last.getCommandName());
            } finally {
                Progress.stopAll(); // no bar outlives its command, whatever path it ended by
            }
            if ((rc == ExitCode.OK || rc == ExitCode.PROBLEMS) && last.getOut().checkError()) {
                // every write to standard output is checked here, once: a failed one fails the command
                PrintWriter err = last.getErr();
                err.println("vmalock: cannot write to standard output (disk full, or the reader went away)");
                err.flush();
                return ExitCode.OUTPUT;
            }
            return rc;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // user errors are handled inside the commands; anything reaching here is a bug
            PrintWriter err = cmd.getErr();
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof InternalError && mappedFileFault(t)) return mappedFileFailure(err);
            }
            err.println("vmalock: internal error: " + ex + " (please report it with the command line)");
            if (System.getenv("VMALOCK_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return ExitCode.INTERNAL;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("vmalock: " + ex.getMessage());
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return ExitCode.USAGE;
        });
        return cl;
    }

    /**
     * The JVM's error for a fault (SIGBUS) on a memory-mapped file: a Chronicle Queue file truncated
     * behind its back, or a file that could not grow because the disk is full.
     */
    static boolean mappedFileFault(Throwable t) {
        return t.getMessage() != null && t.getMessage().contains("unsafe memory access");
    }

    /**
     * One line and exit code 10 for a heap that was too small: the heap the JVM had and how to raise it
     * (the launcher passes {@code VMALOCK_JAVA_OPTS} to the JVM), no stack trace. A replay's staged run is
     * removed by the replay itself on the way out.
     */
    static int outOfMemory(PrintWriter err, String command) {
        long max = Runtime.getRuntime().maxMemory() >> 20;
        long more = Math.max(512, Long.highestOneBit(Math.max(1, max)) * 4);
        String raise = more % 1024 == 0 ? (more / 1024) + "g" : more + "m";
        err.println("vmalock: out of memory: " + command + " needs more than the " + max + " MiB of Java heap it had; "
                + "raise it, e.g. VMALOCK_JAVA_OPTS=-Xmx" + raise + " (docs/replay.md, Memory)");
        err.flush();
        return ExitCode.OUT_OF_MEMORY;
    }

    /** One line and exit code 4 (workspace error) for {@link #mappedFileFault}: no stack trace. */
    private static int mappedFileFailure(PrintWriter err) {
        err.println("vmalock: damaged workspace or disk full: a memory-mapped queue file could not be read or written "
                + "(truncated file, or no space left on the device)");
        err.flush();
        return ExitCode.WORKSPACE;
    }

    private static java.util.List<CommandLine> allCommands(CommandLine cl) {
        java.util.List<CommandLine> all = new java.util.ArrayList<>();
        all.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            all.addAll(allCommands(sub));
        }
        return all;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
