package vmalock.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code vmalock <subcommand>}. One class per subcommand, registered here. */
@Command(name = "vmalock", mixinStandardHelpOptions = true, version = "vmalock 0.1.0",
        description = "Replay mmap_lock and per-VMA-lock traces under alternative locking policies.",
        subcommands = {CommandLine.HelpCommand.class, IngestCommand.class, StatsCommand.class, ExportCommand.class,
                ReportCommand.class, QueryCommand.class, CaptureCommand.class, CheckCommand.class, ReplayCommand.class,
                CompareCommand.class, PoliciesCommand.class, ValidateCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Chronicle must not phone home, announce itself or read ./system.properties, whatever the launcher did.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.setProperty("system.properties", "/nonexistent");
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (CommandLine c : allCommands(cl)) {
            c.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(
                    c.getCommandSpec().userObject() instanceof CaptureCommand ? ExitCode.captureHelpList()
                            : c.getCommandSpec().userObject() instanceof CheckCommand ? ExitCode.checkHelpList()
                            : ExitCode.helpList());
        }
        cl.setExitCodeExceptionMapper(t -> ExitCode.INTERNAL);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // user errors are handled inside the commands; anything reaching here is a bug
            PrintWriter err = cmd.getErr();
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
