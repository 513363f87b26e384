/**
 * The kernel's address-space locks in Java: {@link vmalock.lock.Rwsem} (non-RT rw_semaphore),
 * {@link vmalock.lock.MmapLock} (mmap_lock + mm_lock_seq, emitting mmap_lock and lock:contention
 * tracepoints as canonical {@link vmalock.event.Event}s), the per-VMA lock in both designs
 * ({@link vmalock.lock.VmaLock}, {@link vmalock.lock.VmaLockDesign}), {@link vmalock.lock.LockVmaUnderRcu},
 * the x86 user fault path, the acquisition strategies of spec §6, and the invariant checker.
 *
 * <h2>One algorithm, two drivers</h2>
 * Every algorithm is an {@link vmalock.lock.Op}: a step machine that returns RUN / BLOCK / DELAY / DONE
 * instead of blocking. A {@link vmalock.lock.Driver} runs tasks' op stacks:
 * {@link vmalock.lock.SimScheduler} (deterministic virtual time in ns; waits are continuations in a
 * primitive-keyed event heap), {@link vmalock.lock.ThreadDriver} (real threads, park/unpark) and
 * {@link vmalock.lock.Explorer} (every interleaving of small scenarios, invariants after every step).
 *
 * <h2>Driving a task (for the replay)</h2>
 * <pre>{@code
 * SimScheduler sim = new SimScheduler(findings, checkInvariants);
 * Mm mm = new Mm(mmId, VmaLockDesign.REFCOUNT, eventListener, new VmEvents(), Mm.DEFAULT_MMAP_LOCK_OFFSET);
 * Vma v = mm.addVma(0x7f0000000000L, 0x7f0000100000L);          // initial address space
 * Task t = new Task(tid, tgid, "a.out");
 * sim.spawn(t, program, startNs);   // program: Program.next(t) returns the next op, null = done
 * sim.run();                        // or runUntil(ns)
 * }</pre>
 * A {@link vmalock.lock.Program} returns preallocated ops from {@code t.ops()} (see
 * {@link vmalock.lock.TaskOps}); the previous op's results are in {@code t.ret}, {@code t.retObj},
 * {@code t.reason} when {@code next} is called:
 * <ul>
 * <li>think / service / hold time: {@code t.ops().hold.init(ns)};</li>
 * <li>fault at X under strategy S: {@code t.ops().userFault.init(mm, fault, policy)} with a
 *     {@link vmalock.lock.Fault} describing address, error code, user/kernel mode, outcome under the
 *     VMA lock (done / VM_FAULT_RETRY), service time; result {@code t.ret} = a
 *     {@link vmalock.lock.UserFault} outcome constant;</li>
 * <li>write section locking VMAs V1..Vn for N ns, then unlock or downgrade:
 *     {@code t.ops().writeSection.init(mm, ws)} with a {@link vmalock.lock.WriteSection.Spec}
 *     (VMAs to write-lock, to detach, to insert; hold ns; unlock or downgrade + read hold ns);</li>
 * <li>remote read of range R: {@code t.ops().remoteRead.init(mm, addr, len, perPageNs, policy)};</li>
 * <li>other readers (madvise, binder, tcp…): {@code t.ops().otherRead.init(mm, addr, holdNs, policy)}.</li>
 * </ul>
 * A {@link vmalock.lock.Policy} is a lock design plus one acquisition strategy per caller class
 * ({@link vmalock.lock.Policy.FaultStrategy}, {@link vmalock.lock.Policy.RemoteStrategy},
 * {@link vmalock.lock.Policy.ReaderStrategy}); the replay composes presets from them.
 * Counters: {@link vmalock.lock.VmEvents} per mm (vma_lock_success/abort/retry/miss); findings and
 * modelled defects: {@link vmalock.lock.Findings}.
 */
package vmalock.lock;
