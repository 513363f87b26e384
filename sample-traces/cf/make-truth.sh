#!/bin/sh
# make-truth.sh — writes NAME.expected.json beside every counterfactual capture in this folder,
# computed by ../expected.awk alone (never by vmalock): the independent truth of the observed figures.
set -eu
cd "$(dirname "$0")"
for f in *-[uk][0-9].txt.xz; do
  base=${f%.txt.xz}
  xz -dc "$f" | awk -v clock=local -f ../expected.awk > "$base.expected.json"
done
