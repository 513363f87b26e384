package vmalock.parse;

/** Thrown inside a line parser when the current line is malformed; stackless, caught per line. */
final class LineProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LineProblem(String reason) {
        super(reason, null, false, false);
    }
}
