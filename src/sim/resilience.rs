//! Resilience on calls and at services: timeouts, retries with backoff and
//! a retry budget, circuit breakers, rate limiting and the in-flight cap of
//! load shedding.
//!
//! - **Timeouts** are per attempt. Calls with the same timeout share a FIFO
//!   of deadlines (attempts start in time order, so deadlines are sorted);
//!   only the earliest live deadline of each FIFO is in the event list, and
//!   attempts answered in time are dropped from the front without an event.
//!   When a deadline passes first, the attempt fails with `timeout` (counted
//!   at the callee); the callee keeps working and its late answer is ignored.
//! - **Retries**: after a failed attempt (any cause but `circuit_open`), up
//!   to `max` more, after `backoff_ms × multiplier^(n−1)` capped by
//!   `max_backoff_ms`, drawn uniformly from 0 to that with `jitter`.
//! - **Retry budget** of the caller service: a retry is sent only if the
//!   retries of the last 10 s (ten 1 s slices) stay within `ratio` × the
//!   first attempts of the service's calls in that window plus
//!   `min_per_s × 10`; otherwise the call fails with its last cause.
//! - **Circuit breakers**, one per caller→callee edge (see [`Breaker`]).
//! - **Rate limit**: a token bucket per service filled at `rate_limit_rps`,
//!   holding at most one second of tokens (at least 1), full at the start.
//!   An arrival without a token is rejected.
//! - **`max_in_flight`**: an arrival finding that many requests in the
//!   service (queued, working or waiting on calls, all replicas) is rejected.

use std::collections::VecDeque;

use rand::RngExt;

use super::engine::Simulation;
use super::plan::{BreakerPlan, NONE, RetryBudgetPlan};
use super::pools::{Parent, VisitState};
use super::queue::EventKind;
use super::requests::Action;
use super::stats::{Cause, count_error};
use crate::model::PartitionMode;

/// The state of a circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BreakerState {
    #[default]
    Closed,
    /// Calls fail at once with `circuit_open`.
    Open,
    /// Probe calls go through; the others fail with `circuit_open`.
    HalfOpen,
}

/// A circuit breaker on one edge. **Closed**: every attempt's outcome
/// (success, or failure of any cause) goes into a window of the last
/// `window` outcomes; when the window is full and at least `failure_ratio`
/// of it failed, the breaker **opens**: attempts fail at once with
/// `circuit_open` (not sent, not retried). After `open_s` the next attempt
/// finds it **half-open**: `half_open_probes` attempts go through, the
/// others fail with `circuit_open`; a failed probe opens it again, and when
/// every probe succeeded it closes with an empty window. Outcomes of
/// attempts sent before the last change of state are ignored.
#[derive(Debug, Clone)]
pub(crate) struct Breaker {
    plan: BreakerPlan,
    state: BreakerState,
    outcomes: Vec<bool>,
    next: usize,
    filled: u32,
    failures: u32,
    open_until_s: f64,
    probes_sent: u32,
    probes_ok: u32,
    /// Bumped at every change of state.
    epoch: u32,
    /// Time spent open or half-open, up to `not_closed_since_s`.
    not_closed_s: f64,
    not_closed_since_s: f64,
    /// Times it opened from closed, after warm-up.
    opened: u64,
    /// Times it opened from closed in the open bucket (warm-up included).
    bucket_opened: u64,
    /// `not_closed_s` when warm-up ended, and when the open bucket started.
    at_warmup_s: f64,
    at_bucket_s: f64,
}

impl Breaker {
    pub fn new(plan: BreakerPlan) -> Self {
        Breaker {
            plan,
            state: BreakerState::Closed,
            outcomes: vec![false; plan.window as usize],
            next: 0,
            filled: 0,
            failures: 0,
            open_until_s: 0.0,
            probes_sent: 0,
            probes_ok: 0,
            epoch: 0,
            not_closed_s: 0.0,
            not_closed_since_s: 0.0,
            opened: 0,
            bucket_opened: 0,
            at_warmup_s: 0.0,
            at_bucket_s: 0.0,
        }
    }

