package vmalock.cli;

/**
 * The jar's entry point: {@code --version} alone is answered here without loading picocli, Main or any
 * library class (issue 13: {@code vmalock --version} within 1.5x of {@code java -version}); everything
 * else goes to {@link Main}. A separate class: verifying Main would load picocli.
 */
public final class Launch {
    private Launch() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && ("--version".equals(args[0]) || "-V".equals(args[0]))) {
            System.exit(Version.print());
        }
        Main.main(args);
    }
}
