//! The request state machine.
//!
//! A *visit* is one request at one service: it arrives, is queued at a
//! replica or taken by a worker, works (own work), then runs its operation's
//! call steps (each step a single call or a parallel group; the step ends when
//! every call of it has answered) and finally responds to its parent (an
//! entry, or the call record of its caller).
//!
//! A *call record* is one call of a step in progress, through its repeats
//! (`count`) and, with issue-4 resilience, its retries. Each attempt has its
//! own generation: an answer or a timer of an abandoned attempt carries an old
//! generation and is ignored, so a caller can give up (timeout) while the
//! callee keeps working, and a crashed caller's calls can be dropped.
//!
//! Everything that follows at the same instant from one event (a response
//! travelling up the call chain, a rejection, the next step's calls) is
//! processed through an explicit stack of [`Action`]s before the next event,
//! never by recursion, so deep call chains cannot overflow the stack.

use rand::RngExt;

use super::engine::{CallRecord, Parent, Simulation, Visit, VisitState};
use super::plan::UNBOUNDED;
use super::queue::EventKind;
use super::stats::{Cause, Sample, count_error};
use crate::model::LoadBalancer;

/// Work that follows at the current instant.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action {
    /// Issue the visit's next call step, or respond when there is none.
    Advance(u32),
    /// An attempt of a call answered.
    CallAnswered {
        call: u32,
        generation: u32,
        result: Result<(), Cause>,
    },
}

impl Simulation {
    /// Handles one event and everything that follows from it at this instant.
    pub(super) fn handle(&mut self, kind: EventKind) {
        match kind {
            EventKind::Arrival { entry } => self.on_external_arrival(entry),
            EventKind::WorkDone { visit, generation } => {
                if self.visits[visit as usize].generation == generation {
                    self.on_work_done(visit);
                }
            }
        }
        while let Some(action) = self.actions.pop() {
            match action {
                Action::Advance(visit) => self.advance_steps(visit),
                Action::CallAnswered {
                    call,
                    generation,
                    result,
                } => self.on_call_answered(call, generation, result),
            }
        }
    }

    fn on_external_arrival(&mut self, entry: u32) {
        let e = entry as usize;
        let now = self.now;
        if let Some(next) = self.arrivals[e].next(
            now,
            &self.profile,
            self.duration_s,
            &mut self.arrival_rngs[e],
        ) {
            self.queue.push(next, EventKind::Arrival { entry });
        }
        let stats = &mut self.entry_stats[e];
        stats.bucket.arrivals += 1;
        if now >= self.warmup_s {
            stats.offered += 1;
        }
        let plan = &self.plan.entries[e];
        let (service, operation) = (plan.service, plan.operation);
        if let Err(cause) = self.arrive(service, operation, Parent::Entry(entry)) {
            self.entry_answered(entry, now, Err(cause));
        }
    }

    /// A request arrives at a service: it is taken by a worker, queued, or
    /// rejected (returned as an error, without creating a visit).
    fn arrive(&mut self, service: u32, operation: u32, parent: Parent) -> Result<(), Cause> {
        let s = service as usize;
        let now = self.now;
        let counted = now >= self.warmup_s;
        let stats = &mut self.services[s].stats;
        stats.bucket.arrivals += 1;
        if counted {
            stats.arrivals += 1;
        }
        let Some(replica) = self.choose_replica(service) else {
            self.reject(service, counted);
            return Err(Cause::Rejected);
        };
        let state = &self.services[s];
        let (workers, capacity) = (state.workers, state.queue_capacity);
        let r = &self.replicas[replica as usize];
        let takes_now = r.busy < workers;
        if !takes_now && capacity != UNBOUNDED && r.queue.len() >= capacity as usize {
            self.reject(service, counted);
            return Err(Cause::Rejected);
        }
        let visit = self.alloc_visit(Visit {
            generation: 0,
            state: VisitState::Queued,
            counted,
            holds_worker: false,
            failed: None,
            service,
            operation,
            replica,
            step: self.plan.operations[operation as usize].steps.start,
            pending: 0,
            parent,
            arrived_s: now,
        });
        let state = &mut self.services[s];
        state.in_system += 1;
        self.replicas[replica as usize].outstanding += 1;
        if takes_now {
            self.start_work(visit);
        } else {
            state.integrate(now);
            state.queued += 1;
            let queued = state.queued;
            self.replicas[replica as usize].queue.push_back(visit);
            let stats = &mut self.services[s].stats;
            if counted && queued > stats.queue_max {
                stats.queue_max = queued;
            }
        }
        Ok(())
    }