    /// The edge the breaker guards.
    pub fn edge(&self) -> u32 {
        self.plan.edge
    }

    /// Times it opened from closed, after warm-up.
    pub fn opened(&self) -> u64 {
        self.opened
    }

    /// Marks the end of warm-up at `t_s`.
    pub fn mark_warmup(&mut self, t_s: f64) {
        self.at_warmup_s = self.not_closed_s(t_s);
    }

    /// Time spent open or half-open since warm-up, up to `t_s`.
    pub fn open_s_since_warmup(&self, t_s: f64) -> f64 {
        self.not_closed_s(t_s) - self.at_warmup_s
    }

    /// Closes the bucket ending at `end_s`: the time spent open or
    /// half-open during it, and how many times it opened from closed.
    pub fn close_bucket(&mut self, end_s: f64) -> (f64, u64) {
        let open_s = self.not_closed_s(end_s);
        let in_bucket_s = open_s - self.at_bucket_s;
        self.at_bucket_s = open_s;
        (in_bucket_s, std::mem::take(&mut self.bucket_opened))
    }

    /// Whether an attempt at `now_s` may go: `Some((epoch, probe))`, or
    /// `None` when it fails with `circuit_open`.
    fn admit(&mut self, now_s: f64) -> Option<(u32, bool)> {
        if self.state == BreakerState::Open && now_s >= self.open_until_s {
            self.state = BreakerState::HalfOpen;
            self.probes_sent = 0;
            self.probes_ok = 0;
            self.epoch = self.epoch.wrapping_add(1);
        }
        match self.state {
            BreakerState::Closed => Some((self.epoch, false)),
            BreakerState::Open => None,
            BreakerState::HalfOpen if self.probes_sent < self.plan.probes => {
                self.probes_sent += 1;
                Some((self.epoch, true))
            }
            BreakerState::HalfOpen => None,
        }
    }

    /// The outcome of an attempt admitted in `epoch`.
    fn record(&mut self, now_s: f64, ok: bool, epoch: u32, probe: bool, counted: bool) {
        if epoch != self.epoch {
            return;
        }
        match self.state {
            BreakerState::Closed => {
                if self.filled == self.plan.window {
                    self.failures -= u32::from(!self.outcomes[self.next]);
                } else {
                    self.filled += 1;
                }
                self.outcomes[self.next] = ok;
                self.failures += u32::from(!ok);
                self.next = if self.next + 1 == self.outcomes.len() {
                    0
                } else {
                    self.next + 1
                };
                if self.filled == self.plan.window
                    && f64::from(self.failures) >= self.plan.failure_ratio * f64::from(self.filled)
                {
                    self.not_closed_since_s = now_s;
                    if counted {
                        self.opened += 1;
                    }
                    self.bucket_opened += 1;
                    self.open(now_s);
                }
            }
            BreakerState::HalfOpen if probe => {
                if !ok {
                    self.open(now_s);
                } else {
                    self.probes_ok += 1;
                    if self.probes_ok >= self.plan.probes {
                        self.close(now_s);
                    }
                }
            }
            BreakerState::HalfOpen | BreakerState::Open => {}
        }
    }

    fn open(&mut self, now_s: f64) {
        self.state = BreakerState::Open;
        self.open_until_s = now_s + self.plan.open_s;
        self.epoch = self.epoch.wrapping_add(1);
    }

    fn close(&mut self, now_s: f64) {
        self.not_closed_s += now_s - self.not_closed_since_s;
        self.state = BreakerState::Closed;
        self.epoch = self.epoch.wrapping_add(1);
        self.next = 0;
        self.filled = 0;
        self.failures = 0;
    }

    /// A probe admitted in `epoch` will never answer (its caller is gone).
    fn release_probe(&mut self, epoch: u32) {
        if self.state == BreakerState::HalfOpen && epoch == self.epoch {
            self.probes_sent = self.probes_sent.saturating_sub(1);
        }
    }

    /// Seconds spent open or half-open from the start of the run to `now_s`.
    pub fn not_closed_s(&self, now_s: f64) -> f64 {
        match self.state {
            BreakerState::Closed => self.not_closed_s,
            _ => self.not_closed_s + (now_s - self.not_closed_since_s).max(0.0),
        }
    }

