package vmalock.fleet;

import java.io.Serializable;
import java.util.List;

/** How a trace's {@code --fanout mm} replays are split ({@link FleetTasks#plan}), with each group's share of the work. */
public final class MmPlan implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The trace's input index. */
    public int index;
    /** Address spaces with work, {index, operations}, index order. */
    public long[][] spaces;
    /** Consecutive groups of address-space indexes, one task per (group, policy). */
    public List<int[]> groups;
    /** Per group, its share of the work (Kryo-encoded {@link vmalock.replay.Workload}); null: the tasks build the work. */
    public List<byte[]> shares;

    /** The plan without the shares (what the driver needs). */
    MmPlan light() {
        MmPlan p = new MmPlan();
        p.index = index;
        p.spaces = spaces;
        p.groups = groups;
        return p;
    }
}
