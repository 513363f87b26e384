#!/bin/sh
# NOT a capture: builds ftrace-function-fixture.txt, the function tracer's lines mixed with tracepoint
# lines, because this machine's kernel refuses the function tracer (writing `function` to an
# instance's current_tracer fails with EIO; set_ftrace_filter and available_filter_functions give
# EPERM even to root), so no real function-tracer text could be recorded here.
# The tracepoint lines are the first 200 lines of the real capture ftrace-tgid.txt; after each
# page_fault_user line the script inserts function-tracer lines in the print format of
# kernel/trace/trace_output.c (trace_fn_trace: "%ps <-%ps", the parent printed with
# options/print-parent, "+off/size" with options/sym-offset), carrying the fault line's own task,
# tgid, cpu, flags and timestamp. One line without a parent (options/print-parent=0) is included,
# which is why the header says `# tracer: function` (the tracer that was current).
set -eu
cd "$(dirname "$0")"
head -n 200 ftrace-tgid.txt | awk '
  NR == 1 { print "# tracer: function"; next }
  { print }
  /: page_fault_user: / {
    n++
    i = index($0, ": page_fault_user: ")
    pre = substr($0, 1, i)                                   # "  comm-pid (tgid) [cpu] flags ts:"
    print pre " do_user_addr_fault <-exc_page_fault"
    print pre " lock_vma_under_rcu <-do_user_addr_fault"
    if (n % 5 == 0) print pre " handle_mm_fault+0x4/0x2c0 <-do_user_addr_fault+0x1f5/0x690"
    if (n == 7) print pre " vma_end_read"
  }' > ftrace-function-fixture.txt