    /// The state an attempt at `now_s` would find.
    pub fn state_at(&self, now_s: f64) -> BreakerState {
        match self.state {
            BreakerState::Open if now_s >= self.open_until_s => BreakerState::HalfOpen,
            state => state,
        }
    }
}

/// A rate limiter: a token bucket.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    rate_rps: f64,
    capacity: f64,
    tokens: f64,
    last_s: f64,
}

impl TokenBucket {
    pub fn new(rate_rps: f64) -> Self {
        let capacity = rate_rps.max(1.0);
        TokenBucket {
            rate_rps,
            capacity,
            tokens: capacity,
            last_s: 0.0,
        }
    }

    fn take(&mut self, now_s: f64) -> bool {
        self.tokens = (self.tokens + (now_s - self.last_s) * self.rate_rps).min(self.capacity);
        self.last_s = now_s;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Seconds covered by a retry budget, in one-second slices.
const BUDGET_SLICES: usize = 10;

/// A retry budget: first attempts and retries over the last ten seconds.
#[derive(Debug, Clone)]
pub(crate) struct RetryBudget {
    ratio: f64,
    reserve: f64,
    /// (first attempts, retries) per second, indexed by second mod 10.
    slices: [(u64, u64); BUDGET_SLICES],
    second: i64,
}

impl RetryBudget {
    pub fn new(plan: RetryBudgetPlan) -> Self {
        RetryBudget {
            ratio: plan.ratio,
            reserve: plan.min_per_s * BUDGET_SLICES as f64,
            slices: [(0, 0); BUDGET_SLICES],
            second: 0,
        }
    }

    /// Moves the window to the second of `now_s`; returns its slice.
    fn roll(&mut self, now_s: f64) -> usize {
        let second = now_s.floor() as i64;
        if second - self.second >= BUDGET_SLICES as i64 {
            self.slices = [(0, 0); BUDGET_SLICES];
        } else {
            for t in self.second + 1..=second {
                self.slices[t.rem_euclid(BUDGET_SLICES as i64) as usize] = (0, 0);
            }
        }
        self.second = self.second.max(second);
        self.second.rem_euclid(BUDGET_SLICES as i64) as usize
    }

    fn deposit(&mut self, now_s: f64) {
        let slice = self.roll(now_s);
        self.slices[slice].0 += 1;
    }

    /// Takes one retry from the budget if it allows one.
    fn withdraw(&mut self, now_s: f64) -> bool {
        let slice = self.roll(now_s);
        let (first, retries) = self
            .slices
            .iter()
            .fold((0, 0), |(f, r), &(a, b)| (f + a, r + b));
        if (retries + 1) as f64 <= self.ratio * first as f64 + self.reserve {
            self.slices[slice].1 += 1;
            true
        } else {
            false
        }
    }
}

/// One attempt waiting for its deadline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimerEntry {
    deadline_s: f64,
    call: u32,
    generation: u32,
}

/// The deadlines of the attempts of calls with one timeout value.
#[derive(Debug, Clone, Default)]
pub(crate) struct TimerQueue {
    pub timeout_s: f64,
    entries: VecDeque<TimerEntry>,
    /// An event for the front entry is in the event list.
    scheduled: bool,
}

impl TimerQueue {
    pub fn new(timeout_s: f64) -> Self {
        TimerQueue {
            timeout_s,
            ..TimerQueue::default()
        }
    }
}

impl Simulation {
    /// Admission at a service with a rate limit or an in-flight cap:
    /// `false` when the request is rejected.
    pub(super) fn admit(&mut self, service: u32) -> bool {
        let s = service as usize;
        if self.services[s].in_system >= self.plan.services[s].max_in_flight {
            return false;
        }
        match self.control[s].limiter_mut() {
            Some(bucket) => bucket.take(self.now),
            None => true,
        }
    }

