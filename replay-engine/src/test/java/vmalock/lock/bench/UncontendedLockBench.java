package vmalock.lock.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import vmalock.lock.LockVmaUnderRcu;
import vmalock.lock.Mm;
import vmalock.lock.MmapLock;
import vmalock.lock.Task;
import vmalock.lock.ThreadDriver;
import vmalock.lock.Vma;
import vmalock.lock.VmaLock;

/**
 * Uncontended read lock + unlock on the real-thread driver, next to the JDK's read-write locks in the
 * same run (one thread, ns per lock+unlock pair).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class UncontendedLockBench {
    ThreadDriver driver;
    Task task;
    Mm mm;
    Vma vma;
    VmaLock.StartRead startRead;
    LockVmaUnderRcu lookup;
    MmapLock.ReadLock readLock;
    final ReentrantReadWriteLock rrwl = new ReentrantReadWriteLock();
    final StampedLock stamped = new StampedLock();

    @Setup
    public void setup() {
        driver = new ThreadDriver();
        task = driver.attachCurrentThread(new Task(1, "bench"));
        mm = new Mm(0x1000, null); // no event listener: tracepoints disabled
        vma = mm.addVma(0x10000, 0x20000);
        startRead = new VmaLock.StartRead();
        lookup = new LockVmaUnderRcu();
        readLock = new MmapLock.ReadLock();
    }

    @Benchmark
    public Object vmaStartReadEndRead() {
        driver.runInline(task, startRead.init(mm, vma));
        Object v = task.retObj;
        VmaLock.endRead(task, vma);
        return v;
    }

    @Benchmark
    public Object lockVmaUnderRcuEndRead() {
        driver.runInline(task, lookup.init(mm, 0x10000));
        Object v = task.retObj;
        VmaLock.endRead(task, vma);
        return v;
    }

    @Benchmark
    public long mmapReadLockUnlock() {
        driver.runInline(task, readLock.init(mm, false, true));
        mm.mmapLock.readUnlock(task);
        return task.ret;
    }

    @Benchmark
    public boolean rwsemDownReadTrylockUpRead() {
        boolean ok = mm.mmapLock.rwsem.downReadTrylock(task);
        mm.mmapLock.rwsem.upRead(task);
        return ok;
    }

    @Benchmark
    public void reentrantReadWriteLockRead() {
        ReentrantReadWriteLock.ReadLock l = rrwl.readLock();
        l.lock();
        l.unlock();
    }

    @Benchmark
    public long stampedLockRead() {
        long s = stamped.readLock();
        stamped.unlockRead(s);
        return s;
    }
}
