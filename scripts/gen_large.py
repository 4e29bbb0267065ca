#!/usr/bin/env python3
"""Generates scenarios/large-1000.json: a synthetic topology of 1,044 services
(or of about any other size).

Deterministic: it uses its own SplitMix64 generator with a fixed seed, so the
same script always writes the same bytes. Run from the repository root:

    python3 scripts/gen_large.py > scenarios/large-1000.json
    python3 scripts/gen_large.py --services 10000 > large-10000.json

Shape (layered, calls only go to later layers or to later services of the
same layer, so the operation graph is acyclic):

    4 gateways (120 routes) -> 40 BFFs (one per domain) -> 320 domain services
      -> 400 core services -> 280 data stores (caches, databases, queues)

With `--services N` the number of domains is about (N - 4) / 26 (26 services
each) and there is one gateway per ten domains, so 10000 gives 384 domains,
39 gateways and 10,023 services. Domains past the first 40 reuse their names
with a number ("catalog-2"), and so do gateways past the first 4; the base
rate grows with the number of domains. Without the flag the output is
exactly scenarios/large-1000.json.

Each domain is a `group`. Most calls stay inside their domain; about one in
six crosses to another domain. Replicas are sized from the expected load so
that no service is above ~50% utilization at the base rate (the same
open-network estimate that `archsim analyze` prints), and services with more
than one replica are spread over zones a, b and c. A few data stores are
deliberately left with a single replica, as real systems often do.

The output is in archsim's canonical form (the form `archsim` saves), so
loading and saving it changes nothing.
"""

import argparse
import json
import math
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

    def uniform(self):
        """A float in [0, 1)."""
        return (self.next_u64() >> 11) / float(1 << 53)

    def below(self, n):
        """An integer in [0, n)."""
        return self.next_u64() % n

    def between(self, lo, hi):
        """An integer in [lo, hi]."""
        return lo + self.below(hi - lo + 1)

    def pick(self, items):
        return items[self.below(len(items))]


BASE_DOMAINS = [
    "catalog", "search", "pricing", "inventory", "cart", "checkout", "orders", "payments",
    "billing", "invoicing", "shipping", "fulfillment", "returns", "reviews", "ratings",
    "recommendations", "personalization", "identity", "accounts", "profiles", "loyalty",
    "promotions", "coupons", "notifications", "email", "sms", "messaging", "media",
    "content", "cms", "analytics", "reporting", "fraud", "risk", "tax", "currency",
    "geo", "stores", "support", "audit",
]
BASE_GATEWAYS = ["web-gateway", "mobile-gateway", "partner-gateway", "admin-gateway"]
SERVICES_PER_DOMAIN = 26  # 1 BFF, 8 domain, 10 core, 7 stores
DOMAINS_PER_GATEWAY = 10
DEFAULT_SERVICES = 1044


def numbered(base, count):
    """The first `count` names: the base names, then "name-2", "name-3"..."""
    return [base[i % len(base)] + ("" if i < len(base) else f"-{i // len(base) + 1}")
            for i in range(count)]


# Set by main() from --services before anything is generated.
DOMAINS = list(BASE_DOMAINS)
GATEWAYS = list(BASE_GATEWAYS)
DOMAIN_NOUNS = ["api", "query", "command", "read-model", "aggregator", "policy", "workflow", "facade"]
CORE_NOUNS = ["store", "index", "resolver", "validator", "enricher", "calculator", "mapper",
              "scheduler", "publisher", "projector"]
STORE_KINDS = [("cache", "redis"), ("cache", "memcached"), ("database", "postgres"),
               ("database", "mongodb"), ("database", "cassandra"), ("queue", "kafka"), ("database", "mysql")]
BFF_VERBS = ["Get", "List", "Update"]
ROUTES = ["GET /{gw}/{d}", "GET /{gw}/{d}/list", "POST /{gw}/{d}"]
ROUTE_SHARES = [0.6, 0.3, 0.1]
VERBS = ["Get", "List", "Create", "Update", "Search", "Validate", "Compute", "Sync"]
Z99 = 2.3263478740408408
TARGET_UTILIZATION = 0.5
BASE_RATE_RPS = 2000.0  # for 40 domains; scaled with their number


def r2(x):
    """Rounds to two decimals so the JSON numbers stay short and exact."""
    return round(x, 2)