    /// A failure of a request to `service` as its caller sees it, counted
    /// at the service.
    pub(super) fn count_failure(&mut self, service: u32, cause: Cause, counted: bool) {
        let stats = &mut self.services[service as usize].stats;
        count_error(&mut stats.bucket_errors, cause);
        if counted {
            count_error(&mut stats.errors, cause);
        }
    }

    /// Sends one attempt of a call that has a timeout, retries or a
    /// breaker, whose caller has a retry budget, or while a partition is on.
    pub(super) fn issue_guarded(&mut self, call: u32) {
        let now = self.now;
        let counted = now >= self.warmup_s;
        let record = *self.pools.call(call);
        let plan = &self.plan.calls[record.spec as usize];
        let policy = &self.plan.policies[record.spec as usize];
        let (callee, operation, edge, breaker, timer) = (
            plan.callee_service,
            plan.callee_operation,
            plan.edge,
            policy.breaker,
            policy.timer,
        );
        let caller = self.pools.visit(record.caller).service;
        if record.attempt == 0
            && let Some(budget) = self.control[caller as usize].budget_mut()
        {
            budget.deposit(now);
        }
        let (mut epoch, mut probe) = (0, false);
        if breaker != NONE {
            match self.breakers[breaker as usize].admit(now) {
                Some(admitted) => (epoch, probe) = admitted,
                None => {
                    self.pools.call_mut(call).counted = counted;
                    self.count_failure(callee, Cause::CircuitOpen, counted);
                    self.actions.push(Action::CallAnswered {
                        call,
                        generation: record.generation,
                        result: Err(Cause::CircuitOpen),
                    });
                    return;
                }
            }
        }
        let r = self.pools.call_mut(call);
        r.counted = counted;
        r.breaker_epoch = epoch;
        r.probe = probe;
        let generation = r.generation;
        if record.attempt > 0 {
            self.recorder.edge_mut(edge as usize).bucket_retries += 1;
        }
        let counts = self.recorder.edge_counts_mut(edge as usize);
        counts.bucket_calls += 1;
        if counted {
            counts.calls += 1;
            if record.attempt > 0 {
                self.recorder.edge_mut(edge as usize).retries += 1;
            }
        }
        if self.faults.partitions_on()
            && let Some(mode) = self.partition_between(caller, callee)
        {
            match mode {
                PartitionMode::Fail => {
                    self.count_failure(callee, Cause::Error, counted);
                    self.actions.push(Action::CallAnswered {
                        call,
                        generation,
                        result: Err(Cause::Error),
                    });
                }
                PartitionMode::Hang => self.arm_timer(call, timer, generation),
            }
            return;
        }
        match self.arrive(callee, operation, Parent::Call { call, generation }) {
            Ok(()) => self.arm_timer(call, timer, generation),
            Err(cause) => self.actions.push(Action::CallAnswered {
                call,
                generation,
                result: Err(cause),
            }),
        }
    }

    fn arm_timer(&mut self, call: u32, timer: u32, generation: u32) {
        if timer == NONE {
            return;
        }
        let queue = &mut self.timers[timer as usize];
        let deadline_s = self.now + queue.timeout_s;
        queue.entries.push_back(TimerEntry {
            deadline_s,
            call,
            generation,
        });
        if !queue.scheduled {
            queue.scheduled = true;
            self.queue
                .push(deadline_s, EventKind::Timer { index: timer });
        }
    }

    /// The front of a timer queue is due: fires the attempts whose deadline
    /// passed, drops the answered ones, and schedules the next live one.
    pub(super) fn on_timer(&mut self, timer: u32) {
        let now = self.now;
        self.timers[timer as usize].scheduled = false;
        while let Some(&entry) = self.timers[timer as usize].entries.front() {
            let record = self.pools.call(entry.call);
            if !record.live || record.generation != entry.generation {
                self.timers[timer as usize].entries.pop_front();
                continue;
            }
            if entry.deadline_s > now {
                self.timers[timer as usize].scheduled = true;
                self.queue
                    .push(entry.deadline_s, EventKind::Timer { index: timer });
                return;
            }
            self.timers[timer as usize].entries.pop_front();
            let (callee, counted) = (
                self.plan.calls[record.spec as usize].callee_service,
                record.counted,
            );
            self.count_failure(callee, Cause::Timeout, counted);
            self.on_guarded_answer(entry.call, Err(Cause::Timeout));
        }
    }

