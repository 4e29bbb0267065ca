//! Scaling: the target replica count of each service, changed by scheduled
//! steps and by the autoscaler, and the events recorded for the summary.
//!
//! **Scaling up** makes the slots below the new target start (after the
//! service's `startup_s` for scheduled steps, after the autoscaler's
//! `startup_s` for its decisions); a draining slot that is wanted again
//! simply keeps running. **Scaling down** removes the highest slots: a slot
//! with requests in progress drains (takes no new work, disappears when
//! idle), an idle or starting one disappears at once.
//!
//! **The autoscaler** (Kubernetes-HPA-like) decides every `interval_s`
//! (first at `interval_s`): from the busy-worker time integral over the last
//! interval it computes the average number of busy workers `B` and
//! `desired = ceil(B / (workers × target_utilization))`, clamped to
//! `[min, max]`. That is `ceil(current × utilization / target)` when the
//! replica count did not change during the interval. It scales up at once;
//! it scales down only when `cooldown_s` has passed since the service's last
//! scale event (autoscaled or scheduled). With no replica running during the
//! whole interval there is no measurement and it only moves the count into
//! `[min, max]`. There is no tolerance band.

use crate::metrics::{ScalingEvent, ScalingReason};

use super::engine::Simulation;
use super::plan::{AutoscalePlan, ServicePlan};
use super::queue::EventKind;
use super::replicas::Phase;
use super::resilience::{RetryBudget, TokenBucket};

/// Why a service's target replica count changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ScaleReason {
    Scheduled,
    /// With the utilization measured over the last interval.
    Autoscale(f64),
}

/// Per-service state of the control plane: target count (changed only by
/// `Simulation::set_target` below), replica counts by phase (kept by
/// `Simulation::set_phase` in `replicas.rs` through
/// [`ServiceControl::count_phase`]), admission and retry budget.
#[derive(Debug, Clone)]
pub(crate) struct ServiceControl {
    /// Replicas the service should have now.
    target: u32,
    starting: u32,
    stopped: u32,
    draining: u32,
    limiter: Option<TokenBucket>,
    budget: Option<RetryBudget>,
    autoscaler: Option<Autoscaler>,
    /// When the target last changed (for the autoscaler's cooldown).
    last_change_s: f64,
    /// Replica-seconds held (not removed: starting, running, draining or
    /// stopped) from the start of the run to `held_since_s` (for the cost).
    held_replica_s: f64,
    held_since_s: f64,
}

#[derive(Debug, Clone)]
struct Autoscaler {
    plan: AutoscalePlan,
    busy_at_tick: f64,
    replicas_at_tick: f64,
    tick_s: f64,
}

impl ServiceControl {
    /// The control state of a service at the start of a run.
    pub fn new(service: &ServicePlan) -> Self {
        ServiceControl {
            target: service.replicas,
            starting: 0,
            stopped: 0,
            draining: 0,
            limiter: service.rate_limit_rps.map(TokenBucket::new),
            budget: service.retry_budget.map(RetryBudget::new),
            autoscaler: service.autoscale.map(|plan| Autoscaler {
                plan,
                busy_at_tick: 0.0,
                replicas_at_tick: 0.0,
                tick_s: 0.0,
            }),
            last_change_s: f64::NEG_INFINITY,
            held_replica_s: 0.0,
            held_since_s: 0.0,
        }
    }

    /// Replicas held now: every slot not removed. `running` is the
    /// service's running and draining replicas (kept in its state).
    fn held(&self, running: u32) -> f64 {
        f64::from(running) + f64::from(self.starting) + f64::from(self.stopped)
    }

    /// Brings the replica-seconds held up to `now_s`; call it before a
    /// replica changes phase, with the service's `running` count then.
    pub fn integrate_held(&mut self, now_s: f64, running: u32) {
        let dt = now_s - self.held_since_s;
        if dt > 0.0 {
            self.held_replica_s += self.held(running) * dt;
            self.held_since_s = now_s;
        }
    }

    /// The replica-seconds held from the start of the run to `now_s`
    /// (`running` as for [`integrate_held`](Self::integrate_held)).
    pub fn held_replica_s(&self, now_s: f64, running: u32) -> f64 {
        let dt = (now_s - self.held_since_s).max(0.0);
        self.held_replica_s + self.held(running) * dt
    }

    /// Replicas the service should have now.
    pub fn target(&self) -> u32 {
        self.target
    }

    /// Replicas starting, stopped (wanted but down) and draining.
    pub fn starting(&self) -> u32 {
        self.starting
    }

    pub fn stopped(&self) -> u32 {
        self.stopped
    }

    pub fn draining(&self) -> u32 {
        self.draining
    }

