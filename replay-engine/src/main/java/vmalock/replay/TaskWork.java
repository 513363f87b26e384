package vmalock.replay;

/** What one task did on one mm: its operations in trace order. */
public final class TaskWork {
    public final int tid;
    public String comm;
    public final Ops ops = new Ops();

    TaskWork(int tid, String comm) {
        this.tid = tid;
        this.comm = comm;
    }
}
