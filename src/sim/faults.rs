//! Scenario faults and scheduled scaling: compiled from the scenario, turned
//! into control events at their start and end, and applied to the running
//! simulation.
//!
//! - `crash`: the chosen replicas (the first `replicas` live ones, by slot;
//!   all of them, including replicas added during the fault, when absent)
//!   go down; their queued and in-progress requests fail with `error`. When
//!   the fault ends they restart and take work after the service's
//!   `startup_s` (0 when absent).
//! - `zone_outage`: every replica slot placed in the zone (slot `i` in
//!   `zones[i % n]`, also slots added by scaling) is down while it lasts,
//!   with the same consequences and restart as a crash.
//! - `latency`: adds `add_ms` to the own work of requests that *start* work
//!   while it is active (several add up).
//! - `errors`: a request fails with `error` after its own work with this
//!   probability (several combine as independent chances).
//! - `partition`: attempts sent between the two services (either
//!   direction) while it is active fail at once with `error` (`fail`) or are
//!   lost (`hang`): no answer ever comes, and the caller waits for its
//!   timeout.
//!
//! Control events at the same instant apply in file order (faults first,
//! then scaling steps), before any request at that instant.

use crate::model::{Fault, PartitionMode, Scenario};

use super::SimError;
use super::engine::Simulation;
use super::plan::{NONE, Plan};
use super::queue::{EventKind, EventQueue};
use super::scaling::ScaleReason;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FaultKind {
    Crash { service: u32, replicas: Option<u32> },
    Latency { service: u32, add_s: f64 },
    Errors { service: u32, probability: f64 },
    ZoneOutage { zone: u32 },
    Partition { a: u32, b: u32, mode: PartitionMode },
}

#[derive(Debug, Clone)]
pub(crate) struct FaultPlan {
    pub kind: FaultKind,
    pub start_s: f64,
    /// `None`: until the end of the run.
    pub end_s: Option<f64>,
    /// `crash`, `latency`, …
    pub kind_name: &'static str,
    /// The service, zone or `a ↔ b` pair the fault hits.
    pub target: String,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct ScalingPlan {
    pub at_s: f64,
    pub service: u32,
    pub replicas: u32,
}

/// Compiles the scenario's faults and scaling steps (checked by
/// validation); `find` resolves a service name.
pub(super) fn compile(
    scenario: &Scenario,
    plan: &Plan,
    find: &dyn Fn(&str, String) -> Result<u32, SimError>,
) -> Result<(Vec<FaultPlan>, Vec<ScalingPlan>), SimError> {
    let mut faults = Vec::with_capacity(scenario.faults.len());
    for (k, fault) in scenario.faults.iter().enumerate() {
        let place = format!("scenario \"{}\" faults[{k}]", scenario.name);
        let start_s = fault.at_s();
        let end_s = fault.duration_s().map(|d| start_s + d);
        let (kind, target) = match fault {
            Fault::Crash {
                service, replicas, ..
            } => {
                let index = find(service, place.clone())?;
                let replicas = replicas.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
                (
                    FaultKind::Crash {
                        service: index,
                        replicas,
                    },
                    service.clone(),
                )
            }
            Fault::Latency {
                service, add_ms, ..
            } => (
                FaultKind::Latency {
                    service: find(service, place.clone())?,
                    add_s: *add_ms / 1e3,
                },
                service.clone(),
            ),
            Fault::Errors {
                service,
                probability,
                ..
            } => (
                FaultKind::Errors {
                    service: find(service, place.clone())?,
                    probability: *probability,
                },
                service.clone(),
            ),
            Fault::ZoneOutage { zone, .. } => {
                let Ok(index) = plan.zones.binary_search(zone) else {
                    return Err(SimError::unchecked(
                        place,
                        format!("no service is placed in zone \"{zone}\""),
                    ));
                };
                (FaultKind::ZoneOutage { zone: index as u32 }, zone.clone())
            }
            Fault::Partition { between, mode, .. } => {
                let a = find(&between[0], place.clone())?;
                let b = find(&between[1], place.clone())?;
                (
                    FaultKind::Partition { a, b, mode: *mode },
                    format!("{} ↔ {}", between[0], between[1]),
                )
            }
        };
        faults.push(FaultPlan {
            kind,
            start_s,
            end_s,
            kind_name: fault.kind_str(),
            target,
        });
    }
    let mut scaling = Vec::with_capacity(scenario.scaling.len());
    for (k, step) in scenario.scaling.iter().enumerate() {
        let place = format!("scenario \"{}\" scaling[{k}]", scenario.name);
        scaling.push(ScalingPlan {
            at_s: step.at_s,
            service: find(&step.service, place)?,
            replicas: u32::try_from(step.replicas).unwrap_or(u32::MAX),
        });
    }
    Ok((faults, scaling))
}

/// Runtime state of the faults; only the fault events of this module
/// change it.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultState {
    active: Vec<bool>,
    /// Per crash fault with a count: the replica slots it holds down.
    held: Vec<Vec<u32>>,
    /// Per service: crash faults of the whole service in progress.
    service_crashes: Vec<u32>,
    /// Per zone: outages in progress.
    zone_down: Vec<u32>,
    /// Partitions in progress (any mode).
    partitions: u32,
}

