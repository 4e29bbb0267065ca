#!/usr/bin/env python3
"""The M/M/4 benchmark model of benches/engine.rs, written for SimPy.

One service with 4 workers and a FIFO queue; Poisson arrivals at 320/s;
exponential service times with mean 10 ms (utilization 0.8). Simulates
DURATION_S seconds and prints the service visits per second of wall time
and of CPU time,
plus the mean wait and utilization as a check that the model matches
archsim's (Erlang C: mean wait 7.46 ms).

    pip install simpy
    python3 benches/simpy/mm4.py [DURATION_S] [SEED]
"""

import random
import sys
import time

import simpy

RATE_RPS = 320.0
MEAN_SERVICE_S = 0.010
WORKERS = 4


def main() -> None:
    duration_s = float(sys.argv[1]) if len(sys.argv) > 1 else 2000.0
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    env = simpy.Environment()
    workers = simpy.Resource(env, capacity=WORKERS)
    stats = {"visits": 0, "wait_s": 0.0, "busy_s": 0.0}

    def request(env: simpy.Environment):
        arrived = env.now
        with workers.request() as slot:
            yield slot
            stats["wait_s"] += env.now - arrived
            work_s = rng.expovariate(1.0 / MEAN_SERVICE_S)
            yield env.timeout(work_s)
            stats["busy_s"] += work_s
            stats["visits"] += 1

    def arrivals(env: simpy.Environment):
        while True:
            yield env.timeout(rng.expovariate(RATE_RPS))
            env.process(request(env))

    env.process(arrivals(env))
    started, started_cpu = time.perf_counter(), time.process_time()
    env.run(until=duration_s)
    wall_s = time.perf_counter() - started
    cpu_s = time.process_time() - started_cpu
    visits = stats["visits"]
    print(f"simpy {simpy.__version__}, python {sys.version.split()[0]}")
    print(f"simulated {duration_s:.0f} s: {visits} visits in {wall_s:.2f} s wall, {cpu_s:.2f} s cpu")
    print(f"visits/s: {visits / wall_s:,.0f} by wall clock, {visits / cpu_s:,.0f} by cpu time")
    print(f"mean wait {1e3 * stats['wait_s'] / visits:.2f} ms, "
          f"utilization {stats['busy_s'] / (duration_s * WORKERS):.3f}")


if __name__ == "__main__":
    main()