def lognormal(rng, lo, hi, spread):
    median = r2(lo + (hi - lo) * rng.uniform())
    return {"dist": "lognormal", "median_ms": median, "p99_ms": r2(median * spread)}


def exponential(rng, lo, hi):
    return {"dist": "exponential", "mean_ms": r2(lo + (hi - lo) * rng.uniform())}


def mean_ms(d):
    if d["dist"] == "lognormal":
        sigma = math.log(d["p99_ms"] / d["median_ms"]) / Z99
        return d["median_ms"] * math.exp(sigma * sigma / 2)
    return d["mean_ms"]


def call(to, operation, probability=1.0, timeout_ms=None, optional=False):
    c = {"to": to}
    if operation != "default":
        c["operation"] = operation
    if probability != 1.0:
        c["probability"] = probability
    if timeout_ms is not None:
        c["timeout_ms"] = timeout_ms
    if optional:
        c["optional"] = True
    return c


def build(rng):
    """Returns the services (name -> dict, in file order) before sizing."""
    services = {}
    by_domain = {}

    def add(name, kind, group, ops):
        services[name] = {"name": name, "kind": kind, "group": group, "ops": ops}

    # Data stores (layer 4), 7 per domain.
    for d in DOMAINS:
        stores = []
        for i in range(7):
            kind, tech = STORE_KINDS[(i + rng.below(7)) % 7]
            name = f"{d}-{tech}-{i}"
            if kind == "cache":
                ops = [("GET", exponential(rng, 0.15, 0.5), []), ("SET", exponential(rng, 0.2, 0.6), [])]
            elif kind == "queue":
                ops = [("Publish", lognormal(rng, 1.0, 3.0, 6.0), [])]
            else:
                ops = [("SELECT", lognormal(rng, 1.0, 4.0, 8.0), []), ("INSERT", lognormal(rng, 2.0, 5.0, 8.0), [])]
            add(name, kind, d, ops)
            stores.append(name)
        by_domain.setdefault(d, {})["stores"] = stores

    def store_call(store, p=1.0):
        kind = services[store]["kind"]
        op = rng.pick([o[0] for o in services[store]["ops"]])
        timeout = 100.0 if kind == "cache" else None
        return call(store, op, p, timeout_ms=timeout, optional=(kind == "queue"))

    # Core services (layer 3), 10 per domain; core i may call core j > i of its domain.
    for d in DOMAINS:
        cores = [f"{d}-{CORE_NOUNS[i]}" for i in range(10)]
        by_domain[d]["cores"] = cores
    for d in DOMAINS:
        cores = by_domain[d]["cores"]
        for i, name in enumerate(cores):
            ops = []
            for k in range(rng.between(1, 2)):
                calls = []
                if k == 0 and i < 7:
                    calls.append(store_call(by_domain[d]["stores"][i]))  # every store has a caller
                for _ in range(rng.between(0, 1)):
                    calls.append(store_call(rng.pick(by_domain[d]["stores"]), rng.pick([1.0, 1.0, 0.5, 0.2])))
                if i + 1 < len(cores) and rng.uniform() < 0.3:
                    target = cores[rng.between(i + 1, len(cores) - 1)]
                    calls.append({"_svc": target, "p": rng.pick([1.0, 0.5])})
                ops.append((f"{VERBS[(i + k) % len(VERBS)]}{CORE_NOUNS[i].title().replace('-', '')}",
                            lognormal(rng, 0.5, 3.0, 6.0), calls))
            add(name, "service", d, ops)

    # Domain services (layer 2), 8 per domain.
    for d in DOMAINS:
        names = [f"{d}-{DOMAIN_NOUNS[i]}" for i in range(8)]
        by_domain[d]["domain"] = names
        for i, name in enumerate(names):
            ops = []
            for k in range(rng.between(1, 3)):
                calls = []
                if k == 0:  # every core service has a caller
                    calls += [{"_svc": c, "p": 1.0, "_op": 0} for j, c in enumerate(by_domain[d]["cores"]) if j % 8 == i]
                for _ in range(rng.between(0 if k == 0 else 1, 2)):
                    home = d if rng.uniform() > 1 / 6 else rng.pick(DOMAINS)
                    calls.append({"_svc": rng.pick(by_domain[home]["cores"]), "p": rng.pick([1.0, 1.0, 1.0, 0.5, 0.1])})
                if rng.uniform() < 0.3:
                    calls.append(store_call(rng.pick(by_domain[d]["stores"])))
                ops.append((f"{VERBS[(i + k) % len(VERBS)]}{d.title().replace('-', '')}{k}",
                            lognormal(rng, 1.0, 5.0, 6.0), calls))
            add(name, "service", d, ops)

    # BFFs (layer 1), one per domain, 3 operations that fan out in parallel.
    for d in DOMAINS:
        name = f"{d}-bff"
        ops = []
        for k in range(3):
            # Operation k covers domain services k, k+3, k+6: every one has a caller.
            group = [{"_svc": n, "p": 1.0, "timeout_ms": 1000.0, "_op": 0} for j, n in enumerate(by_domain[d]["domain"]) if j % 3 == k]
            if rng.uniform() < 1 / 3:
                group.append({"_svc": rng.pick(by_domain[rng.pick(DOMAINS)]["domain"]), "p": 1.0, "timeout_ms": 1000.0})
            ops.append((f"{BFF_VERBS[k]}{d.title()}View", lognormal(rng, 0.5, 2.0, 6.0), [{"_parallel": group}]))
        add(name, "service", "bff", ops)
        by_domain[d]["bff"] = name

    # Gateways (layer 0): ten domains each, one route per BFF operation.
    for g, gw in enumerate(GATEWAYS):
        ops = []
        for d in gateway_domains(g):
            for j, route in enumerate(ROUTES):
                route = route.format(gw=gw.replace("-gateway", ""), d=d)
                ops.append((route, lognormal(rng, 0.2, 0.5, 6.0),
                            [{"_svc": by_domain[d]["bff"], "p": 1.0, "timeout_ms": 3000.0, "_op": j}]))
        add(gw, "gateway", "edge", ops)
    return services


