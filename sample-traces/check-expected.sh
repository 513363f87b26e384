#!/bin/sh
# check-expected.sh — validates expected.awk against the three shared truth files
# (../shared/traces/*.truth.json, computed by a separate Python script): every field that
# expected.awk emits must equal the truth's value (numbers compared numerically).
#   sh sample-traces/check-expected.sh [SHARED_TRACES_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../shared/traces}
[ -d "$dir" ] || dir=$here/shared/traces   # no ../shared beside the checkout: the bundled copies
rc=0
# fields expected.awk emits but a truth file lacks are not compared
JQ_SAME='
def same($a; $b):
  if ($a|type) == "object" then
    (($b|type) == "object") and ([$a|keys[] as $k | ($b|has($k)|not) or same($a[$k]; $b[$k])] | all)
  elif ($a|type) == "number" then ($b|type) == "number" and (($a - $b)|fabs) < 1e-9
  else $a == $b end;
def diff($a; $b; $p):
  if ($a|type) == "object" and ($b|type) == "object" then
    $a|keys[] as $k | select($b|has($k)) | diff($a[$k]; $b[$k]; $p + "." + $k)
  elif same($a; $b) then empty
  else "  \($p): awk=\($a|tojson) truth=\($b|tojson)" end;
'
for truth in "$dir"/*.truth.json; do
  trace=${truth%.truth.json}; [ -f "$trace" ] || trace="$trace.txt"
  out=$(awk -f "$here/expected.awk" "$trace")
  if printf '%s' "$out" | jq -e --slurpfile t "$truth" "$JQ_SAME"' same(.; $t[0])' >/dev/null; then
    echo "OK   $(basename "$trace")"
  else
    echo "FAIL $(basename "$trace")"; rc=1
    printf '%s' "$out" | jq -r --slurpfile t "$truth" "$JQ_SAME"' diff(.; $t[0]; "")'
  fi
done
exit $rc
