# Sourced by the bench scripts: repeat_trace FILE SIZE_MB makes FILE (unless it is already that large) by
# concatenating the shared real ftrace capture until SIZE_MB; SHARED is ../shared or the bundled copy.
SHARED=${VMALOCK_SHARED:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared}
[ -d "$SHARED/traces" ] || SHARED=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/sample-traces/shared
repeat_trace() {
  local file=$1 want=$(($2 * 1000 * 1000))
  if [ ! -f "$file" ] || [ "$(stat -c %s "$file")" -lt "$want" ]; then
    : > "$file"
    while [ "$(stat -c %s "$file")" -lt "$want" ]; do cat "$SHARED/traces/ftrace-overlap-default.txt" >> "$file"; done
  fi
}
