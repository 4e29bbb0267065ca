#!/usr/bin/env bash
# Replications on every core: wall time and peak memory (RSS) of
# `archsim run FILE --replications N --jobs J` for each J, each in its own
# process under /usr/bin/time -v (peak RSS is per process), then the
# speed-up against the first J and the memory budget of the issue
# (300 MB + 100 MB per concurrent job). See docs/performance.md.
#
#   cargo build --release --no-default-features --features cli
#   benches/replications.sh [FILE] [REPLICATIONS] [JOBS...]
#   benches/replications.sh scenarios/large-1000.json 10 1 2      (the defaults)
#
# ARCHSIM=path/to/archsim picks another binary; EXTRA="--duration-s 20"
# passes more options to `archsim run` (e.g. a short check that the script works).
# The speed-up only means something on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:-scenarios/large-1000.json}"
reps="${2:-10}"
shift $(( $# < 2 ? $# : 2 ))
jobs=("$@")
if [ ${#jobs[@]} -eq 0 ]; then jobs=(1 2); fi
bin="${ARCHSIM:-target/release/archsim}"
extra="${EXTRA:-}"
if [ ! -x "$bin" ]; then
  echo "no $bin: build it with cargo build --release --no-default-features --features cli (or set ARCHSIM)" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "archsim run $file --replications $reps $extra; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%6s %10s %10s %14s %9s %16s\n' jobs "wall s" "CPU s" "peak RSS MB" speed-up "RSS budget MB"
first_wall=""
for j in "${jobs[@]}"; do
  # shellcheck disable=SC2086
  /usr/bin/time -v -o "$tmp/time" "$bin" run "$file" --replications "$reps" --jobs "$j" $extra \
    > /dev/null 2> "$tmp/err" || { cat "$tmp/err" "$tmp/time" >&2; exit 1; }
  python3 - "$j" "$tmp/time" "$first_wall" <<'PY' > "$tmp/line"
import sys
jobs, path, first = int(sys.argv[1]), sys.argv[2], sys.argv[3]
fields = {}
for line in open(path):
    key, _, value = line.strip().rpartition(": ")
    fields[key] = value
clock = fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
wall = sum(float(part) * 60 ** i for i, part in enumerate(reversed(clock)))
cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
rss_mb = int(fields["Maximum resident set size (kbytes)"]) * 1024 / 1e6
budget = 300 + 100 * jobs
speedup = float(first) / wall if first else 1.0
verdict = "ok" if rss_mb < budget else "OVER"
print(f"{jobs:6d} {wall:10.2f} {cpu:10.2f} {rss_mb:14.1f} {speedup:8.2f}x {budget:8d} ({verdict})")
print(f"WALL {wall}")
PY
  grep -v '^WALL' "$tmp/line"
  if [ -z "$first_wall" ]; then first_wall="$(sed -n 's/^WALL //p' "$tmp/line")"; fi
done
