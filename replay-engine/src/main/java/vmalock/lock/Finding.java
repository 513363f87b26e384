package vmalock.lock;

/**
 * One invariant violation or modelled defect: which rule, where (mm, VMA start, task) and when.
 *
 * @param invariant short id, e.g. {@code "7-unmatched-vma_end_read"} or {@code "defect"}
 * @param timeNs    driver time of the violation
 * @param tid       the task that did it (0 if unknown)
 * @param comm      its comm, may be null
 * @param mm        the mm id (0 if none)
 * @param vmaStart  vm_start of the VMA concerned, or -1
 * @param detail    one line of explanation
 */
public record Finding(String invariant, long timeNs, int tid, String comm, long mm, long vmaStart, String detail) {
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(timeNs).append(" ns ").append(comm == null ? "?" : comm).append('-').append(tid)
                .append(" [").append(invariant).append(']');
        if (mm != 0) sb.append(" mm=0x").append(Long.toHexString(mm));
        if (vmaStart >= 0) sb.append(" vma=0x").append(Long.toHexString(vmaStart));
        return sb.append(": ").append(detail).toString();
    }
}