    fn reject(&mut self, service: u32, counted: bool) {
        let stats = &mut self.services[service as usize].stats;
        count_error(&mut stats.bucket.errors, Cause::Rejected);
        if counted {
            count_error(&mut stats.errors, Cause::Rejected);
        }
    }

    /// The replica a new request goes to, or `None` when none is live.
    fn choose_replica(&mut self, service: u32) -> Option<u32> {
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
                let rng = &mut self.balancer_rngs[s];
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

    fn alloc_visit(&mut self, mut visit: Visit) -> u32 {
        if let Some(index) = self.free_visits.pop() {
            visit.generation = self.visits[index as usize].generation;
            self.visits[index as usize] = visit;
            index
        } else {
            self.visits.push(visit);
            (self.visits.len() - 1) as u32
        }
    }

    fn free_visit(&mut self, visit: u32) {
        let v = &mut self.visits[visit as usize];
        v.generation = v.generation.wrapping_add(1);
        v.state = VisitState::Free;
        self.free_visits.push(visit);
    }

    /// A worker takes the visit: sample its own work and schedule its end.
    fn start_work(&mut self, visit: u32) {
        let now = self.now;
        let v = &mut self.visits[visit as usize];
        v.state = VisitState::Working;
        v.holds_worker = true;
        let (s, replica, operation, generation) =
            (v.service as usize, v.replica, v.operation, v.generation);
        let (counted, wait_s) = (v.counted, now - v.arrived_s);
        if counted {
            self.record(Sample::Wait(s as u32), wait_s);
        }
        let state = &mut self.services[s];
        state.integrate(now);
        state.busy += 1;
        self.replicas[replica as usize].busy += 1;
        let work_s = self.plan.operations[operation as usize]
            .sampler
            .sample(&mut self.time_rngs[s]);
        self.queue
            .push(now + work_s, EventKind::WorkDone { visit, generation });
    }

    /// Frees a worker of `replica` of `service`; the next queued request takes it.
    fn release_worker(&mut self, service: u32, replica: u32) {
        let state = &mut self.services[service as usize];
        state.integrate(self.now);
        state.busy -= 1;
        let r = &mut self.replicas[replica as usize];
        r.busy -= 1;
        if let Some(next) = r.queue.pop_front() {
            state.queued -= 1;
            self.start_work(next);
        }
    }

    fn on_work_done(&mut self, visit: u32) {
        let v = &mut self.visits[visit as usize];
        v.state = VisitState::Calling;
        if !self.services[v.service as usize].blocking_calls {
            v.holds_worker = false;
            let (service, replica) = (v.service, v.replica);
            self.release_worker(service, replica);
        }
        // Directly rather than through the action stack: the stack is empty
        // at the start of an event, and nothing here recurses.
        self.advance_steps(visit);
    }

    /// Issues the visit's next step with at least one call, or responds.
    fn advance_steps(&mut self, visit: u32) {
        let v = self.visits[visit as usize];
        let steps_end = self.plan.operations[v.operation as usize].steps.end;
        let mut step = v.step;
        let mut pending = 0;
        while pending == 0 && step < steps_end && v.failed.is_none() {
            let calls = self.plan.steps[step as usize].calls.clone();
            step += 1;
            for spec in calls {
                let plan = &self.plan.calls[spec as usize];
                if plan.count == 0 {
                    continue;
                }
                if plan.probability < 1.0
                    && self.call_rngs[v.service as usize].random::<f64>() >= plan.probability
                {
                    continue;
                }
                let call = self.alloc_call(CallRecord {
                    generation: 0,
                    live: true,
                    caller: visit,
                    caller_generation: v.generation,
                    spec,
                    repeats_left: plan.count,
                    attempt: 0,
                });
                pending += 1;
                self.issue_attempt(call);
            }
        }
        let v = &mut self.visits[visit as usize];
        v.step = step;
        v.pending = pending;
        if pending == 0 {
            // Answering pushes its consequences as actions; no recursion.
            self.respond(visit);
        }
    }

    fn alloc_call(&mut self, mut record: CallRecord) -> u32 {
        if let Some(index) = self.free_calls.pop() {
            record.generation = self.calls[index as usize].generation;
            self.calls[index as usize] = record;
            index
        } else {
            self.calls.push(record);
            (self.calls.len() - 1) as u32
        }
    }

    fn free_call(&mut self, call: u32) {
        let c = &mut self.calls[call as usize];
        c.generation = c.generation.wrapping_add(1);
        c.live = false;
        self.free_calls.push(call);
    }

    /// Sends one attempt of `call` to its callee.
    fn issue_attempt(&mut self, call: u32) {
        let record = self.calls[call as usize];
        let plan = &self.plan.calls[record.spec as usize];
        let (callee_service, callee_operation, edge) =
            (plan.callee_service, plan.callee_operation, plan.edge);
        let stats = &mut self.edge_counts[edge as usize];
        stats.bucket_calls += 1;
        if self.now >= self.warmup_s {
            stats.calls += 1;
        }
        let generation = record.generation;
        if let Err(cause) = self.arrive(
            callee_service,
            callee_operation,
            Parent::Call { call, generation },
        ) {
            self.actions.push(Action::CallAnswered {
                call,
                generation,
                result: Err(cause),
            });
        }
    }

    fn on_call_answered(&mut self, call: u32, generation: u32, result: Result<(), Cause>) {
        let record = &mut self.calls[call as usize];
        if !record.live || record.generation != generation {
            return; // An abandoned attempt.
        }
        if result.is_ok() && record.repeats_left > 1 {
            record.repeats_left -= 1;
            record.attempt = 0;
            record.generation = record.generation.wrapping_add(1);
            self.issue_attempt(call);
            return;
        }
        let record = *record;
        self.free_call(call);
        let caller = &mut self.visits[record.caller as usize];
        if caller.generation != record.caller_generation || caller.state != VisitState::Calling {
            return; // The caller is gone.
        }
        if let Err(cause) = result
            && !self.plan.calls[record.spec as usize].optional
            && caller.failed.is_none()
        {
            caller.failed = Some(cause);
        }
        caller.pending -= 1;
        if caller.pending == 0 {
            self.actions.push(Action::Advance(record.caller));
        }
    }

    /// The visit answers its parent and leaves the service.
    fn respond(&mut self, visit: u32) {
        let v = self.visits[visit as usize];
        let now = self.now;
        if v.holds_worker {
            self.release_worker(v.service, v.replica);
        }
        self.services[v.service as usize].in_system -= 1;
        self.replicas[v.replica as usize].outstanding -= 1;
        let result = match v.failed {
            None => Ok(()),
            Some(cause) => Err(cause),
        };
        let stats = &mut self.services[v.service as usize].stats;
        match result {
            Ok(()) => {
                let response_s = now - v.arrived_s;
                stats.bucket.completed += 1;
                if v.counted {
                    stats.completed += 1;
                }
                self.record(
                    Sample::Response {
                        service: v.service,
                        counted: v.counted,
                    },
                    response_s,
                );
            }
            Err(cause) => {
                count_error(&mut stats.bucket.errors, cause);
                if v.counted {
                    count_error(&mut stats.errors, cause);
                }
            }
        }
        self.free_visit(visit);
        match v.parent {
            Parent::Entry(entry) => self.entry_answered(entry, v.arrived_s, result),
            Parent::Call { call, generation } => {
                self.actions.push(Action::CallAnswered {
                    call,
                    generation,
                    result,
                });
            }
        }
    }

    /// An external request of `entry` that arrived at `arrived_s` is answered.
    fn entry_answered(&mut self, entry: u32, arrived_s: f64, result: Result<(), Cause>) {
        let counted = arrived_s >= self.warmup_s;
        let stats = &mut self.entry_stats[entry as usize];
        match result {
            Ok(()) => {
                let latency_s = self.now - arrived_s;
                stats.bucket.completed += 1;
                if counted {
                    stats.completed += 1;
                }
                self.record(Sample::Latency { entry, counted }, latency_s);
            }
            Err(cause) => {
                count_error(&mut stats.bucket.errors, cause);
                if counted {
                    count_error(&mut stats.errors, cause);
                }
            }
        }
    }
}
