package vmalock.lock;

/**
 * One preallocated instance of each top-level operation, per task ({@link Task#ops()}): a
 * {@link Program} returns {@code t.ops().xxx.init(...)} and nothing is allocated per operation.
 * Composite ops own their children, so these never nest with each other.
 */
public final class TaskOps {
    public final Hold hold = new Hold();
    public final MmapLock.ReadLock mmapReadLock = new MmapLock.ReadLock();
    public final MmapLock.WriteLock mmapWriteLock = new MmapLock.WriteLock();
    public final LockVmaUnderRcu lockVmaUnderRcu = new LockVmaUnderRcu();
    public final VmaLock.StartWrite vmaStartWrite = new VmaLock.StartWrite();
    public final VmaLock.MarkDetached vmaMarkDetached = new VmaLock.MarkDetached();
    public final Rwsem.DownRead downRead = new Rwsem.DownRead();
    public final Rwsem.DownWrite downWrite = new Rwsem.DownWrite();
    public final LockVmaUnderRcuWait lockVmaUnderRcuWait = new LockVmaUnderRcuWait();
    public final VmaStartReadUnlocked vmaStartReadUnlocked = new VmaStartReadUnlocked();
    public final UserFault userFault = new UserFault();
    public final WriteSection writeSection = new WriteSection();
    public final RemoteRead remoteRead = new RemoteRead();
    public final MapsRead mapsRead = new MapsRead();
    public final OtherRead otherRead = new OtherRead();
    public final StackMapBuildId stackMapBuildId = new StackMapBuildId();
    /** Runs a plain action (a non-blocking call such as {@code mmapLock.readUnlock(t)}) as an op. */
    public final Call call = new Call();

    TaskOps() {
    }

    /** A non-blocking action as an op (allocation-free when the action is a reused object). */
    public static final class Call extends Op {
        private java.util.function.Consumer<Task> action;

        public Call init(java.util.function.Consumer<Task> action) {
            this.action = action;
            pc = 0;
            return this;
        }

        @Override
        public String name() {
            return "call";
        }

        @Override
        public int step(Task t) {
            action.accept(t);
            return DONE;
        }
    }
}
