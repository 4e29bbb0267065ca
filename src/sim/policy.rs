//! Compiles the resilience and scaling settings of services and calls into
//! the plan: startup times, autoscaling, rate limits, load shedding, retry
//! budgets, zones, timeouts, retries and circuit breakers, and sizes the
//! replica slots every service needs in the run.

use std::collections::BTreeMap;

use crate::model::limits::MAX_TOTAL_REPLICAS;
use crate::model::{Call, PartitionMode, Service};

use super::SimError;
use super::faults::FaultKind;
use super::plan::{
    AutoscalePlan, BreakerPlan, DEFAULT_AUTOSCALE_STARTUP_S, NONE, Plan, RetryBudgetPlan,
    RetryPlan, ServicePlan, UNBOUNDED, positive_u32,
};

fn invalid(place: &str, message: String) -> SimError {
    SimError::Invalid {
        place: place.to_owned(),
        message,
    }
}

/// `value` if it is finite and at least `min` (strictly more when `strict`).
fn number(value: f64, min: f64, strict: bool, place: &str, field: &str) -> Result<f64, SimError> {
    let ok = value.is_finite() && if strict { value > min } else { value >= min };
    if ok {
        Ok(value)
    } else {
        let rule = if strict { ">" } else { "≥" };
        Err(invalid(
            place,
            format!("{field} must be a finite number {rule} {min} (got {value})"),
        ))
    }
}

/// The plan of one service (capacity before scaling steps are known).
pub(super) fn service_plan(
    s: &Service,
    place: &str,
    zones: &[String],
) -> Result<ServicePlan, SimError> {
    let replicas = positive_u32(s.replicas, place, "replicas")?;
    let workers = positive_u32(s.workers, place, "workers")?;
    let queue_capacity = match s.queue_capacity {
        None => UNBOUNDED,
        Some(c) => u32::try_from(c).unwrap_or(UNBOUNDED - 1).min(UNBOUNDED - 1),
    };
    let startup_s = match s.startup_s {
        Some(v) => number(v, 0.0, false, place, "startup_s")?,
        None => 0.0,
    };
    let autoscale = match &s.autoscale {
        None => None,
        Some(a) => {
            let place = format!("{place} autoscale");
            let min = positive_u32(a.min, &place, "min")?;
            let max = positive_u32(a.max, &place, "max")?;
            if max < min {
                return Err(invalid(
                    &place,
                    format!("max must be at least min ({min}) (got {max})"),
                ));
            }
            let target = number(
                a.target_utilization,
                0.0,
                true,
                &place,
                "target_utilization",
            )?;
            if target > 1.0 {
                return Err(invalid(
                    &place,
                    format!("target_utilization must be at most 1 (got {target})"),
                ));
            }
            Some(AutoscalePlan {
                min,
                max,
                target_utilization: target,
                interval_s: number(a.interval_s, 0.0, true, &place, "interval_s")?,
                startup_s: match a.startup_s.or(s.startup_s) {
                    Some(v) => number(v, 0.0, false, &place, "startup_s")?,
                    None => DEFAULT_AUTOSCALE_STARTUP_S,
                },
                cooldown_s: number(a.cooldown_s, 0.0, false, &place, "cooldown_s")?,
            })
        }
    };
    let rate_limit_rps = match s.rate_limit_rps {
        Some(v) => Some(number(v, 0.0, true, place, "rate_limit_rps")?),
        None => None,
    };
    let (max_in_flight, max_wait_s) = match &s.load_shedding {
        None => (UNBOUNDED, None),
        Some(shed) => {
            let place = format!("{place} load_shedding");
            let in_flight = match shed.max_in_flight {
                Some(n) => u32::try_from(n.max(1)).unwrap_or(UNBOUNDED - 1),
                None => UNBOUNDED,
            };
            let wait = match shed.max_wait_ms {
                Some(ms) => Some(number(ms, 0.0, false, &place, "max_wait_ms")? / 1e3),
                None => None,
            };
            (in_flight, wait)
        }
    };
    let retry_budget = match &s.retry_budget {
        None => None,
        Some(b) => {
            let place = format!("{place} retry_budget");
            Some(RetryBudgetPlan {
                ratio: number(b.ratio, 0.0, false, &place, "ratio")?,
                min_per_s: number(b.min_per_s, 0.0, false, &place, "min_per_s")?,
            })
        }
    };
    let zones = s
        .zones
        .iter()
        .map(|z| zones.binary_search(z).map_or(NONE, |i| i as u32))
        .collect();
    let capacity = autoscale.map_or(replicas, |a| a.max.max(replicas));
    Ok(ServicePlan {
        name: s.name.clone(),
        replicas,
        workers,
        queue_capacity,
        load_balancer: s.load_balancer,
        blocking_calls: s.blocking_calls,
        startup_s,
        autoscale,
        rate_limit_rps,
        max_in_flight,
        max_wait_s,
        retry_budget,
        zones,
        capacity,
    })
}

