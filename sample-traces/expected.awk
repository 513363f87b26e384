#!/usr/bin/awk -f
# expected.awk — independent reference implementation of the observed-statistics rules 1–6 of
# ../shared/traces/README.md, in plain POSIX awk (runs under mawk and gawk). It shares no code with
# the Java tool: it is the "short awk count committed beside" each sample trace (issue 2).
#
#   awk -f sample-traces/expected.awk TRACE > TRACE.expected.json
#   awk -v clock=counter -f sample-traces/expected.awk TRACE   # bare-integer timestamps = ticks
#
# Understands one file of: raw tracefs `trace` / `trace_pipe` text (with/without the (tgid) column,
# with/without the flags column, secs.usecs / secs.nsecs / bare-integer timestamps), `trace-cmd
# report` (plain, -l, -t) and `perf script` (default fields, -F comm,pid,tid,..., --ns,
# --show-lost-events), and the function tracer's "func <-parent" lines (events named "function";
# a bare "func" too under a "# tracer: function" header). A wait (start -> acquire) or hold (acquire ->
# release) pair with a lost-events marker between its two events (a marker of either event's CPU, or
# any marker when the marker or an event has no CPU) pairs but is not a sample: counted in
# pairing_diagnostics wait/hold_pairs_across_lost_events. Every line is classified as an event or a non-event (header, lost_marker,
# blank, other). Validated against the three ../shared/traces/*.truth.json (see check-expected.sh).

function ns_of(t,    i, s, f) {             # "1216.415952" -> 1216415952000 (exact, < 2^53)
  i = index(t, ".")
  if (i == 0) return t + 0                  # counter / x86-tsc: ticks
  s = substr(t, 1, i - 1); f = substr(t, i + 1)
  while (length(f) < 9) f = f "0"
  return s * 1000000000 + f
}
function add(name, v) {                      # sample v (ns or ticks) into series name
  n[name]++; sv[name, n[name]] = v; sum[name] += v
}
function heapsort(name, cnt,    i, end, t) { # sorts sv[name, 1..cnt] ascending (no asort in mawk)
  for (i = int(cnt / 2); i >= 1; i--) sift(name, i, cnt)
  for (end = cnt; end > 1; end--) {
    t = sv[name, 1]; sv[name, 1] = sv[name, end]; sv[name, end] = t
    sift(name, 1, end - 1)
  }
}
function sift(name, i, cnt,    c, t) {
  while ((c = 2 * i) <= cnt) {
    if (c < cnt && sv[name, c + 1] > sv[name, c]) c++
    if (sv[name, i] >= sv[name, c]) return
    t = sv[name, i]; sv[name, i] = sv[name, c]; sv[name, c] = t
    i = c
  }
}
function rank(name, cnt, p,    r) {          # nearest rank, 1-based: v[ceil(p/100*n)]
  r = p * cnt / 100
  if (r != int(r)) r = int(r) + 1
  if (r < 1) r = 1
  return sv[name, r]
}
function num(x) {                             # µs with up to 3 decimals, ticks as integers
  if (clock == "counter" || clock == "x86-tsc") return sprintf("%.0f", x)
  x = sprintf("%.3f", x / 1000)
  sub(/0+$/, "", x); sub(/\.$/, ".0", x)
  return x
}
function stat(name,    cnt, s) {
  cnt = n[name] + 0
  if (cnt == 0) return "{\"count\": 0, \"sum\": 0, \"min\": null, \"p50\": null, \"p90\": null, \"p99\": null, \"max\": null}"
  heapsort(name, cnt)
  return sprintf("{\"count\": %d, \"sum\": %s, \"min\": %s, \"p50\": %s, \"p90\": %s, \"p99\": %s, \"max\": %s}",
    cnt, num(sum[name]), num(sv[name, 1]), num(rank(name, cnt, 50)), num(rank(name, cnt, 90)),
    num(rank(name, cnt, 99)), num(sv[name, cnt]))
}
function across(from, fcpu, tcpu) {          # a lost-events marker after event number from?
  if (mark_any == "" || mark_any < from) return 0
  if ((mark_nocpu != "" && mark_nocpu >= from) || fcpu < 0 || tcpu < 0) return 1
  if ((fcpu in mark_cpu) && mark_cpu[fcpu] >= from) return 1
  return (tcpu in mark_cpu) && mark_cpu[tcpu] >= from
}
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }

BEGIN { unit = (clock == "counter" || clock == "x86-tsc") ? "ticks" : "us" }

{ sub(/\r$/, "") }

/^[ \t]*$/ { nonev["blank"]++; next }
/^#/ { nonev["header"]++
  if ($0 ~ /^# tracer: function[ \t]*$/) tracer = "function"
  if ($0 ~ /^# entries-in-buffer\/entries-written: [0-9]+\/[0-9]+/) {
    split($3, hw, "/"); hdr_in += hw[1]; hdr_wr += hw[2]; hdr_seen = 1
  }
  next }
/^cpus=[0-9]+$/ { nonev["header"]++; next }                    # trace-cmd report first line
/^ *CPU:[0-9]+ \[(LOST [0-9]+ EVENTS|LOST EVENTS|[0-9]+ EVENTS DROPPED|EVENTS DROPPED)\]/ {
  nonev["lost_marker"]++; markers++
  c = $1; sub(/^CPU:/, "", c)
  mark_any = seq; mark_cpu[c + 0] = seq
  if (match($0, /\[(LOST )?[0-9]+/)) {
    v = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", v)
    lost += v; lost_cpu[c] += v
  } else markers_nocount++
  next }
/PERF_RECORD_LOST/ {                                            # perf script --show-lost-events
  nonev["lost_marker"]++; markers++
  mark_any = seq
  if (match($0, / \[[0-9]+\] /)) { c = substr($0, RSTART + 2, RLENGTH - 4) + 0; mark_cpu[c] = seq }
  else mark_nocpu = seq
  if (match($0, /lost:? [0-9]+/)) { v = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", v); lost += v }
  else markers_nocount++
  next }

{
  # the cpu column "[NNN]" separates the task part from the rest
  cpu = -1
  # (a bracket after the timestamp is in the event's fields: a latency-format sched_switch prints "cf:2052 [120]")
  if (match($0, / \[[0-9]+\] /) && substr($0, 1, RSTART - 1) !~ / [0-9]+(\.[0-9]+)?: /) {
    pre = substr($0, 1, RSTART - 1); rest = substr($0, RSTART + RLENGTH)
    cpu = substr($0, RSTART + 2, RLENGTH - 4) + 0
  } else if (match($0, /-[0-9]+ +[0-9]+[^ ]* +[0-9]+(\.[0-9]+)?: /)) {
    # latency format (trace-cmd report -l, options/latency-format): "comm-PID  CPU+flags  TS: ..."
    s0 = RSTART; rest = substr($0, s0 + 1)
    match(rest, /^[0-9]+/)
    pre = substr($0, 1, s0) substr(rest, 1, RLENGTH); rest = substr(rest, RLENGTH + 1)
  } else { nonev["other"]++; next }
  nt = split(rest, tok, " ")
  ti = 0
  for (i = 1; i <= nt && i <= 3; i++) if (tok[i] ~ /^[0-9]+(\.[0-9]+)?:$/) { ti = i; break }
  if (ti == 0 || ti == nt) { nonev["other"]++; next }
  ts = substr(tok[ti], 1, length(tok[ti]) - 1)
  ev = tok[ti + 1]; ai = ti + 2
  if (ev ~ /^sys_[a-z0-9_]+\(/) { sub(/\(.*/, "", ev); sub(/^sys_/, "", ev); ev = "sys_enter_" ev }
  else if (ev ~ /^sys_[a-z0-9_]+$/ && tok[ti + 2] == "->") { sub(/^sys_/, "", ev); ev = "sys_exit_" ev }
  else if (tok[ti + 2] ~ /^<-/ || (tracer == "function" && ti + 1 == nt && ev !~ /:$/)) {
    ev = "function"                                             # function tracer: "func <-parent" / "func"
  }
  else {
    if (ev !~ /:$/) { nonev["other"]++; next }
    ev = substr(ev, 1, length(ev) - 1); sub(/.*:/, "", ev)
  }
  sub(/ +$/, "", pre); sub(/ *\([ 0-9-]+\)$/, "", pre)          # drop the (tgid) column
  if (tok[ti + 1] ~ /:.*:$/) {                                  # perf: "comm TID" or "comm PID/TID"
    task = pre; sub(/.* /, "", task); sub(/.*\//, "", task)
  } else {                                                      # ftrace / trace-cmd: "comm-TID"
    task = pre; sub(/.*-/, "", task)
  }
  events++; bytype[ev]++; seq++
  if (first_ts == "") first_ts = ts
  last_ts = ts
  t = ns_of(ts)

  if (ev == "page_fault_user") {
    faults++
    open1[task] = 1; open2[task] = 1                            # a new fault replaces an unmatched one
    next
  }
  if (ev !~ /^mmap_lock_/) next
  mm = ""; w = ""; ok = ""
  for (i = ai; i <= nt; i++) {
    if (tok[i] ~ /^mm=/) mm = substr(tok[i], 4)
    else if (tok[i] ~ /^write=/) w = substr(tok[i], 7)
    else if (tok[i] ~ /^success=/) ok = substr(tok[i], 9)
  }
  if (!(mm in mms)) { mms[mm] = 1; nmm++ }
  k = task SUBSEP mm SUBSEP w
  if (ev == "mmap_lock_start_locking") {
    if (k in start) diag_start_replaced++
    start[k] = t; start_seq[k] = seq; start_cpu[k] = cpu
  } else if (ev == "mmap_lock_acquire_returned") {
    had_start = (k in start)
    if (had_start && across(start_seq[k], start_cpu[k], cpu)) { # lost events in between: no sample
      delete start[k]; diag_wait_lost++
    } else if (had_start) {                                     # rule 3
      d = t - start[k]; delete start[k]
      add(w == "true" ? "ww" : "rw", d)
      if (ok == "true") add(w == "true" ? "wws" : "rws", d)
      else diag_wait_false++
    } else if (w == "false") diag_acq_nostart_r++
    else diag_acq_nostart_w++
    if (ok == "true") {
      if (w == "true") {
        wacq++
        if (open2[task]) delete open2[task]                     # rule 2: a write acquisition discards
      } else {
        racq++
        if (open1[task]) { fb1++; delete open1[task]; if (!had_start) fb_downgrade++ }
        if (had_start && open2[task]) { fb2++; delete open2[task] }
      }
      if (k in acq) { if (w == "true") diag_over_w++; else diag_over_r++ }   # rule 4
      acq[k] = t; acq_seq[k] = seq; acq_cpu[k] = cpu
    } else {
      failed++; if (w == "true") failed_w++; else failed_r++
    }
  } else if (ev == "mmap_lock_released") {
    if ((k in acq) && across(acq_seq[k], acq_cpu[k], cpu)) { diag_hold_lost++; delete acq[k] }
    else if (k in acq) { add(w == "true" ? "wh" : "rh", t - acq[k]); delete acq[k] }
    else diag_rel_noacq++
  }
}

END {
  printf "{\n"
  printf " \"lines_total\": %d,\n", NR
  nn = 0; s = ""
  for (kk in nonev) { nn += nonev[kk] }
  printf " \"non_event_lines\": %d,\n", nn
  printf " \"non_event_lines_by_kind\": {"
  sep = ""
  split("header lost_marker blank other", kinds, " ")
  for (i = 1; i <= 4; i++) if (nonev[kinds[i]] > 0) { printf "%s\"%s\": %d", sep, kinds[i], nonev[kinds[i]]; sep = ", " }
  printf "},\n"
  printf " \"total_events\": %d,\n", events
  # events_by_type sorted by name (insertion sort; few types)
  m = 0; for (kk in bytype) names[++m] = kk
  for (i = 2; i <= m; i++) { v = names[i]; for (j = i - 1; j >= 1 && names[j] > v; j--) names[j + 1] = names[j]; names[j + 1] = v }
  printf " \"events_by_type\": {"
  for (i = 1; i <= m; i++) printf "%s\n  %s: %d", (i > 1 ? "," : ""), jstr(names[i]), bytype[names[i]]
  printf "\n },\n"
  printf " \"first_ts\": %s,\n \"last_ts\": %s,\n", jstr(first_ts), jstr(last_ts)
  printf " \"time_unit\": \"%s\",\n", unit
  printf " \"page_faults\": %d,\n", faults
  printf " \"mmap_lock\": {\"read_acquisitions\": %d, \"write_acquisitions\": %d, \"failed_acquisitions\": %d, \"failed_read_acquisitions\": %d, \"failed_write_acquisitions\": %d},\n", racq, wacq, failed, failed_r, failed_w
  printf " \"fallback_faults\": %d,\n", fb1
  printf " \"fallback_rate\": %.6f,\n", faults ? fb1 / faults : 0
  printf " \"fallback_faults_strict\": %d,\n", fb2
  printf " \"fallback_rate_strict\": %.6f,\n", faults ? fb2 / faults : 0
  printf " \"lost_events\": %d,\n", lost
  printf " \"lost_event_markers\": %d,\n", markers
  printf " \"lost_event_markers_without_count\": %d,\n", markers_nocount
  printf " \"lost_events_by_cpu\": {"
  sep = ""; for (c in lost_cpu) { printf "%s\"%s\": %d", sep, c, lost_cpu[c]; sep = ", " }
  printf "},\n"
  printf " \"distinct_mm\": %d,\n", nmm
  if (hdr_seen) printf " \"header_entries_in_buffer\": %d,\n \"header_entries_written\": %d,\n \"header_entries_overwritten\": %d,\n", hdr_in, hdr_wr, hdr_wr - hdr_in
  sfx = (unit == "ticks") ? "_ticks" : "_us"
  printf " \"writer_wait%s\": %s,\n", sfx, stat("ww")
  printf " \"reader_wait%s\": %s,\n", sfx, stat("rw")
  printf " \"writer_wait_success_only%s\": %s,\n", sfx, stat("wws")
  printf " \"reader_wait_success_only%s\": %s,\n", sfx, stat("rws")
  printf " \"write_hold%s\": %s,\n", sfx, stat("wh")
  printf " \"read_hold%s\": %s,\n", sfx, stat("rh")
  nsl = 0; for (kk in start) nsl++
  nar = 0; naw = 0; for (kk in acq) { split(kk, kp, SUBSEP); if (kp[3] == "true") naw++; else nar++ }
  printf " \"pairing_diagnostics\": {\"acquire_never_released_read\": %d, \"acquire_never_released_write\": %d, \"acquire_overwritten_without_release_write\": %d, \"acquire_without_start_read\": %d, \"fallback_faults_matched_by_downgrade\": %d, \"hold_pairs_across_lost_events\": %d, \"start_locking_never_acquired\": %d, \"wait_pairs_across_lost_events\": %d, \"wait_samples_with_success_false\": %d}\n", nar, naw, diag_over_w, diag_acq_nostart_r, fb_downgrade, diag_hold_lost, nsl, diag_wait_lost, diag_wait_false
  printf "}\n"
}
