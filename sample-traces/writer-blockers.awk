# writer-blockers.awk — what mmap_lock writers waited behind, from a raw ftrace `trace` file with the
# (tgid) column (options/record-tgid=1), independent of vmalock. For every write acquisition that
# waited >= MIN µs (start_locking → acquire_returned), the read holders of that mm at the writer's
# start are classified: a task of the writer's own process ("own"), or another process's task — inside
# process_vm_readv ("remote process_vm_readv"), else by its hold: <= SHORT µs ("remote short": the
# one-page __access_remote_vm class, /proc/PID/cmdline) or longer ("remote long": /proc/PID/smaps
# walks). A wait with no read holder at the writer's start is attributed to the readers queued ahead
# of it ("queued ahead: CLASS"): read acquisitions of that mm that started locking before the writer
# and returned during its wait — rwsem hands the lock to them first, and a reader woken while its CPU
# is busy holds it off-CPU until it runs. Prints waits and their total per class set.
# usage: awk [-v MIN=2] [-v SHORT=5] -f writer-blockers.awk trace.txt
BEGIN { if (MIN == "") MIN = 2; if (SHORT == "") SHORT = 5 }
/^#/ { next }
{
  if (!match($0, /-[0-9]+ +\( *[0-9-]+\)/)) next
  s = substr($0, RSTART + 1, RLENGTH - 1); tid = s + 0
  sub(/^[0-9]+ +\( */, "", s); tgid = s + 0
  if (!match($0, / [0-9]+\.[0-9]+: /)) next
  ts = substr($0, RSTART + 1, RLENGTH - 3) * 1e6
  rest = substr($0, RSTART + RLENGTH)
  if (rest ~ /^sys_process_vm_readv\(/ || rest ~ /^sys_process_vm_writev\(/) { pvr[tid] = 1; next }
  if (rest ~ /^sys_process_vm_(readv|writev) ->/) { pvr[tid] = 0; next }
  if (rest !~ /^mmap_lock_/) next
  match(rest, /mm=[0-9a-fx]+/); mm = substr(rest, RSTART + 3, RLENGTH - 3)
  w = rest ~ /write=true/
  if (rest ~ /^mmap_lock_start_locking/) { if (w) wstart[tid] = ts; else rstart[tid] = ts; next }
  if (rest ~ /^mmap_lock_acquire_returned/) {
    if (rest !~ /success=true/) next
    if (w) {
      if (tid in wstart) { nw++; W_mm[nw] = mm; W_s[nw] = wstart[tid]; W_a[nw] = ts; W_g[nw] = tgid; delete wstart[tid] }
    } else {
      racq[tid] = ts; rmm[tid] = mm; rg[tid] = tgid; rp[tid] = pvr[tid]
      rs[tid] = (tid in rstart) ? rstart[tid] : ts; delete rstart[tid]
    }
    next
  }
  if (rest ~ /^mmap_lock_released/ && !w && (tid in racq)) {
    nr++; R_mm[nr] = rmm[tid]; R_a[nr] = racq[tid]; R_r[nr] = ts; R_g[nr] = rg[tid]; R_p[nr] = rp[tid]
    R_s[nr] = rs[tid]
    delete racq[tid]
  }
}
END {
  for (i = 1; i <= nw; i++) {
    wait = W_a[i] - W_s[i]
    if (wait < MIN) continue
    key = ""
    for (j = 1; j <= nr; j++) {
      if (R_mm[j] != W_mm[i] || R_a[j] > W_s[i] || R_r[j] <= W_s[i]) continue
      c = cls(j, i)
      if (index(key, c) == 0) key = key (key == "" ? "" : " + ") c
    }
    if (key == "") {
      for (j = 1; j <= nr; j++) {
        if (R_mm[j] != W_mm[i] || R_s[j] > W_s[i] || R_a[j] < W_s[i] || R_a[j] > W_a[i]) continue
        c = cls(j, i)
        if (index(key, c) == 0) key = key (key == "" ? "queued ahead: " : " + ") c
      }
    }
    if (key == "") key = "no read holder (writer or queue ahead)"
    n[key]++; t[key] += wait; total += wait; waits++
  }
  printf "%d writer waits >= %d us, %.0f us in all\n", waits, MIN, total
  for (k in n) printf "%6d waits %8.0f us  %s\n", n[k], t[k], k
}
function cls(j, i) {
  if (R_g[j] == W_g[i]) return "own"
  if (R_p[j]) return "remote process_vm_readv"
  if (R_r[j] - R_a[j] <= SHORT) return "remote short"
  return "remote long"
}