    /// A backoff ended: the next attempt goes out.
    pub(super) fn on_retry(&mut self, call: u32, generation: u32) {
        let record = self.pools.call(call);
        if record.live && record.generation == generation {
            self.issue_attempt(call);
        }
    }

    /// The answer (or timeout, or refusal) of the current attempt of a
    /// guarded call, or a failure of any call.
    pub(super) fn on_guarded_answer(&mut self, call: u32, result: Result<(), Cause>) {
        let now = self.now;
        let record = *self.pools.call(call);
        let policy = &self.plan.policies[record.spec as usize];
        let (edge, breaker, retries) = (
            self.plan.calls[record.spec as usize].edge,
            policy.breaker,
            policy.retries,
        );
        if breaker != NONE && result != Err(Cause::CircuitOpen) {
            self.breakers[breaker as usize].record(
                now,
                result.is_ok(),
                record.breaker_epoch,
                record.probe,
                now >= self.warmup_s,
            );
        }
        let cause = match result {
            Ok(()) => {
                if record.repeats_left > 1 {
                    let r = self.pools.call_mut(call);
                    r.repeats_left -= 1;
                    r.attempt = 0;
                    r.generation = r.generation.wrapping_add(1);
                    self.issue_attempt(call);
                } else {
                    self.finish_call(call, Ok(()));
                }
                return;
            }
            Err(cause) => cause,
        };
        let stats = self.recorder.edge_mut(edge as usize);
        count_error(&mut stats.bucket_errors, cause);
        if record.counted {
            count_error(&mut stats.errors, cause);
        }
        if let Some(retries) = retries
            && cause != Cause::CircuitOpen
            && record.attempt < retries.max
        {
            let caller = self.pools.visit(record.caller).service as usize;
            let allowed = match self.control[caller].budget_mut() {
                Some(budget) => budget.withdraw(now),
                None => true,
            };
            if allowed {
                let retry = record.attempt + 1;
                let mut wait_s = retries.backoff_s(retry);
                if retries.jitter {
                    wait_s *= self.streams.retries(caller).random::<f64>();
                }
                let r = self.pools.call_mut(call);
                r.attempt = retry;
                r.probe = false;
                r.generation = r.generation.wrapping_add(1);
                let generation = r.generation;
                self.queue
                    .push(now + wait_s, EventKind::Retry { call, generation });
                return;
            }
            if record.counted {
                self.services[caller].stats.cold.retries_denied += 1;
            }
        }
        self.finish_call(call, Err(cause));
    }

    /// The call is over: it answers the step of its caller.
    pub(super) fn finish_call(&mut self, call: u32, result: Result<(), Cause>) {
        self.finish_call_inline(call, result);
    }

    /// [`Self::finish_call`], inlined on the hot path (a plain call answered).
    #[inline(always)]
    pub(super) fn finish_call_inline(&mut self, call: u32, result: Result<(), Cause>) {
        let record = *self.pools.call(call);
        self.pools.free_call(call);
        let caller = self.pools.visit_mut(record.caller);
        if caller.generation != record.caller_generation || caller.state != VisitState::Calling {
            return; // The caller is gone.
        }
        if let Err(cause) = result
            && !self.plan.policies[record.spec as usize].optional
            && caller.failed.is_none()
        {
            caller.failed = Some(cause);
        }
        caller.pending -= 1;
        if caller.pending == 0 {
            self.actions.push(Action::Advance(record.caller));
        }
    }

    /// Drops a call whose caller is gone (a breaker probe it holds is given back).
    pub(super) fn abandon_call(&mut self, call: u32) {
        let record = *self.pools.call(call);
        let breaker = self.plan.policies[record.spec as usize].breaker;
        if record.probe && breaker != NONE {
            self.breakers[breaker as usize].release_probe(record.breaker_epoch);
        }
        self.pools.free_call(call);
    }
}
