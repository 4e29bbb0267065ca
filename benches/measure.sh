#!/usr/bin/env bash
# Engine speed in visits and events per second, by wall clock and by CPU
# time, for the M/M/4 model, the 1,000-service example and the SimPy M/M/4
# model: first the whole `archsim run` process (CPU time of the process:
# loading, simulating, writing the JSON), then the engine alone
# (`archsim bench`: CPU time of the simulation phase, by thread CPU time).
# CPU time is what one core delivers when other processes share the machine; wall clock is the same on a quiet machine. See docs/performance.md.
#
#   cargo build --release --no-default-features --features cli
#   benches/measure.sh [ROUNDS]          (needs python3 with simpy for the last part)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
bin=target/release/archsim
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/mm4.json" <<'JSON'
{"name": "M/M/4", "services": [{"name": "s", "workers": 4, "service_time": {"dist": "exponential", "mean_ms": 10}}],
 "workload": [{"name": "in", "to": "s", "rate_rps": 320}],
 "scenarios": [{"name": "bench", "duration_s": 20000, "seed": 1}]}
JSON

# rate NAME ARGS...: runs archsim with ARGS and prints visits and events per
# second of wall clock (the summary's wall_s) and of CPU time (user + sys).
rate() {
  local name="$1"; shift
  /usr/bin/time -f "%U %S" -o "$tmp/time" "$bin" run "$@" --json "$tmp/out.json" > /dev/null 2> "$tmp/err"
  python3 - "$name" "$tmp/out.json" "$tmp/time" <<'PY'
import json, sys
name, out, times = sys.argv[1:]
s = json.load(open(out))
visits = sum(sum(x["arrivals"]) for x in s["timeseries"]["services"].values())
cpu = sum(float(x) for x in open(times).read().split())
print(f"{name}: {visits:,} visits, {s['events']:,} events | wall {s['wall_s']:.2f} s: "
      f"{visits / s['wall_s'] / 1e6:.2f} M visits/s, {s['events'] / s['wall_s'] / 1e6:.2f} M events/s | "
      f"cpu {cpu:.2f} s: {visits / cpu / 1e6:.2f} M visits/s, {s['events'] / cpu / 1e6:.2f} M events/s")
PY
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$rounds"); do rate "M/M/4 (6.4M visits)" "$tmp/mm4.json"; done
for _ in $(seq "$rounds"); do rate "large-1000 (300 s)" scenarios/large-1000.json --duration-s 300; done
for _ in $(seq "$rounds"); do echo "M/M/4 $("$bin" bench "$tmp/mm4.json" --rounds 1 | grep 'engine only')"; done
for _ in $(seq "$rounds"); do echo "large-1000 (300 s) $("$bin" bench scenarios/large-1000.json --duration-s 300 --rounds 1 | grep 'engine only')"; done
if python3 -c "import simpy" 2> /dev/null; then
  for seed in $(seq "$rounds"); do
    echo "SimPy M/M/4 (640k visits): $(python3 benches/simpy/mm4.py 2000 "$seed" | grep visits/s)"
  done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
