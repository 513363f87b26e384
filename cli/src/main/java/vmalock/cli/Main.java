package vmalock.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code vmalock <subcommand>}. One class per subcommand, registered here. */
@Command(name = "vmalock", mixinStandardHelpOptions = true, version = "vmalock 0.1.0",
        description = "Replay mmap_lock and per-VMA-lock traces under alternative locking policies.",
        subcommands = {CommandLine.HelpCommand.class})
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
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
