package vmalock.cli;

/**
 * The jar's entry point: {@code --version} alone is answered here without loading picocli, Main or any
 * library class (issue 13: {@code vmalock --version} within 1.5x of {@code java -version}); everything
 * else goes to {@link Main}. A separate class: verifying Main would load picocli. {@code --cds-training
 * TRACE…} is the launcher's class-archive training run ({@link CdsTraining}), run through the jar like
 * every command so the archive matches the class path and module options of later starts.
 */
public final class Launch {
    private Launch() {
    }

    public static void main(String[] args) throws java.io.IOException {
        if (args.length == 1 && ("--version".equals(args[0]) || "-V".equals(args[0]))) {
            System.exit(Version.print());
        }
        if (args.length > 0 && "--cds-training".equals(args[0])) {
            // the launcher's class-archive training run (not a user command; see CdsTraining)
            CdsTraining.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Main.main(args);
    }
}