def gateway_domains(g):
    """The domains gateway `g` routes to."""
    return DOMAINS[g * DOMAINS_PER_GATEWAY:(g + 1) * DOMAINS_PER_GATEWAY]


def resolve(rng, services):
    """Turns placeholder calls into real calls to one operation of the target."""
    for s in services.values():
        new_ops = []
        for name, st, calls in s["ops"]:
            out = []
            for c in calls:
                if "_parallel" in c:
                    out.append({"parallel": [resolve_one(rng, services, x) for x in c["_parallel"]]})
                else:
                    out.append(resolve_one(rng, services, c))
            new_ops.append((name, st, out))
        s["ops"] = new_ops


def resolve_one(rng, services, c):
    if "_svc" not in c:
        return c
    target = services[c["_svc"]]
    op = target["ops"][c["_op"]][0] if "_op" in c else rng.pick([o[0] for o in target["ops"]])
    return call(c["_svc"], op, c["p"], timeout_ms=c.get("timeout_ms"))


def size(services, entries):
    """Sets workers and replicas from the expected load of the entries."""
    ops = {n: {o[0]: (o[1], o[2]) for o in s["ops"]} for n, s in services.items()}
    resp = {}

    def flat(spec):
        return spec["parallel"] if "parallel" in spec else [spec]

    def response(svc, op):
        key = (svc, op)
        if key not in resp:
            st, calls = ops[svc][op]
            r = mean_ms(st)
            for spec in calls:
                times = [c.get("probability", 1.0) * response(c["to"], c.get("operation", "default")) for c in flat(spec)]
                r += max(times)
            resp[key] = r
        return resp[key]

    busy = {n: 0.0 for n in services}  # erlangs: busy workers on average

    def visit(svc, op, rate):
        busy[svc] += rate * response(svc, op) / 1000.0
        for spec in ops[svc][op][1]:
            for c in flat(spec):
                visit(c["to"], c.get("operation", "default"), rate * c.get("probability", 1.0))

    for e in entries:
        visit(e["to"], e["operation"], e["rate_rps"])
    for i, (n, s) in enumerate(services.items()):
        kind = s["kind"]
        workers = {"gateway": 256, "cache": 1, "queue": 8, "database": 16}.get(kind, 8)
        replicas = max(1, math.ceil(busy[n] / (workers * TARGET_UTILIZATION)))
        if kind in ("gateway", "service") and replicas < 2:
            replicas = 2
        if kind != "gateway" and replicas < 3 and kind != "service" and i % 4 != 0:
            replicas = 3  # most stores are replicated; every fourth is a single instance
        s["workers"] = workers
        s["replicas"] = replicas


