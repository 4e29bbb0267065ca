#!/bin/bash
# Opens a topology in the app under a virtual display, fits it to a
# 1600×1000 window, pans it with 120 mouse drags (alternately right and
# left, so that the map stays in view) and prints the app's frame log
# (ARCHSIM_FRAME_TIMES). Needs Xvfb and xdotool (apt-get install xvfb
# xdotool) and a release build (cargo build --release).
#
#     scripts/pan-frames.sh target/large-10000.json [seconds to wait for the layout]
set -euo pipefail
file=${1:?usage: scripts/pan-frames.sh FILE [WAIT_SECONDS]}
wait_s=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/target/release/archsim"
[ -x "$app" ] || { echo "build the app first: cargo build --release" >&2; exit 2; }
work=$(mktemp -d)
# A fresh home, so that panel sizes saved by earlier runs do not apply.
export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
app_pid=
trap 'kill $app_pid $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
export DISPLAY=$display
ARCHSIM_FRAME_TIMES=1 "$app" "$file" 2>"$work/log" &
app_pid=$!
sleep "$wait_s"
window=$(xdotool search --name archsim | head -1)
xdotool windowactivate --sync "$window" >/dev/null 2>&1 || true
xdotool windowsize "$window" 1600 1000
xdotool key ctrl+0
sleep 2
for i in $(seq 1 120); do
    if [ $((i % 2)) = 1 ]; then d=1; else d=-1; fi
    xdotool mousemove 600 300 mousedown 1
    for k in $(seq 1 12); do
        xdotool mousemove $((600 + d * k * 15)) $((300 + d * k * 8))
        sleep 0.01
    done
    xdotool mouseup 1
done
sleep 2
grep "frame times" "$work/log" || echo "no frame log: did the app start? $(cat "$work/log")" >&2
