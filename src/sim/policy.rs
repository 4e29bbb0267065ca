//! Compiles the resilience and scaling settings of services and calls into
//! the plan: startup times, autoscaling, rate limits, load shedding, retry
//! budgets, zones, timeouts, retries and circuit breakers, and sizes the
//! replica slots every service needs in the run. Validation checked every
//! number; this only converts (milliseconds to seconds, counts to `u32`).

use std::collections::BTreeMap;

use crate::model::{Call, PartitionMode, Service};

use super::faults::FaultKind;
use super::plan::{
    AutoscalePlan, BreakerPlan, DEFAULT_AUTOSCALE_STARTUP_S, NONE, Plan, RetryBudgetPlan,
    RetryPlan, ServicePlan, UNBOUNDED, saturating_u32,
};

/// The plan of one service (capacity before scaling steps are known).
pub(super) fn service_plan(s: &Service, zones: &[String]) -> ServicePlan {
    let replicas = saturating_u32(s.replicas);
    let workers = saturating_u32(s.workers);
    let queue_capacity = match s.queue_capacity {
        None => UNBOUNDED,
        Some(c) => u32::try_from(c).unwrap_or(UNBOUNDED - 1).min(UNBOUNDED - 1),
    };
    let autoscale = s.autoscale.as_ref().map(|a| AutoscalePlan {
        min: saturating_u32(a.min),
        max: saturating_u32(a.max),
        target_utilization: a.target_utilization,
        interval_s: a.interval_s,
        startup_s: a
            .startup_s
            .or(s.startup_s)
            .unwrap_or(DEFAULT_AUTOSCALE_STARTUP_S),
        cooldown_s: a.cooldown_s,
    });
    let (max_in_flight, max_wait_s) = match &s.load_shedding {
        None => (UNBOUNDED, None),
        Some(shed) => {
            let in_flight = match shed.max_in_flight {
                Some(n) => u32::try_from(n.max(1)).unwrap_or(UNBOUNDED - 1),
                None => UNBOUNDED,
            };
            (in_flight, shed.max_wait_ms.map(|ms| ms / 1e3))
        }
    };
    let retry_budget = s.retry_budget.as_ref().map(|b| RetryBudgetPlan {
        ratio: b.ratio,
        min_per_s: b.min_per_s,
    });
    let zones = s
        .zones
        .iter()
        .map(|z| zones.binary_search(z).map_or(NONE, |i| i as u32))
        .collect();
    let capacity = autoscale.map_or(replicas, |a| a.max.max(replicas));
    ServicePlan {
        name: s.name.clone(),
        replicas,
        workers,
        queue_capacity,
        load_balancer: s.load_balancer,
        blocking_calls: s.blocking_calls,
        startup_s: s.startup_s.unwrap_or(0.0),
        autoscale,
        rate_limit_rps: s.rate_limit_rps,
        max_in_flight,
        max_wait_s,
        retry_budget,
        zones,
        capacity,
    }
}

/// The timer queue (by timeout value) and retry policy of a call.
pub(super) fn call_timing(
    call: &Call,
    timers: &mut BTreeMap<u64, u32>,
) -> (u32, Option<RetryPlan>) {
    let timer = match call.timeout_ms {
        None => NONE,
        Some(ms) => {
            let timeout_s = ms / 1e3;
            let next = timers.len() as u32;
            *timers.entry(timeout_s.to_bits()).or_insert(next)
        }
    };
    let retries = call.retries.as_ref().map(|r| RetryPlan {
        max: saturating_u32(r.max),
        backoff_s: r.backoff_ms / 1e3,
        multiplier: r.multiplier,
        jitter: r.jitter,
        max_backoff_s: r.max_backoff_ms.map_or(f64::INFINITY, |ms| ms / 1e3),
    });
    (timer, retries)
}

/// The breaker of a call's edge (shared by every call on the edge that
/// declares one; the first declaration's settings apply), or [`NONE`].
pub(super) fn call_breaker(call: &Call, place: &str, edge: u32, plan: &mut Plan) -> u32 {
    let Some(cb) = &call.circuit_breaker else {
        return NONE;
    };
    let place = format!("{place} circuit_breaker");
    let window = saturating_u32(cb.window);
    let breaker = BreakerPlan {
        edge,
        failure_ratio: cb.failure_ratio.min(1.0),
        window,
        open_s: cb.open_s,
        probes: saturating_u32(cb.half_open_probes).min(window),
    };
    if let Some(i) = plan.breakers.iter().position(|b| b.edge == edge) {
        let first = plan.breakers[i];
        let same = first.failure_ratio == breaker.failure_ratio
            && first.window == breaker.window
            && first.open_s == breaker.open_s
            && first.probes == breaker.probes;
        if !same {
            plan.warnings.push(format!(
                "{place}: differs from an earlier circuit_breaker on the same caller→callee edge; \
                 the calls share one breaker with the first one's settings"
            ));
        }
        return i as u32;
    }
    plan.breakers.push(breaker);
    (plan.breakers.len() - 1) as u32
}

/// Gives every service enough replica slots for its scaling steps
/// (validation keeps their total within `MAX_TOTAL_REPLICAS`).
pub(super) fn size_replica_slots(plan: &mut Plan) {
    for step in &plan.scaling {
        let service = &mut plan.services[step.service as usize];
        service.capacity = service.capacity.max(step.replicas);
    }
}

/// Warns about calls without a timeout across a `hang` partition: they wait
/// for the rest of the run.
pub(super) fn note_hanging_calls(plan: &mut Plan) {
    let mut notes = Vec::new();
    for fault in &plan.faults {
        let FaultKind::Partition {
            a,
            b,
            mode: PartitionMode::Hang,
        } = fault.kind
        else {
            continue;
        };
        let untimed = plan.calls.iter().zip(&plan.policies).any(|(call, policy)| {
            let edge = plan.edges[call.edge as usize];
            policy.timer == NONE
                && ((edge.from == a && edge.to == b) || (edge.from == b && edge.to == a))
        });
        if untimed {
            notes.push(format!(
                "the hang partition between \"{}\" and \"{}\" at {} s: calls between them without \
                 timeout_ms get no answer and wait for the rest of the run",
                plan.services[a as usize].name, plan.services[b as usize].name, fault.start_s
            ));
        }
    }
    plan.warnings.extend(notes);
}
