package vmalock.lock;

/**
 * One page fault to simulate (reusable: fill it, pass it to {@link UserFault#init}). Times in ns.
 */
public final class Fault {
    /** x86 error-code bits. */
    public static final int PF_PROT = 1, PF_WRITE = 2, PF_USER = 4, PF_INSTR = 0x10;
    /** What handle_mm_fault returns under the VMA lock. */
    public static final int DONE = 0, RETRY = 1;

    public long address;
    public long ip;
    public long errorCode = PF_USER | PF_WRITE;
    /** User-mode fault (kernel-mode faults never try the VMA lock on x86). */
    public boolean user = true;
    /** Result of handle_mm_fault under the VMA lock: {@link #DONE} or {@link #RETRY}. */
    public int underVmaLock = DONE;
    /** The fault was MAJOR (sets FAULT_FLAG_TRIED on RETRY). */
    public boolean major;
    /** Time handle_mm_fault runs under the VMA lock. */
    public long serviceNs = 1_000;
    /** Time handle_mm_fault runs under mmap_lock (fallback path). */
    public long mmapServiceNs = 1_000;
    /** How many times handle_mm_fault returns VM_FAULT_RETRY under mmap_lock before completing. */
    public int mmapRetries;
    /** A signal is pending when a RETRY comes back (the fault returns to take it). */
    public boolean signalPending;
    /** Kernel-mode fault with an exception-table entry (copy_from_user): may block on mmap_lock. */
    public boolean kernelFixup = true;

    public Fault set(long address, boolean write, long serviceNs) {
        this.address = address;
        this.errorCode = (user ? PF_USER : 0) | (write ? PF_WRITE : 0);
        this.serviceNs = serviceNs;
        this.mmapServiceNs = serviceNs;
        this.underVmaLock = DONE;
        this.major = false;
        this.mmapRetries = 0;
        this.signalPending = false;
        return this;
    }

    public boolean write() {
        return (errorCode & PF_WRITE) != 0;
    }

    public boolean instruction() {
        return (errorCode & PF_INSTR) != 0;
    }
}
