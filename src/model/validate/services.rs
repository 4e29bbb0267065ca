//! Checks of services, operations, calls and distributions.

use std::collections::{BTreeSet, HashMap};

use super::super::diagnostic::{Place, quote};
use super::super::types::{Call, CallSpec, Distribution, Service};
use super::Ctx;
use super::limits::*;
use super::numbers::{Rule, show};

/// Checks every service: names, numbers, operations, calls and their targets.
pub(super) fn check_services(ctx: &mut Ctx) {
    let topology = ctx.topology;
    let mut first_with_name: HashMap<&str, usize> = HashMap::new();
    let mut total_replicas: u64 = 0;
    for (i, service) in topology.services.iter().enumerate() {
        let place = Place::root().item("services", i).named(&service.name);
        if service.name.is_empty() {
            ctx.error(&place.key("name"), "a service needs a non-empty name");
        } else if let Some(&first) = first_with_name.get(service.name.as_str()) {
            ctx.error(
                &place.key("name"),
                format!(
                    "duplicate service name {} (also services[{first}]); service names must be unique",
                    quote(&service.name)
                ),
            );
        } else {
            first_with_name.insert(&service.name, i);
        }
        check_service(ctx, &place, service);
        let most = service
            .autoscale
            .as_ref()
            .map_or(0, |a| a.max)
            .max(service.replicas);
        total_replicas = total_replicas.saturating_add(most);
    }
    if ctx.zones.len() > MAX_ZONES {
        ctx.error(
            &Place::root().key("services"),
            format!(
                "the services use {} different zones, more than archsim accepts ({MAX_ZONES})",
                ctx.zones.len()
            ),
        );
    }
    if total_replicas > MAX_TOTAL_REPLICAS {
        ctx.error(
            &Place::root().key("services"),
            format!(
                "the services have {total_replicas} replicas together (counting autoscale.max), more than \
                 archsim simulates ({MAX_TOTAL_REPLICAS}); use fewer replicas with more workers each"
            ),
        );
    }
}

/// Checks a price per replica-hour at `place`: a finite number from 0 to
/// [`MAX_COST_PER_REPLICA_HOUR`].
fn check_price(ctx: &mut Ctx, place: &Place, price: f64) {
    let place = place.key("cost_per_replica_hour");
    if !price.is_finite() || price < 0.0 {
        ctx.error(
            &place,
            format!(
                "must be a price of 0 or more per replica and hour (found {}); \
                 write e.g. 0.05, or leave it out",
                show(price)
            ),
        );
    } else if price > MAX_COST_PER_REPLICA_HOUR {
        ctx.error(
            &place,
            format!(
                "{} is more than archsim accepts as a price per replica-hour (at most {})",
                show(price),
                show(MAX_COST_PER_REPLICA_HOUR)
            ),
        );
    }
}

/// Checks the file's own price settings (`cost_per_replica_hour`,
/// `currency`) and warns when some services have a price and others none.
pub(super) fn check_pricing(ctx: &mut Ctx) {
    let topology = ctx.topology;
    if let Some(price) = topology.cost_per_replica_hour {
        check_price(ctx, &Place::root(), price);
    }
    if let Some(currency) = &topology.currency {
        let place = Place::root().key("currency");
        if currency.trim().is_empty() {
            ctx.error(
                &place,
                "a currency needs a name, e.g. \"USD\" or \"EUR\"; leave it out for USD",
            );
        } else if currency.chars().count() > MAX_CURRENCY_CHARS {
            ctx.error(
                &place,
                format!(
                    "a currency of {} characters is more than archsim accepts ({MAX_CURRENCY_CHARS}); \
                     use a code such as \"EUR\"",
                    currency.chars().count()
                ),
            );
        }
    }
    if topology.cost_per_replica_hour.is_none() && topology.has_prices() {
        let free: Vec<String> = topology
            .services
            .iter()
            .filter(|s| s.cost_per_replica_hour.is_none())
            .map(|s| quote(&s.name))
            .collect();
        if !free.is_empty() {
            let shown = if free.len() > 5 {
                format!("{} and {} more", free[..5].join(", "), free.len() - 5)
            } else {
                free.join(", ")
            };
            ctx.warning(
                &Place::root(),
                format!(
                    "{shown} have no cost_per_replica_hour and count as free; \
                     give them one, or set a default cost_per_replica_hour at the top level"
                ),
            );
        }
    }
}

