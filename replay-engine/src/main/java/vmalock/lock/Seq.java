package vmalock.lock;

import java.util.List;
import java.util.function.Function;

/**
 * A fixed list of operations as a {@link Program}, optionally repeated: handy for tests, benches and
 * small scenarios. Each element picks and inits an op: {@code t -> t.ops().hold.init(500)}.
 */
public final class Seq implements Program {
    private final List<Function<Task, Op>> steps;
    private final long repeat;
    private int i;
    private long round;

    private Seq(List<Function<Task, Op>> steps, long repeat) {
        this.steps = steps;
        this.repeat = repeat;
    }

    @SafeVarargs
    public static Seq of(Function<Task, Op>... steps) {
        return new Seq(List.of(steps), 1);
    }

    @SafeVarargs
    public static Seq repeat(long times, Function<Task, Op>... steps) {
        return new Seq(List.of(steps), times);
    }

    @Override
    public Op next(Task t) {
        if (steps.isEmpty()) return null;
        if (i == steps.size()) {
            i = 0;
            if (++round >= repeat) return null;
        }
        return steps.get(i++).apply(t);
    }
}
