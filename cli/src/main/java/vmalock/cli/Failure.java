package vmalock.cli;

import java.io.PrintWriter;

/** One-line error reporting shared by the replay commands: {@code vmalock: MESSAGE} on stderr, an exit code. */
final class Failure {
    private Failure() {}

    static int report(PrintWriter err, String message, int code) {
        err.println("vmalock: " + message);
        err.flush();
        return code;
    }
}