fn check_service(ctx: &mut Ctx, place: &Place, service: &Service) {
    ctx.count(place, "replicas", service.replicas, 1, MAX_REPLICAS);
    if let Some(price) = service.cost_per_replica_hour {
        check_price(ctx, place, price);
    }
    ctx.count(place, "workers", service.workers, 1, MAX_WORKERS);
    if let Some(capacity) = service.queue_capacity {
        ctx.count(place, "queue_capacity", capacity, 0, MAX_QUEUE_CAPACITY);
    }
    let mut zones = BTreeSet::new();
    for (z, zone) in service.zones.iter().enumerate() {
        let zone_place = place.item("zones", z);
        if zone.is_empty() {
            ctx.error(&zone_place, "a zone name cannot be empty");
        } else if !zones.insert(zone.as_str()) {
            ctx.warning(
                &zone_place,
                format!(
                    "zone {} is listed twice, so more replicas go there",
                    quote(zone)
                ),
            );
        }
    }
    if let Some(dist) = &service.service_time {
        check_distribution(ctx, &place.key("service_time"), dist);
    }
    if service.operations.is_empty() {
        if service.service_time.is_none() {
            ctx.error(
                place,
                "no service_time: give the service one, e.g. \"service_time\": {\"dist\": \"exponential\", \"mean_ms\": 5}",
            );
        }
        check_calls(ctx, place, &service.calls);
    } else {
        check_operations(ctx, place, service);
    }
    if let Some(startup_s) = service.startup_s {
        ctx.number(
            place,
            "startup_s",
            startup_s,
            Rule::NonNegative,
            Some(MAX_TIME_S),
        );
    }
    check_autoscale(ctx, place, service);
    if let Some(rate) = service.rate_limit_rps {
        ctx.number(
            place,
            "rate_limit_rps",
            rate,
            Rule::Positive,
            Some(MAX_RATE_RPS),
        );
    }
    if let Some(shedding) = &service.load_shedding {
        let shed_place = place.key("load_shedding");
        if let Some(wait) = shedding.max_wait_ms {
            ctx.number(
                &shed_place,
                "max_wait_ms",
                wait,
                Rule::NonNegative,
                Some(MAX_TIME_MS),
            );
        }
        if let Some(in_flight) = shedding.max_in_flight {
            ctx.count(
                &shed_place,
                "max_in_flight",
                in_flight,
                1,
                MAX_QUEUE_CAPACITY,
            );
        }
        if shedding.max_wait_ms.is_none() && shedding.max_in_flight.is_none() {
            ctx.warning(
                &shed_place,
                "has neither max_wait_ms nor max_in_flight, so it sheds nothing",
            );
        }
    }
    if let Some(budget) = &service.retry_budget {
        let budget_place = place.key("retry_budget");
        ctx.number(
            &budget_place,
            "ratio",
            budget.ratio,
            Rule::NonNegative,
            Some(100.0),
        );
        ctx.number(
            &budget_place,
            "min_per_s",
            budget.min_per_s,
            Rule::NonNegative,
            Some(MAX_RATE_RPS),
        );
    }
}

fn check_operations(ctx: &mut Ctx, place: &Place, service: &Service) {
    if !service.calls.is_empty() {
        ctx.error(
            &place.key("calls"),
            "service-level calls belong to the implicit \"default\" operation, which a service with \
             \"operations\" does not have; move these calls into one of its operations",
        );
    }
    if service.operations.len() > MAX_OPERATIONS {
        ctx.error(
            &place.key("operations"),
            format!(
                "{} operations is more than archsim accepts per service ({MAX_OPERATIONS})",
                service.operations.len()
            ),
        );
        return;
    }
    let mut first_with_name: HashMap<&str, usize> = HashMap::new();
    for (j, operation) in service.operations.iter().enumerate() {
        let op_place = place.item("operations", j).named(&operation.name);
        if operation.name.is_empty() {
            ctx.error(&op_place.key("name"), "an operation needs a non-empty name");
        } else if let Some(&first) = first_with_name.get(operation.name.as_str()) {
            ctx.error(
                &op_place.key("name"),
                format!(
                    "duplicate operation name {} (also operations[{first}]); operation names must be unique within a service",
                    quote(&operation.name)
                ),
            );
        } else {
            first_with_name.insert(&operation.name, j);
        }
        match &operation.service_time {
            Some(dist) => check_distribution(ctx, &op_place.key("service_time"), dist),
            None if service.service_time.is_none() => ctx.error(
                &op_place,
                "no service_time: give this operation (or the whole service) one, e.g. \
                 \"service_time\": {\"dist\": \"exponential\", \"mean_ms\": 5}",
            ),
            None => {}
        }
        check_calls(ctx, &op_place, &operation.calls);
    }
}

