//! Replicas: which one takes a request (the load balancers), and their
//! lifecycle.
//!
//! Each service has a fixed range of replica *slots* (as many as it can
//! ever have in the run). Slot `k` is *wanted* while `k` is below the
//! service's target count, and is in one [`Phase`]:
//!
//! - `Running`: takes new work (the balancer may choose it);
//! - `Starting`: wanted, becomes `Running` after its startup time;
//! - `Draining`: no longer wanted but still finishing the requests it
//!   accepted; takes no new work and becomes `Removed` when idle;
//! - `Stopped`: wanted but down (crashed, or its zone is out); restarts
//!   (`Starting`) when nothing holds it down any more;
//! - `Removed`: not in the service.
//!
//! A slot is *down* while a crash fault holds it, a crash of the whole
//! service is in progress, or its zone is out. A slot that goes down while
//! running fails every request it holds (queued, working or waiting on
//! calls) with `error`; the calls those requests made are abandoned (their
//! callees keep working; the answers are ignored).

use rand::RngExt;

use super::engine::Simulation;
use super::pools::VisitState;
use super::stats::Cause;
use crate::model::LoadBalancer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Phase {
    #[default]
    Removed,
    Starting,
    Running,
    Draining,
    Stopped,
}

impl Simulation {
    /// The replica a new request goes to, or `None` when none takes work.
    pub(super) fn choose_replica(&mut self, service: u32) -> Option<u32> {
        let s = service as usize;
        let state = &mut self.services[s];
        let (first, n) = (state.first_replica, state.replica_count);
        if state.up == 0 {
            return None;
        }
        let all_up = state.up == n;
        // The replica after `k`, wrapping (no division on the hot path).
        let after = |k: u32| if k + 1 >= n { 0 } else { k + 1 };
        let cursor = if state.rr_next < n { state.rr_next } else { 0 };
        let chosen = match state.load_balancer {
            LoadBalancer::RoundRobin => {
                let mut k = cursor;
                while !self.replicas[(first + k) as usize].up {
                    k = after(k);
                }
                state.rr_next = after(k);
                k
            }
            LoadBalancer::Random => {
                let rng = self.streams.balancer(s);
                if all_up {
                    rng.random_range(0..n)
                } else {
                    let mut j = rng.random_range(0..state.up);
                    let mut k = 0;
                    loop {
                        if self.replicas[(first + k) as usize].up {
                            if j == 0 {
                                break k;
                            }
                            j -= 1;
                        }
                        k += 1;
                    }
                }
            }
            LoadBalancer::LeastOutstanding => {
                // Ties go to the first replica at or after a rotating start,
                // so an idle service spreads its load.
                let start = cursor;
                state.rr_next = after(start);
                let mut best: Option<(u32, u32)> = None;
                for i in 0..n {
                    let k = if start + i >= n {
                        start + i - n
                    } else {
                        start + i
                    };
                    let r = &self.replicas[(first + k) as usize];
                    if r.up && best.is_none_or(|(_, o)| r.outstanding < o) {
                        best = Some((k, r.outstanding));
                    }
                }
                best.map_or(0, |(k, _)| k)
            }
        };
        Some(first + chosen)
    }

    /// Every slot of a service.
    pub(super) fn slots_of(&self, service: u32) -> Vec<u32> {
        let first = self.services[service as usize].first_replica;
        (first..first + self.plan.services[service as usize].capacity).collect()
    }

    /// Up to `count` slots for a crash: alive (running, starting or
    /// draining) and not already held by a crash, lowest slot first.
    pub(super) fn crash_candidates(&self, service: u32, count: u32) -> Vec<u32> {
        self.slots_of(service)
            .into_iter()
            .filter(|&slot| {
                let r = &self.replicas[slot as usize];
                r.crash_holds == 0
                    && matches!(r.phase, Phase::Running | Phase::Starting | Phase::Draining)
            })
            .take(count as usize)
            .collect()
    }

    /// Whether something holds the slot down now.
    pub(super) fn is_down(&self, slot: u32) -> bool {
        let r = &self.replicas[slot as usize];
        if r.crash_holds > 0 || self.faults.service_crashed(r.service) {
            return true;
        }
        let zone = self.zone_of_slot(slot);
        zone != super::plan::NONE && self.faults.zone_is_down(zone)
    }

    pub(super) fn down_states(&self, slots: &[u32]) -> Vec<bool> {
        slots.iter().map(|&slot| self.is_down(slot)).collect()
    }

    /// Whether slot `slot` is below its service's target count.
    pub(super) fn is_wanted(&self, slot: u32) -> bool {
        let service = self.replicas[slot as usize].service as usize;
        slot - self.services[service].first_replica < self.control[service].target()
    }

