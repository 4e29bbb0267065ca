#!/usr/bin/env bash
# Measures the figures of docs/scale-out.md on this machine:
#   1. one job of a 1,000-service sweep: time and peak memory of a shard of two
#      units of scenarios/large-1000.json (archsim prints its peak memory);
#   2. the merge of that part;
#   3. the merge of 10,000 parts against 100 parts of the same sweep (an ignored
#      test, tests/cluster.rs: measure_merge_of_10000_parts), both checked byte for
#      byte against the unsharded sweep.
# Run from anywhere; it builds what it needs with the test profile (optimised).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cargo build --quiet --profile test --bin archsim
archsim=target/debug/archsim
echo "== one job of a large-1000 sweep (2 units, --jobs 1)"
/usr/bin/env time -f "cpu %U s user, %e s wall, max RSS %M KiB" \
  "$archsim" sweep scenarios/large-1000.json --vary load=1,1.5 --replications 1 --jobs 1 \
  --shard 0/1 --out "$tmp/parts"
ls -l "$tmp/parts"
echo "== its merge"
/usr/bin/env time -f "cpu %U s user, %e s wall, max RSS %M KiB" \
  "$archsim" sweep merge "$tmp/parts" --out "$tmp/merged.csv"
echo "== merging 10,000 parts"
cargo test --quiet --test integration measure_merge -- --ignored --nocapture 2>&1 | grep '^measure:'