impl FaultState {
    pub fn new(plan: &Plan) -> Self {
        FaultState {
            active: vec![false; plan.faults.len()],
            held: vec![Vec::new(); plan.faults.len()],
            service_crashes: vec![0; plan.services.len()],
            zone_down: vec![0; plan.zones.len()],
            partitions: 0,
        }
    }

    /// Whether a partition (any mode) is in progress.
    #[inline(always)]
    pub fn partitions_on(&self) -> bool {
        self.partitions > 0
    }

    /// Whether a crash of the whole of `service` is in progress.
    pub fn service_crashed(&self, service: u32) -> bool {
        self.service_crashes[service as usize] > 0
    }

    /// Whether an outage of zone `zone` is in progress.
    pub fn zone_is_down(&self, zone: u32) -> bool {
        self.zone_down[zone as usize] > 0
    }
}

/// Schedules the start and end of every fault and every scaling step.
pub(super) fn schedule_controls(plan: &Plan, queue: &mut EventQueue) {
    let faults = plan.faults.len() as u32;
    for (i, fault) in plan.faults.iter().enumerate() {
        let index = 2 * i as u32;
        queue.push(fault.start_s, EventKind::Control { index });
        if let Some(end_s) = fault.end_s {
            queue.push(end_s, EventKind::Control { index: index + 1 });
        }
    }
    for (j, step) in plan.scaling.iter().enumerate() {
        queue.push(
            step.at_s,
            EventKind::Control {
                index: 2 * faults + j as u32,
            },
        );
    }
}

impl Simulation {
    pub(super) fn on_control(&mut self, index: u32) {
        let faults = self.plan.faults.len() as u32;
        if index < 2 * faults {
            let fault = (index / 2) as usize;
            if index.is_multiple_of(2) {
                self.fault_started(fault);
            } else {
                self.fault_ended(fault);
            }
        } else if let Some(step) = self.plan.scaling.get((index - 2 * faults) as usize) {
            let (service, replicas) = (step.service, step.replicas);
            let startup_s = self.plan.services[service as usize].startup_s;
            self.set_target(service, replicas, ScaleReason::Scheduled, startup_s);
        }
    }

    fn fault_started(&mut self, fault: usize) {
        self.faults.active[fault] = true;
        match self.plan.faults[fault].kind {
            FaultKind::Crash {
                service,
                replicas: Some(count),
            } => {
                let slots = self.crash_candidates(service, count);
                let before = self.down_states(&slots);
                for &slot in &slots {
                    self.replicas[slot as usize].crash_holds += 1;
                }
                self.faults.held[fault] = slots.clone();
                self.apply_liveness(&slots, &before);
            }
            FaultKind::Crash {
                service,
                replicas: None,
            } => {
                let slots = self.slots_of(service);
                let before = self.down_states(&slots);
                self.faults.service_crashes[service as usize] += 1;
                self.apply_liveness(&slots, &before);
            }
            FaultKind::ZoneOutage { zone } => {
                let slots = self.slots_in_zone(zone);
                let before = self.down_states(&slots);
                self.faults.zone_down[zone as usize] += 1;
                self.apply_liveness(&slots, &before);
            }
            FaultKind::Latency { service, .. } | FaultKind::Errors { service, .. } => {
                self.refresh_service_faults(service);
            }
            FaultKind::Partition { .. } => self.faults.partitions += 1,
        }
    }