/// The timer queue (by timeout value) and retry policy of a call.
pub(super) fn call_timing(
    call: &Call,
    place: &str,
    timers: &mut BTreeMap<u64, u32>,
) -> Result<(u32, Option<RetryPlan>), SimError> {
    let timer = match call.timeout_ms {
        None => NONE,
        Some(ms) => {
            let timeout_s = number(ms, 0.0, true, place, "timeout_ms")? / 1e3;
            let next = timers.len() as u32;
            *timers.entry(timeout_s.to_bits()).or_insert(next)
        }
    };
    let retries = match &call.retries {
        None => None,
        Some(r) => {
            let place = format!("{place} retries");
            Some(RetryPlan {
                max: u32::try_from(r.max).unwrap_or(u32::MAX),
                backoff_s: number(r.backoff_ms, 0.0, false, &place, "backoff_ms")? / 1e3,
                multiplier: number(r.multiplier, 0.0, true, &place, "multiplier")?,
                jitter: r.jitter,
                max_backoff_s: match r.max_backoff_ms {
                    Some(ms) => number(ms, 0.0, false, &place, "max_backoff_ms")? / 1e3,
                    None => f64::INFINITY,
                },
            })
        }
    };
    Ok((timer, retries))
}

/// The breaker of a call's edge (shared by every call on the edge that
/// declares one; the first declaration's settings apply), or [`NONE`].
pub(super) fn call_breaker(
    call: &Call,
    place: &str,
    edge: u32,
    plan: &mut Plan,
) -> Result<u32, SimError> {
    let Some(cb) = &call.circuit_breaker else {
        return Ok(NONE);
    };
    let place = format!("{place} circuit_breaker");
    let ratio = number(cb.failure_ratio, 0.0, true, &place, "failure_ratio")?;
    let window = positive_u32(cb.window, &place, "window")?;
    let breaker = BreakerPlan {
        edge,
        failure_ratio: ratio.min(1.0),
        window,
        open_s: number(cb.open_s, 0.0, true, &place, "open_s")?,
        probes: positive_u32(cb.half_open_probes, &place, "half_open_probes")?.min(window),
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
        return Ok(i as u32);
    }
    plan.breakers.push(breaker);
    Ok((plan.breakers.len() - 1) as u32)
}

/// Gives every service enough replica slots for its scaling steps and
/// refuses runs with more slots than archsim simulates.
pub(super) fn size_replica_slots(plan: &mut Plan) -> Result<(), SimError> {
    for step in &plan.scaling {
        let service = &mut plan.services[step.service as usize];
        service.capacity = service.capacity.max(step.replicas);
    }
    let total: u64 = plan.services.iter().map(|s| u64::from(s.capacity)).sum();
    if total > MAX_TOTAL_REPLICAS {
        return Err(SimError::Invalid {
            place: "services".into(),
            message: format!(
                "the services can reach {total} replicas together (counting autoscale.max and scaling \
                 steps), more than archsim simulates ({MAX_TOTAL_REPLICAS}); use fewer replicas with \
                 more workers each"
            ),
        });
    }
    Ok(())
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