fn check_autoscale(ctx: &mut Ctx, place: &Place, service: &Service) {
    let Some(autoscale) = &service.autoscale else {
        return;
    };
    let place = place.key("autoscale");
    let min_ok = ctx.count(&place, "min", autoscale.min, 1, MAX_REPLICAS);
    if min_ok && autoscale.max < autoscale.min {
        ctx.error(
            &place.key("max"),
            format!(
                "must be at least min ({}) (found {})",
                autoscale.min, autoscale.max
            ),
        );
    } else if min_ok
        && ctx.count(&place, "max", autoscale.max, 1, MAX_REPLICAS)
        && (service.replicas < autoscale.min || service.replicas > autoscale.max)
    {
        ctx.warning(
                &place,
                format!(
                    "the service starts with {} replicas, outside min..max ({}..{}); the autoscaler moves it into that range",
                    service.replicas, autoscale.min, autoscale.max
                ),
            );
    }
    ctx.number(
        &place,
        "target_utilization",
        autoscale.target_utilization,
        Rule::Fraction,
        None,
    );
    ctx.number(
        &place,
        "interval_s",
        autoscale.interval_s,
        Rule::Positive,
        Some(MAX_TIME_S),
    );
    if let Some(startup_s) = autoscale.startup_s {
        ctx.number(
            &place,
            "startup_s",
            startup_s,
            Rule::NonNegative,
            Some(MAX_TIME_S),
        );
    }
    ctx.number(
        &place,
        "cooldown_s",
        autoscale.cooldown_s,
        Rule::NonNegative,
        Some(MAX_TIME_S),
    );
}

/// Checks one `calls` list; `owner` is the operation (or service) it belongs to.
fn check_calls(ctx: &mut Ctx, owner: &Place, calls: &[CallSpec]) {
    let total: usize = calls.iter().map(|spec| spec.calls().len()).sum();
    if total > MAX_CALLS_PER_OPERATION {
        ctx.error(
            &owner.key("calls"),
            format!("{total} calls is more than archsim accepts per operation ({MAX_CALLS_PER_OPERATION})"),
        );
        return;
    }
    for (k, spec) in calls.iter().enumerate() {
        let place = owner.item("calls", k);
        match spec {
            CallSpec::Single(call) => check_call(ctx, &place, call),
            CallSpec::Parallel(members) if members.is_empty() => ctx.error(
                &place.key("parallel"),
                "a parallel group needs at least one call; remove the empty group",
            ),
            CallSpec::Parallel(members) => {
                for (m, call) in members.iter().enumerate() {
                    check_call(ctx, &place.item("parallel", m), call);
                }
            }
        }
    }
}

fn check_call(ctx: &mut Ctx, place: &Place, call: &Call) {
    if let Some(target) = ctx.resolve_service(place, &call.to) {
        ctx.resolve_operation(place, target, &call.operation);
    }
    if ctx.number(
        place,
        "probability",
        call.probability,
        Rule::Probability,
        None,
    ) && call.probability == 0.0
    {
        ctx.warning(
            &place.key("probability"),
            "is 0, so this call is never made",
        );
    }
    ctx.count(place, "count", call.count, 1, MAX_CALL_COUNT);
    if let Some(timeout) = call.timeout_ms {
        ctx.number(
            place,
            "timeout_ms",
            timeout,
            Rule::Positive,
            Some(MAX_TIME_MS),
        );
    }
    if let Some(retries) = &call.retries {
        let retry_place = place.key("retries");
        ctx.count(&retry_place, "max", retries.max, 0, MAX_RETRIES);
        ctx.number(
            &retry_place,
            "backoff_ms",
            retries.backoff_ms,
            Rule::NonNegative,
            Some(MAX_TIME_MS),
        );
        ctx.number(
            &retry_place,
            "multiplier",
            retries.multiplier,
            Rule::Positive,
            Some(1000.0),
        );
        if let Some(cap) = retries.max_backoff_ms {
            ctx.number(
                &retry_place,
                "max_backoff_ms",
                cap,
                Rule::NonNegative,
                Some(MAX_TIME_MS),
            );
        }
    }
    if let Some(breaker) = &call.circuit_breaker {
        let breaker_place = place.key("circuit_breaker");
        ctx.number(
            &breaker_place,
            "failure_ratio",
            breaker.failure_ratio,
            Rule::Fraction,
            None,
        );
        let window_ok = ctx.count(
            &breaker_place,
            "window",
            breaker.window,
            1,
            MAX_BREAKER_WINDOW,
        );
        ctx.number(
            &breaker_place,
            "open_s",
            breaker.open_s,
            Rule::Positive,
            Some(MAX_TIME_S),
        );
        let max_probes = if window_ok {
            breaker.window
        } else {
            MAX_BREAKER_WINDOW
        };
        ctx.count(
            &breaker_place,
            "half_open_probes",
            breaker.half_open_probes,
            1,
            max_probes,
        );
    }
}