def to_file(services, entries, base_rate_rps, requested):
    out = []
    for s in services.values():
        d = {"name": s["name"]}
        if s["kind"] != "service":
            d["kind"] = s["kind"]
        d["group"] = s["group"]
        if s["replicas"] > 1:
            d["zones"] = ["a", "b", "c"]
        if s["replicas"] != 1:
            d["replicas"] = s["replicas"]
        if s["workers"] != 1:
            d["workers"] = s["workers"]
        if s["kind"] == "gateway":
            d["blocking_calls"] = False
        ops = []
        for name, st, calls in s["ops"]:
            o = {"name": name, "service_time": st}
            if calls:
                o["calls"] = calls
            ops.append(o)
        d["operations"] = ops
        out.append(d)
    n, g, d = len(out), len(GATEWAYS), len(DOMAINS)
    flag = "" if requested == DEFAULT_SERVICES else f" --services {requested}"
    return {
        "archsim": 1,
        "name": f"Large synthetic platform ({n:,} services)",
        "description": (
            f"A generated topology for performance work: {g} gateways, {d} BFFs, {8 * d} domain "
            f"services, {10 * d} core services and {7 * d} caches, databases and queues in {d} "
            "domains (groups), over zones a, b and c. Generated by "
            f"scripts/gen_large.py{flag} (deterministic); replicas are sized for about 50% "
            f"utilization at the base rate of {base_rate_rps:,.0f} requests per second."
        ),
        "services": out,
        "workload": entries,
        "scenarios": [
            {"name": "baseline", "description": f"The base rate, {base_rate_rps:,.0f} requests per second.",
             "duration_s": 120.0, "warmup_s": 10.0, "seed": 2024},
            {"name": "peak", "description": "Traffic climbs to 1.6x over a minute.",
             "duration_s": 180.0, "warmup_s": 10.0, "seed": 2024,
             "load": [{"at_s": 30.0, "multiplier": 1.6, "ramp_s": 60.0}]},
            {"name": "zone c outage", "description": "Zone c is down for a minute.",
             "duration_s": 120.0, "warmup_s": 10.0, "seed": 2024,
             "faults": [{"kind": "zone_outage", "zone": "c", "at_s": 40.0, "duration_s": 60.0}]},
        ],
        "slo": {"latency_p99_ms": 500.0, "availability": 0.999},
    }


def main():
    parser = argparse.ArgumentParser(description="Writes a large synthetic topology to stdout.")
    parser.add_argument("--services", type=int, default=DEFAULT_SERVICES,
                        help="about how many services (default 1044, the shipped example)")
    args = parser.parse_args()
    if args.services < SERVICES_PER_DOMAIN + 1:
        parser.error(f"--services must be at least {SERVICES_PER_DOMAIN + 1}")
    domains = max(1, round((args.services - len(BASE_GATEWAYS)) / SERVICES_PER_DOMAIN))
    DOMAINS[:] = numbered(BASE_DOMAINS, domains)
    GATEWAYS[:] = numbered(BASE_GATEWAYS, math.ceil(domains / DOMAINS_PER_GATEWAY))
    base_rate_rps = BASE_RATE_RPS * domains / len(BASE_DOMAINS)

    rng = SplitMix64(0x5EED_A5C1)
    services = build(rng)
    resolve(rng, services)
    # Route traffic shares: a few hot routes, a long tail (Zipf-like weights).
    weights = [1.0 / (k + 1) for k in range(len(DOMAINS))]
    total = sum(weights)
    entries = []
    for g, gw in enumerate(GATEWAYS):
        for k, d in enumerate(gateway_domains(g)):
            idx = g * DOMAINS_PER_GATEWAY + k
            for j, share in enumerate(ROUTE_SHARES):
                route = services[gw]["ops"][k * len(ROUTES) + j][0]
                entries.append({"name": route, "to": gw, "operation": route,
                                "rate_rps": r2(base_rate_rps * share * weights[idx] / total)})
    size(services, entries)
    topology = to_file(services, entries, base_rate_rps, args.services)
    assert len(topology["services"]) == len(GATEWAYS) + SERVICES_PER_DOMAIN * len(DOMAINS)
    sys.stdout.write(json.dumps(topology, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