    /// Moves the slots whose down state changed (compared with `before`):
    /// the ones that went down stop, failing their requests; the ones that
    /// came back restart after the service's `startup_s`.
    pub(super) fn apply_liveness(&mut self, slots: &[u32], before: &[bool]) {
        let mut dying = Vec::new();
        for (&slot, &was_down) in slots.iter().zip(before) {
            let down = self.is_down(slot);
            let phase = self.replicas[slot as usize].phase;
            if down && !was_down {
                match phase {
                    Phase::Running | Phase::Draining => dying.push(slot),
                    Phase::Starting => {
                        let r = &mut self.replicas[slot as usize];
                        r.generation = r.generation.wrapping_add(1);
                        self.set_phase(slot, Phase::Stopped);
                    }
                    Phase::Stopped | Phase::Removed => {}
                }
            } else if !down && was_down && phase == Phase::Stopped {
                if self.is_wanted(slot) {
                    let service = self.replicas[slot as usize].service;
                    let startup_s = self.plan.services[service as usize].startup_s;
                    self.start_replica(slot, startup_s);
                } else {
                    self.set_phase(slot, Phase::Removed);
                }
            }
        }
        for &slot in &dying {
            let next = if self.replicas[slot as usize].phase == Phase::Running {
                Phase::Stopped
            } else {
                Phase::Removed
            };
            self.set_phase(slot, next);
        }
        self.fail_replicas(&dying);
    }

    /// Starts a slot: running at once when `startup_s` is 0, else after it.
    pub(super) fn start_replica(&mut self, slot: u32, startup_s: f64) {
        if startup_s <= 0.0 {
            self.set_phase(slot, Phase::Running);
            return;
        }
        let r = &mut self.replicas[slot as usize];
        r.generation = r.generation.wrapping_add(1);
        let generation = r.generation;
        self.set_phase(slot, Phase::Starting);
        self.queue.push(
            self.now + startup_s,
            super::queue::EventKind::ReplicaReady {
                replica: slot,
                generation,
            },
        );
    }

    pub(super) fn on_replica_ready(&mut self, slot: u32, generation: u32) {
        let r = &self.replicas[slot as usize];
        if r.generation == generation && r.phase == Phase::Starting {
            self.set_phase(slot, Phase::Running);
        }
    }

    /// A draining replica answered its last request.
    #[cold]
    pub(super) fn finish_drain(&mut self, slot: u32) {
        self.set_phase(slot, Phase::Removed);
    }

    /// Changes a slot's phase and keeps its service's counts (and the time
    /// integrals that depend on them) up to date.
    pub(super) fn set_phase(&mut self, slot: u32, phase: Phase) {
        let r = &mut self.replicas[slot as usize];
        let old = r.phase;
        if old == phase {
            return;
        }
        r.phase = phase;
        r.up = phase == Phase::Running;
        let s = r.service as usize;
        let state = &mut self.services[s];
        state.integrate(self.now);
        let control = &mut self.control[s];
        control.integrate_held(self.now, state.running);
        for (p, delta) in [(old, -1i64), (phase, 1)] {
            let add = |count: &mut u32| *count = (i64::from(*count) + delta).max(0) as u32;
            match p {
                Phase::Running => {
                    add(&mut state.up);
                    add(&mut state.running);
                }
                Phase::Draining => add(&mut state.running),
                Phase::Starting | Phase::Stopped | Phase::Removed => {}
            }
            control.count_phase(p, delta);
        }
        // Slots the balancers look at: up to the highest one not removed.
        let k = slot - state.first_replica;
        if phase != Phase::Removed {
            state.replica_count = state.replica_count.max(k + 1);
        } else {
            while state.replica_count > 0
                && self.replicas[(state.first_replica + state.replica_count - 1) as usize].phase
                    == Phase::Removed
            {
                state.replica_count -= 1;
            }
        }
    }

    /// Fails every request held by the `dying` slots (which have already
    /// left the running phases) and abandons the calls those requests made.
    fn fail_replicas(&mut self, dying: &[u32]) {
        if dying.is_empty() {
            return;
        }
        let mut is_dying = vec![false; self.replicas.len()];
        for &slot in dying {
            is_dying[slot as usize] = true;
        }
        for call in 0..self.pools.call_slots() {
            let record = *self.pools.call(call);
            if !record.live {
                continue;
            }
            let caller = self.pools.visit(record.caller);
            if caller.generation == record.caller_generation
                && caller.state != VisitState::Free
                && is_dying[caller.replica as usize]
            {
                self.abandon_call(call);
            }
        }
        let victims: Vec<u32> = (0..self.pools.visit_slots())
            .filter(|&v| {
                let visit = self.pools.visit(v);
                visit.state != VisitState::Free && is_dying[visit.replica as usize]
            })
            .collect();
        for &slot in dying {
            let r = &mut self.replicas[slot as usize];
            let (busy, queued) = (r.busy, r.queue.len() as u32);
            r.busy = 0;
            r.queue.clear();
            let state = &mut self.services[r.service as usize];
            state.integrate(self.now);
            state.busy -= busy;
            state.queued -= queued;
        }
        for visit in victims {
            let v = self.pools.visit_mut(visit);
            v.holds_worker = false;
            v.failed = Some(Cause::Error);
            self.respond(visit);
        }
    }
}