    fn fault_ended(&mut self, fault: usize) {
        if !self.faults.active[fault] {
            return;
        }
        self.faults.active[fault] = false;
        match self.plan.faults[fault].kind {
            FaultKind::Crash {
                replicas: Some(_), ..
            } => {
                let slots = std::mem::take(&mut self.faults.held[fault]);
                let before = self.down_states(&slots);
                for &slot in &slots {
                    let r = &mut self.replicas[slot as usize];
                    r.crash_holds = r.crash_holds.saturating_sub(1);
                }
                self.apply_liveness(&slots, &before);
            }
            FaultKind::Crash {
                service,
                replicas: None,
            } => {
                let slots = self.slots_of(service);
                let before = self.down_states(&slots);
                let crashes = &mut self.faults.service_crashes[service as usize];
                *crashes = crashes.saturating_sub(1);
                self.apply_liveness(&slots, &before);
            }
            FaultKind::ZoneOutage { zone } => {
                let slots = self.slots_in_zone(zone);
                let before = self.down_states(&slots);
                let down = &mut self.faults.zone_down[zone as usize];
                *down = down.saturating_sub(1);
                self.apply_liveness(&slots, &before);
            }
            FaultKind::Latency { service, .. } | FaultKind::Errors { service, .. } => {
                self.refresh_service_faults(service);
            }
            FaultKind::Partition { .. } => {
                self.faults.partitions = self.faults.partitions.saturating_sub(1);
            }
        }
    }

    /// Recomputes a service's added latency and error probability from the
    /// faults active now.
    fn refresh_service_faults(&mut self, service: u32) {
        let mut add_s = 0.0;
        let mut survive = 1.0;
        for (fault, &active) in self.plan.faults.iter().zip(&self.faults.active) {
            if !active {
                continue;
            }
            match fault.kind {
                FaultKind::Latency {
                    service: s,
                    add_s: a,
                } if s == service => add_s += a,
                FaultKind::Errors {
                    service: s,
                    probability,
                } if s == service => survive *= 1.0 - probability,
                _ => {}
            }
        }
        let state = &mut self.services[service as usize];
        state.extra_work_s = add_s;
        state.error_probability = 1.0 - survive;
        state.update_slow_path();
    }

    /// The mode of an active partition between services `a` and `b`
    /// (either direction; the first in file order), if any.
    pub(super) fn partition_between(&self, a: u32, b: u32) -> Option<PartitionMode> {
        self.plan
            .faults
            .iter()
            .zip(&self.faults.active)
            .find_map(|(fault, &active)| match fault.kind {
                FaultKind::Partition { a: x, b: y, mode }
                    if active && ((x == a && y == b) || (x == b && y == a)) =>
                {
                    Some(mode)
                }
                _ => None,
            })
    }

    /// The zone of a replica slot, or [`NONE`].
    pub(super) fn zone_of_slot(&self, slot: u32) -> u32 {
        let service = self.replicas[slot as usize].service;
        let first = self.services[service as usize].first_replica;
        self.plan.services[service as usize].zone_of(slot - first)
    }

    /// Indices of the faults in progress now.
    pub(super) fn active_faults(&self) -> Vec<usize> {
        (0..self.faults.active.len())
            .filter(|&i| self.faults.active[i])
            .collect()
    }

    fn slots_in_zone(&self, zone: u32) -> Vec<u32> {
        let mut slots = Vec::new();
        for (s, service) in self.plan.services.iter().enumerate() {
            if service.zones.is_empty() || !service.zones.contains(&zone) {
                continue;
            }
            let first = self.services[s].first_replica;
            for k in 0..service.capacity {
                if service.zone_of(k) == zone && zone != NONE {
                    slots.push(first + k);
                }
            }
        }
        slots
    }
}