/// Checks the parameters of a distribution at `place`.
pub(super) fn check_distribution(ctx: &mut Ctx, place: &Place, dist: &Distribution) {
    let max = Some(MAX_TIME_MS);
    let ok = match dist {
        Distribution::Constant { ms } => ctx.number(place, "ms", *ms, Rule::NonNegative, max),
        Distribution::Exponential { mean_ms } => {
            ctx.number(place, "mean_ms", *mean_ms, Rule::Positive, max)
        }
        Distribution::Uniform { min_ms, max_ms } => {
            let low = ctx.number(place, "min_ms", *min_ms, Rule::NonNegative, max);
            let high = ctx.number(place, "max_ms", *max_ms, Rule::NonNegative, max);
            if low && high && max_ms < min_ms {
                ctx.error(
                    &place.key("max_ms"),
                    format!(
                        "must be at least min_ms ({}) (found {})",
                        show(*min_ms),
                        show(*max_ms)
                    ),
                );
            }
            low && high
        }
        Distribution::Lognormal { median_ms, p99_ms } => {
            let median = ctx.number(place, "median_ms", *median_ms, Rule::Positive, max);
            let p99 = ctx.number(place, "p99_ms", *p99_ms, Rule::Positive, max);
            if median && p99 && p99_ms <= median_ms {
                ctx.error(
                    &place.key("p99_ms"),
                    format!(
                        "must be greater than median_ms ({}) (found {}); for a fixed time use \
                         {{\"dist\": \"constant\", \"ms\": {}}}",
                        show(*median_ms),
                        show(*p99_ms),
                        show(*median_ms)
                    ),
                );
                false
            } else {
                median && p99
            }
        }
        Distribution::Erlang { k, mean_ms } => {
            let k_ok = ctx.count(place, "k", *k, 1, MAX_ERLANG_K);
            ctx.number(place, "mean_ms", *mean_ms, Rule::Positive, max) && k_ok
        }
        Distribution::Empirical { samples_ms } => check_samples(ctx, place, samples_ms),
    };
    if ok {
        let mean = dist.mean_ms();
        if !mean.is_finite() || mean > MAX_TIME_MS {
            ctx.error(
                place,
                format!(
                    "the mean of this distribution is {} ms, more than a day; check its parameters (is p99_ms far too large?)",
                    show(mean)
                ),
            );
        }
    }
}

fn check_samples(ctx: &mut Ctx, place: &Place, samples_ms: &[f64]) -> bool {
    let samples_place = place.key("samples_ms");
    if samples_ms.is_empty() {
        ctx.error(
            &samples_place,
            "needs at least one sample, e.g. [1.2, 3.4, 2.2]",
        );
        return false;
    }
    if samples_ms.len() > MAX_EMPIRICAL_SAMPLES {
        ctx.error(
            &samples_place,
            format!(
                "{} samples is more than archsim accepts ({MAX_EMPIRICAL_SAMPLES}); subsample them",
                samples_ms.len()
            ),
        );
        return false;
    }
    // Report the first bad sample only: a bad export could hold millions.
    match samples_ms
        .iter()
        .position(|s| !(s.is_finite() && (0.0..=MAX_TIME_MS).contains(s)))
    {
        Some(bad) => {
            ctx.error(
                &samples_place.index(bad),
                format!(
                    "samples must be times from 0 to {} ms (found {})",
                    show(MAX_TIME_MS),
                    show(samples_ms[bad])
                ),
            );
            false
        }
        None => true,
    }
}
