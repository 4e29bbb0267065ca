#!/usr/bin/env python3
"""Writes a large synthetic topology for measuring exports (docs/performance.md).

    python3 scripts/gen_scale.py dag 50000 > /tmp/dag-50000.json
    python3 scripts/gen_scale.py chain 85000 > /tmp/chain-85000.json

Shapes:

- dag N: a random directed acyclic graph of N services. Service j > 0 is
  called by one earlier service (a random spanning tree), and with
  probability 1/2 by a second earlier one, optionally (probability 0.1), so
  the expected load stays finite. One entry at 10 requests/s into service 0.
- chain N: N services, each calling the next once; one entry at 1 request/s
  into the first, and one 10 s scenario (the report simulates it).

Deterministic: its own SplitMix64 generator with a fixed seed (or
--seed S), so the same arguments always write the same bytes.
"""

import json
import sys

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next_u64() % n


def service(i, calls):
    s = {"name": f"s{i}", "service_time": {"dist": "constant", "ms": 1}}
    if calls:
        s["calls"] = calls
    return s


def dag(n, rng):
    calls = [[] for _ in range(n)]
    for j in range(1, n):
        calls[rng.below(j)].append({"to": f"s{j}"})
        if rng.below(2) == 0:
            calls[rng.below(j)].append({"to": f"s{j}", "probability": 0.1, "optional": True})
    return {
        "name": f"Random DAG of {n} services",
        "services": [service(i, calls[i]) for i in range(n)],
        "workload": [{"name": "in", "to": "s0", "rate_rps": 10}],
    }


def chain(n):
    return {
        "name": f"Chain of {n} services",
        "services": [service(i, [{"to": f"s{i + 1}"}] if i + 1 < n else []) for i in range(n)],
        "workload": [{"name": "in", "to": "s0", "rate_rps": 1}],
        "scenarios": [{"name": "short", "duration_s": 10}],
    }


def main():
    args = sys.argv[1:]
    seed = 1
    if "--seed" in args:
        at = args.index("--seed")
        seed = int(args[at + 1])
        del args[at:at + 2]
    if len(args) != 2 or args[0] not in ("dag", "chain") or not args[1].isdigit():
        sys.exit("usage: gen_scale.py dag|chain N [--seed S] > FILE.json")
    shape, n = args[0], int(args[1])
    if n < 1:
        sys.exit("gen_scale.py: N must be at least 1")
    topology = dag(n, SplitMix64(seed)) if shape == "dag" else chain(n)
    json.dump(topology, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
