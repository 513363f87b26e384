package vmalock.lock;

/** The root op of every task: runs its {@link Program} one op at a time. */
final class ProgramRunner extends Op {
    private final Program program;
    long opsDone;

    ProgramRunner(Program program) {
        this.program = program;
    }

    @Override
    public String name() {
        return "program";
    }

    @Override
    public int step(Task t) {
        if (pc == 1) opsDone++;
        Op next = program.next(t);
        if (next == null) return DONE;
        pc = 1;
        return t.call(next);
    }
}
