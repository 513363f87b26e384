#!/usr/bin/env bash
# Start-up on two JDKs (issue 13 target 1): JDK 17 with the AppCDS archive against a JDK 24+ with the AOT cache, as the
# launcher runs them (./vmalock, cold JVM; VMALOCK_JAVA picks the JDK). Interleaved rounds, each: `java -version` of
# both JDKs (the baselines), `vmalock --version`, then `ingest T -w WS` and `stats -w WS` (T: the first 1,000 lines of
# the shared ftrace capture) on each JDK, also without the archive/cache (VMALOCK_CDS=0). Prints medians of wall and
# CPU (user+sys) seconds and the ratios: to each JDK's own `java -version`, and JDK B against JDK A.
#
# Usage: bench/jdk-ab.sh [RUNS]        (default 15)
#   JAVA_A=java                        the first JDK (VMALOCK_JAVA): `java` on the PATH (17)
#   JAVA_B=DIR-or-java                 the second (default: the launcher's choice, cli/target/vmalock.java)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
V="$ROOT/vmalock"
R=${1:-15}
"$V" --version > /dev/null                  # builds the jar and the JDK choice outside the figures
JAVA_A=${JAVA_A:-java}
if [ -z "${JAVA_B:-}" ]; then read -r _ JAVA_B < "$ROOT/cli/target/vmalock.java"; fi
[ -d "$JAVA_B" ] && JAVA_B=$JAVA_B/bin/java
[ "$JAVA_A" != "$JAVA_B" ] || { echo "JAVA_A and JAVA_B are the same ($JAVA_A): no JDK >= 24 found; set JAVA_B" >&2; exit 2; }
for j in "$JAVA_A" "$JAVA_B"; do VMALOCK_JAVA="$j" "$V" --version > /dev/null; done   # each JDK's archive or cache
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
T="$TMP/trace-1000.txt"; WS="$TMP/ws"
head -n 1000 "$SHARED/traces/ftrace-overlap-default.txt" > "$T"
one() {               # one NAME CMD…: appends "wall cpu" to $TMP/NAME
  local f=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" > /dev/null 2> "$TMP/err" || { cat "$TMP/err" >&2; return 1; }
  # a vmalock command prints nothing on stderr here (no JVM warning either)
  [ "$2" = -version ] || [ ! -s "$TMP/err" ] || { echo "stderr of $*:" >&2; cat "$TMP/err" >&2; return 1; }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$TMP/t" >> "$TMP/$f"
}
med() { sort -n -k"$2" "$TMP/$1" | awk -v c="$2" '{ v[NR] = $c } END { printf "%.3f", v[int((NR + 1) / 2)] }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo "A: $JAVA_A ($("$JAVA_A" -version 2>&1 | head -1)); B: $JAVA_B ($("$JAVA_B" -version 2>&1 | head -1))"
for _ in $(seq "$R"); do
  for s in A B; do
    if [ $s = A ]; then j=$JAVA_A; else j=$JAVA_B; fi
    one "$s.jv" "$j" -version
    VMALOCK_JAVA=$j one "$s.vv" "$V" --version
    rm -rf "$WS"; VMALOCK_JAVA=$j one "$s.ing" "$V" ingest "$T" -w "$WS"
    VMALOCK_JAVA=$j one "$s.sta" "$V" stats -w "$WS"
    rm -rf "$WS"; VMALOCK_CDS=0 VMALOCK_JAVA=$j one "$s.ing0" "$V" ingest "$T" -w "$WS"
    VMALOCK_CDS=0 VMALOCK_JAVA=$j one "$s.sta0" "$V" stats -w "$WS"
  done
done
for s in A B; do
  for f in jv vv ing sta ing0 sta0; do
    printf -v "W_${s}_$f" '%s' "$(med "$s.$f" 1)"; printf -v "C_${s}_$f" '%s' "$(med "$s.$f" 2)"
  done
  for k in W C; do
    a="${k}_${s}_ing" b="${k}_${s}_sta"; printf -v "${k}_${s}_sum" '%s' "$(add "${!a}" "${!b}")"
    a="${k}_${s}_ing0" b="${k}_${s}_sta0"; printf -v "${k}_${s}_sum0" '%s' "$(add "${!a}" "${!b}")"
  done
done
cell() { local w="W_${1}_$2" c="C_${1}_$2" jw="W_${1}_jv"; printf '%s / %s (%s×)' "${!w}" "${!c}" "$(ratio "${!w}" "${!jw}")"; }
ba() { local bw="W_B_$1" aw="W_A_$1" bc="C_B_$1" ac="C_A_$1"; printf '%s / %s' "$(ratio "${!bw}" "${!aw}")" "$(ratio "${!bc}" "${!ac}")"; }
echo
echo "| median of $R, wall s / CPU s (× its JDK's java -version, wall) | A: JDK 17, AppCDS | B: JDK 25, AOT cache | B / A (wall / CPU) |"
echo "| --- | --- | --- | --- |"
echo "| \`java -version\` (baseline) | $(cell A jv) | $(cell B jv) | $(ba jv) |"
echo "| \`vmalock --version\` | $(cell A vv) | $(cell B vv) | $(ba vv) |"
echo "| \`vmalock ingest\` 1,000 lines | $(cell A ing) | $(cell B ing) | $(ba ing) |"
echo "| \`vmalock stats\` on it | $(cell A sta) | $(cell B sta) | $(ba sta) |"
echo "| **ingest + stats** | $(cell A sum) | $(cell B sum) | $(ba sum) |"
echo "| ingest + stats, \`VMALOCK_CDS=0\` (no archive / cache) | $(cell A sum0) | $(cell B sum0) | $(ba sum0) |"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (medians of $R, interleaved)"
