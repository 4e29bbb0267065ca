//! The request state machine.
//!
//! A *visit* is one request at one service: it arrives, is queued at a
//! replica or taken by a worker, works (own work), then runs its operation's
//! call steps (each step a single call or a parallel group; the step ends when
//! every call of it has answered) and finally responds to its parent (an
//! entry, or the call record of its caller).
//!
//! A *call record* is one call of a step in progress, through its repeats
//! (`count`) and, with resilience settings, its retries. Each attempt has its
//! own generation: an answer or a timer of an abandoned attempt carries an old
//! generation and is ignored, so a caller can give up (timeout) while the
//! callee keeps working, and a crashed caller's calls can be dropped.
//!
//! Everything that follows at the same instant from one event (a response
//! travelling up the call chain, a rejection, the next step's calls) is
//! processed through an explicit stack of [`Action`]s before the next event,
//! never by recursion, so deep call chains cannot overflow the stack.

use rand::RngExt;

use super::engine::Simulation;
use super::plan::UNBOUNDED;
use super::pools::{CallRecord, Parent, Visit, VisitState};
use super::queue::EventKind;
use super::replicas::Phase;
use super::stats::{Cause, Sample, count_error};

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
    /// A plain call (see [`Parent::Visit`]) answered its caller; `counted`:
    /// it was sent after warm-up.
    PlainAnswered {
        caller: u32,
        generation: u32,
        spec: u32,
        counted: bool,
        result: Result<(), Cause>,
    },
}