    /// Adds `delta` to the count of replicas in `phase` (never below zero);
    /// `Running` and `Removed` are counted in the service's state, not here.
    pub fn count_phase(&mut self, phase: Phase, delta: i64) {
        let add = |count: &mut u32| *count = (i64::from(*count) + delta).max(0) as u32;
        match phase {
            Phase::Draining => add(&mut self.draining),
            Phase::Starting => add(&mut self.starting),
            Phase::Stopped => add(&mut self.stopped),
            Phase::Running | Phase::Removed => {}
        }
    }

    /// The service's rate limiter, if it has one.
    pub fn limiter_mut(&mut self) -> Option<&mut TokenBucket> {
        self.limiter.as_mut()
    }

    /// The service's retry budget, if it has one.
    pub fn budget_mut(&mut self) -> Option<&mut RetryBudget> {
        self.budget.as_mut()
    }
}

impl Simulation {
    /// Sets the target replica count of `service` (capped at its slots);
    /// slots that start take `startup_s`.
    pub(super) fn set_target(
        &mut self,
        service: u32,
        target: u32,
        reason: ScaleReason,
        startup_s: f64,
    ) {
        let s = service as usize;
        let target = target.min(self.plan.services[s].capacity);
        let old = self.control[s].target;
        if target == old {
            return;
        }
        self.control[s].target = target;
        self.control[s].last_change_s = self.now;
        let first = self.services[s].first_replica;
        if target > old {
            for k in old..target {
                let slot = first + k;
                match self.replicas[slot as usize].phase {
                    Phase::Removed if self.is_down(slot) => self.set_phase(slot, Phase::Stopped),
                    Phase::Removed => self.start_replica(slot, startup_s),
                    Phase::Draining => self.set_phase(slot, Phase::Running),
                    Phase::Starting | Phase::Running | Phase::Stopped => {}
                }
            }
        } else {
            for k in target..old {
                let slot = first + k;
                let r = &mut self.replicas[slot as usize];
                match r.phase {
                    Phase::Running if r.outstanding > 0 => self.set_phase(slot, Phase::Draining),
                    Phase::Starting => {
                        r.generation = r.generation.wrapping_add(1);
                        self.set_phase(slot, Phase::Removed);
                    }
                    Phase::Running | Phase::Stopped => self.set_phase(slot, Phase::Removed),
                    Phase::Draining | Phase::Removed => {}
                }
            }
        }
        let (reason, utilization) = match reason {
            ScaleReason::Scheduled => (ScalingReason::Scheduled, None),
            ScaleReason::Autoscale(u) => (ScalingReason::Autoscale, Some(u)),
        };
        self.recorder.push_scaling_event(ScalingEvent {
            t_s: self.now,
            service: self.plan.services[s].name.clone(),
            from: u64::from(old),
            to: u64::from(target),
            reason,
            utilization,
        });
    }

    /// Schedules the first decision of every autoscaler.
    pub(super) fn schedule_autoscalers(&mut self) {
        for (s, control) in self.control.iter().enumerate() {
            if let Some(a) = &control.autoscaler {
                self.queue.push(
                    a.plan.interval_s,
                    EventKind::Autoscale { service: s as u32 },
                );
            }
        }
    }

    /// One decision of the autoscaler of `service`.
    pub(super) fn on_autoscale(&mut self, service: u32) {
        let s = service as usize;
        let now = self.now;
        let Some(mut a) = self.control[s].autoscaler.clone() else {
            return;
        };
        self.queue
            .push(now + a.plan.interval_s, EventKind::Autoscale { service });
        let state = &mut self.services[s];
        state.integrate(now);
        let (busy, replicas) = (state.areas.busy, state.areas.replicas);
        let elapsed_s = now - a.tick_s;
        let busy_s = busy - a.busy_at_tick;
        let replica_s = replicas - a.replicas_at_tick;
        a.busy_at_tick = busy;
        a.replicas_at_tick = replicas;
        a.tick_s = now;
        let workers = f64::from(self.plan.services[s].workers);
        let current = self.control[s].target;
        let (desired, utilization) = if replica_s > 0.0 && elapsed_s > 0.0 {
            let busy_workers = busy_s / elapsed_s;
            // A hair below the exact quotient, so that 4.000000001 is 4.
            let needed = busy_workers / (workers * a.plan.target_utilization) - 1e-9;
            let desired = needed.ceil().max(0.0).min(f64::from(u32::MAX)) as u32;
            (desired, busy_s / (replica_s * workers))
        } else {
            (current, 0.0)
        };
        let desired = desired.clamp(a.plan.min, a.plan.max);
        let cooled = now - self.control[s].last_change_s >= a.plan.cooldown_s;
        let startup_s = a.plan.startup_s;
        self.control[s].autoscaler = Some(a);
        if desired > current || (desired < current && cooled) {
            self.set_target(
                service,
                desired,
                ScaleReason::Autoscale(utilization),
                startup_s,
            );
        }
    }
}