impl Simulation {
    /// Handles one event and everything that follows from it at this instant.
    pub(super) fn handle(&mut self, kind: EventKind) {
        match kind {
            EventKind::Arrival { entry } => self.on_external_arrival(entry),
            EventKind::WorkDone { visit, generation } => {
                if self.pools.visit_is(visit, generation) {
                    self.on_work_done(visit);
                }
            }
            EventKind::Timer { index } => self.on_timer(index),
            EventKind::Retry { call, generation } => self.on_retry(call, generation),
            EventKind::Control { index } => self.on_control(index),
            EventKind::Autoscale { service } => self.on_autoscale(service),
            EventKind::ReplicaReady {
                replica,
                generation,
            } => self.on_replica_ready(replica, generation),
        }
        while let Some(action) = self.actions.pop() {
            match action {
                Action::Advance(visit) => self.advance_steps(visit),
                Action::CallAnswered {
                    call,
                    generation,
                    result,
                } => self.on_call_answered(call, generation, result),
                Action::PlainAnswered {
                    caller,
                    generation,
                    spec,
                    counted,
                    result,
                } => self.on_plain_answered(caller, generation, spec, counted, result),
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
            self.streams.arrivals(e),
        ) {
            self.queue.push(next, EventKind::Arrival { entry });
        }
        let stats = self.recorder.entry_mut(e);
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
    pub(super) fn arrive(
        &mut self,
        service: u32,
        operation: u32,
        parent: Parent,
    ) -> Result<(), Cause> {
        let s = service as usize;
        let now = self.now;
        let counted = now >= self.warmup_s;
        let state = &mut self.services[s];
        state.arrivals_total += 1;
        if state.admission && !self.admit(service) {
            self.reject(service, counted);
            return Err(Cause::Rejected);
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
            next_call: 0,
            calls_end: 0,
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
            if counted && state.queued > state.queue_max {
                state.queue_max = state.queued;
            }
            self.replicas[replica as usize].queue.push_back(visit);
        }
        Ok(())
    }

    fn reject(&mut self, service: u32, counted: bool) {
        let stats = &mut self.services[service as usize].stats;
        count_error(&mut stats.bucket_errors, Cause::Rejected);
        if counted {
            count_error(&mut stats.errors, Cause::Rejected);
        }
    }

    fn alloc_visit(&mut self, visit: Visit) -> u32 {
        let (index, grew) = self.pools.alloc_visit(visit);
        // The pool grows only when every visit is in use: its size is the
        // number in flight.
        if grew && index as usize >= self.max_in_flight && self.diverged_at_s.is_none() {
            self.diverged_at_s = Some(self.now);
        }
        index
    }

    /// A worker takes the visit: sample its own work and schedule its end.
    fn start_work(&mut self, visit: u32) {
        let now = self.now;
        let v = self.pools.visit_mut(visit);
        v.state = VisitState::Working;
        v.holds_worker = true;
        let (s, replica, operation, generation) =
            (v.service as usize, v.replica, v.operation, v.generation);
        let (counted, wait_s) = (v.counted, now - v.arrived_s);
        if counted {
            if wait_s > 0.0 {
                self.recorder.record(Sample::Wait(s as u32), wait_s);
            } else {
                self.services[s].zero_waits += 1;
            }
        }
        let plan = &self.plan.operations[operation as usize];
        let v = self.pools.visit_mut(visit);
        (v.next_call, v.calls_end) = (plan.calls.start, plan.calls.end);
        let state = &mut self.services[s];
        state.integrate(now);
        state.busy += 1;
        self.replicas[replica as usize].busy += 1;
        let work_s = plan.sampler.sample(&mut state.time_rng);
        let mut done_s = now + work_s;
        if state.slow_path {
            // Adding the zero of no latency fault would change nothing.
            done_s += state.extra_work_s;
        }
        self.queue
            .push(done_s, EventKind::WorkDone { visit, generation });
    }

    /// Frees a worker of `replica` of `service`; the next queued request
    /// takes it (load shedding drops the ones that waited too long).
    #[inline]
    fn release_worker(&mut self, service: u32, replica: u32) {
        let now = self.now;
        let state = &mut self.services[service as usize];
        state.integrate(now);
        state.busy -= 1;
        let r = &mut self.replicas[replica as usize];
        r.busy -= 1;
        if let Some(next) = r.queue.pop_front() {
            state.queued -= 1;
            if state.slow_path && now - self.pools.visit(next).arrived_s > state.max_wait_s {
                self.shed_and_take_next(next, service, replica);
            } else {
                self.start_work(next);
            }
        }
    }

    /// Load shedding: `first` (just taken from the queue) and the requests
    /// after it that waited longer than `max_wait_ms` are rejected; the
    /// first one that did not takes the worker.
    #[cold]
    fn shed_and_take_next(&mut self, first: u32, service: u32, replica: u32) {
        let now = self.now;
        let max_wait_s = self.services[service as usize].max_wait_s;
        let mut next = Some(first);
        while let Some(visit) = next {
            if now - self.pools.visit(visit).arrived_s <= max_wait_s {
                self.start_work(visit);
                return;
            }
            self.pools.visit_mut(visit).failed = Some(Cause::Rejected);
            self.respond(visit);
            next = self.replicas[replica as usize].queue.pop_front();
            if next.is_some() {
                self.services[service as usize].queued -= 1;
            }
        }
    }

    fn on_work_done(&mut self, visit: u32) {
        let v = self.pools.visit_mut(visit);
        v.state = VisitState::Calling;
        let state = &self.services[v.service as usize];
        if state.slow_path
            && state.error_probability > 0.0
            && self.streams.faults(v.service as usize).random::<f64>() < state.error_probability
        {
            v.failed = Some(Cause::Error);
        }
        if !state.blocking_calls {
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
        let v = *self.pools.visit(visit);
        let mut next = v.next_call;
        let mut pending = 0;
        if v.failed.is_none() {
            while pending == 0 && next < v.calls_end {
                // One step: its calls up to the one that ends it.
                loop {
                    let spec = next;
                    next += 1;
                    let plan = &self.plan.calls[spec as usize];
                    let ends_step = plan.ends_step;
                    let (count, probability, guarded) =
                        (plan.count, plan.probability, plan.guarded);
                    if count > 0
                        && (probability >= 1.0
                            || self.services[v.service as usize].call_rng.random::<f64>()
                                < probability)
                    {
                        pending += 1;
                        if count == 1 && !guarded && !self.faults.partitions_on() {
                            self.issue_plain(visit, v.generation, spec);
                        } else {
                            let call = self.pools.alloc_call(CallRecord {
                                generation: 0,
                                live: true,
                                guarded,
                                counted: false,
                                probe: false,
                                caller: visit,
                                caller_generation: v.generation,
                                spec,
                                repeats_left: count,
                                attempt: 0,
                                breaker_epoch: 0,
                            });
                            self.issue_attempt(call);
                        }
                    }
                    if ends_step {
                        break;
                    }
                }
            }
        }
        let v = self.pools.visit_mut(visit);
        v.next_call = next;
        v.pending = pending;
        if pending == 0 {
            // Answering pushes its consequences as actions; no recursion.
            self.respond_inline(visit);
        }
    }

    /// Sends one attempt of `call` to its callee.
    #[inline(always)]
    pub(super) fn issue_attempt(&mut self, call: u32) {
        let record = *self.pools.call(call);
        let plan = &self.plan.calls[record.spec as usize];
        if record.guarded || self.faults.partitions_on() {
            self.issue_guarded(call);
            return;
        }
        let (callee_service, callee_operation, edge) =
            (plan.callee_service, plan.callee_operation, plan.edge);
        let counted = self.now >= self.warmup_s;
        self.pools.call_mut(call).counted = counted;
        let stats = self.recorder.edge_counts_mut(edge as usize);
        stats.bucket_calls += 1;
        if counted {
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

    /// Sends a plain call (one attempt, no resilience setting, no partition
    /// on) from `caller` straight to its callee, without a call record.
    #[inline(always)]
    fn issue_plain(&mut self, caller: u32, generation: u32, spec: u32) {
        let plan = &self.plan.calls[spec as usize];
        let (callee_service, callee_operation, edge) =
            (plan.callee_service, plan.callee_operation, plan.edge);
        let counted = self.now >= self.warmup_s;
        let stats = self.recorder.edge_counts_mut(edge as usize);
        stats.bucket_calls += 1;
        if counted {
            stats.calls += 1;
        }
        let parent = Parent::Visit {
            visit: caller,
            generation,
            spec,
        };
        if let Err(cause) = self.arrive(callee_service, callee_operation, parent) {
            self.actions.push(Action::PlainAnswered {
                caller,
                generation,
                spec,
                counted,
                result: Err(cause),
            });
        }
    }

    /// A plain call answered: the caller's step has one call less to wait for.
    #[inline(always)]
    fn on_plain_answered(
        &mut self,
        caller: u32,
        generation: u32,
        spec: u32,
        counted: bool,
        result: Result<(), Cause>,
    ) {
        let v = self.pools.visit(caller);
        if v.generation != generation || v.state != VisitState::Calling {
            return; // The caller is gone.
        }
        if let Err(cause) = result {
            self.plain_call_failed(caller, spec, counted, cause);
        }
        let v = self.pools.visit_mut(caller);
        v.pending -= 1;
        if v.pending == 0 {
            self.actions.push(Action::Advance(caller));
        }
    }

    /// A plain call failed: counted on its edge, and it fails the caller
    /// unless the call is optional.
    #[cold]
    fn plain_call_failed(&mut self, caller: u32, spec: u32, counted: bool, cause: Cause) {
        let edge = self.plan.calls[spec as usize].edge;
        let stats = self.recorder.edge_mut(edge as usize);
        count_error(&mut stats.bucket_errors, cause);
        if counted {
            count_error(&mut stats.errors, cause);
        }
        let v = self.pools.visit_mut(caller);
        if !self.plan.policies[spec as usize].optional && v.failed.is_none() {
            v.failed = Some(cause);
        }
    }

    fn on_call_answered(&mut self, call: u32, generation: u32, result: Result<(), Cause>) {
        let record = self.pools.call_mut(call);
        if !record.live || record.generation != generation {
            return; // An abandoned attempt.
        }
        if record.guarded || result.is_err() {
            self.on_guarded_answer(call, result);
            return;
        }
        if record.repeats_left > 1 {
            record.repeats_left -= 1;
            record.attempt = 0;
            record.generation = record.generation.wrapping_add(1);
            self.issue_attempt(call);
            return;
        }
        self.finish_call_inline(call, Ok(()));
    }

    /// The visit answers its parent and leaves the service (out of line,
    /// for the rarer paths: crashes, load shedding).
    pub(super) fn respond(&mut self, visit: u32) {
        self.respond_inline(visit);
    }

    /// [`Self::respond`], inlined on the hot path.
    #[inline(always)]
    fn respond_inline(&mut self, visit: u32) {
        let v = *self.pools.visit(visit);
        let now = self.now;
        if v.holds_worker {
            self.release_worker(v.service, v.replica);
        }
        self.services[v.service as usize].in_system -= 1;
        let r = &mut self.replicas[v.replica as usize];
        r.outstanding -= 1;
        if r.outstanding == 0 && r.phase == Phase::Draining {
            self.finish_drain(v.replica);
        }
        let result = match v.failed {
            None => Ok(()),
            Some(cause) => Err(cause),
        };
        // Nobody waits for an answer whose caller timed out or went down.
        let waiting = match v.parent {
            Parent::Entry(_) => true,
            Parent::Call { call, generation } => {
                let record = self.pools.call(call);
                record.live && record.generation == generation
            }
            Parent::Visit {
                visit: caller,
                generation,
                ..
            } => {
                let caller = self.pools.visit(caller);
                caller.generation == generation && caller.state == VisitState::Calling
            }
        };
        let state = &mut self.services[v.service as usize];
        if !waiting {
            self.late_answer(visit, v.counted, result.is_ok(), now - v.arrived_s);
            return;
        }
        match result {
            Ok(()) => {
                let response_s = now - v.arrived_s;
                state.completed_total += 1;
                state.completed += u64::from(v.counted);
                self.recorder.record(
                    Sample::Response {
                        service: v.service,
                        counted: v.counted,
                    },
                    response_s,
                );
            }
            Err(cause) => {
                let stats = &mut state.stats;
                count_error(&mut stats.bucket_errors, cause);
                if v.counted {
                    count_error(&mut stats.errors, cause);
                }
            }
        }
        self.pools.free_visit(visit);
        match v.parent {
            Parent::Entry(entry) => self.entry_answered(entry, v.arrived_s, result),
            Parent::Call { call, generation } => {
                self.actions.push(Action::CallAnswered {
                    call,
                    generation,
                    result,
                });
            }
            Parent::Visit {
                visit: caller,
                generation,
                spec,
            } => {
                self.actions.push(Action::PlainAnswered {
                    caller,
                    generation,
                    spec,
                    counted: v.counted,
                    result,
                });
            }
        }
    }

    /// An answer nobody waits for: counted as `late`; a successful one still
    /// counts in the response times (it shows how slow the service is).
    #[cold]
    fn late_answer(&mut self, visit: u32, counted: bool, ok: bool, response_s: f64) {
        let service = self.pools.visit(visit).service;
        if counted {
            self.services[service as usize].stats.cold.late += 1;
        }
        if ok {
            self.recorder
                .record(Sample::Response { service, counted }, response_s);
        }
        self.pools.free_visit(visit);
    }

    /// An external request of `entry` that arrived at `arrived_s` is answered.
    fn entry_answered(&mut self, entry: u32, arrived_s: f64, result: Result<(), Cause>) {
        let counted = arrived_s >= self.warmup_s;
        let stats = self.recorder.entry_mut(entry as usize);
        match result {
            Ok(()) => {
                let latency_s = self.now - arrived_s;
                stats.bucket.completed += 1;
                if counted {
                    stats.completed += 1;
                }
                self.recorder
                    .record(Sample::Latency { entry, counted }, latency_s);
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
