//! The pools of visits and call records: slots reused through free lists,
//! each with a generation.
//!
//! [`Pools`] is the one owner of the generation rule: a slot's generation
//! is bumped when it is freed (and, for call records, at every new attempt
//! through [`CallRecord::generation`]), and a reused slot keeps it. Events,
//! timers and answers carry the generation they were made for; a mismatch
//! means the visit or attempt they refer to is gone, and they are ignored.
//! A pool grows only when every slot is in use, so its size is the most
//! visits (or calls) ever in flight at once.

/// Where a visit's answer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parent {
    /// An external request of this entry.
    Entry(u32),
    /// An attempt of this call record (valid while its generation matches).
    Call { call: u32, generation: u32 },
    /// A plain call (one attempt, no resilience setting, no partition on):
    /// answers the caller visit directly, without a call record (valid while
    /// the caller's generation matches). `spec` indexes `Plan::calls`.
    Visit {
        visit: u32,
        generation: u32,
        spec: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VisitState {
    Free,
    Queued,
    Working,
    Calling,
}

/// One request at one service, from arrival to response (one cache line).
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
pub(crate) struct Visit {
    pub generation: u32,
    pub state: VisitState,
    /// Counted in the statistics (arrived at or after warm-up).
    pub counted: bool,
    pub holds_worker: bool,
    pub failed: Option<super::stats::Cause>,
    pub service: u32,
    pub operation: u32,
    pub replica: u32,
    /// Next call of the operation's plan to issue, and the end of its calls
    /// (indices into `Plan::calls`; set when a worker takes the visit).
    pub next_call: u32,
    pub calls_end: u32,
    /// Calls of the current step still to answer.
    pub pending: u32,
    pub parent: Parent,
    pub arrived_s: f64,
}

/// One call (with its repeats and retries) in progress; two to a cache line.
#[derive(Debug, Clone, Copy)]
#[repr(align(32))]
pub(crate) struct CallRecord {
    /// Bumped at every new attempt and when freed: answers and timers of
    /// older attempts carry an older generation and are ignored.
    pub generation: u32,
    pub live: bool,
    /// Attempts take the resilience path (`CallPlan::guarded`).
    pub guarded: bool,
    /// The current attempt was sent after warm-up.
    pub counted: bool,
    /// The current attempt is a half-open breaker's probe.
    pub probe: bool,
    pub caller: u32,
    pub caller_generation: u32,
    /// Index into `Plan::calls`.
    pub spec: u32,
    pub repeats_left: u32,
    /// Retries made of the current repeat (0 for the first attempt).
    pub attempt: u32,
    /// The breaker epoch the current attempt was admitted in.
    pub breaker_epoch: u32,
}

// One cache line to a visit, two call records to a line.
const _: () = assert!(std::mem::size_of::<Visit>() == 64);
const _: () = assert!(std::mem::size_of::<CallRecord>() == 32);

/// Visits and call records in progress, with their free lists.
#[derive(Debug, Default)]
pub(super) struct Pools {
    visits: Vec<Visit>,
    free_visits: Vec<u32>,
    calls: Vec<CallRecord>,
    free_calls: Vec<u32>,
}

impl Pools {
    /// The visit in slot `visit` (free or not).
    #[inline(always)]
    pub fn visit(&self, visit: u32) -> &Visit {
        &self.visits[visit as usize]
    }

    #[inline(always)]
    pub fn visit_mut(&mut self, visit: u32) -> &mut Visit {
        &mut self.visits[visit as usize]
    }

    /// Whether `generation` is the current one of slot `visit`.
    #[inline(always)]
    pub fn visit_is(&self, visit: u32, generation: u32) -> bool {
        self.visits[visit as usize].generation == generation
    }

    /// Takes a slot for `visit`, keeping the slot's generation when it is
    /// reused. Returns the slot and whether the pool grew (every slot was
    /// in use: the new slot's index is the number in flight before it).
    #[inline]
    pub fn alloc_visit(&mut self, mut visit: Visit) -> (u32, bool) {
        if let Some(index) = self.free_visits.pop() {
            let slot = &mut self.visits[index as usize];
            visit.generation = slot.generation;
            *slot = visit;
            (index, false)
        } else {
            self.visits.push(visit);
            ((self.visits.len() - 1) as u32, true)
        }
    }

    /// Frees slot `visit`: bumps its generation, so that everything still
    /// pointing at the old visit is ignored.
    #[inline]
    pub fn free_visit(&mut self, visit: u32) {
        let v = &mut self.visits[visit as usize];
        v.generation = v.generation.wrapping_add(1);
        v.state = VisitState::Free;
        self.free_visits.push(visit);
    }

    /// Visits in progress now.
    pub fn visits_in_flight(&self) -> usize {
        self.visits.len() - self.free_visits.len()
    }

    /// Number of visit slots (in use or free).
    pub fn visit_slots(&self) -> u32 {
        self.visits.len() as u32
    }

    /// Every visit slot, free ones included (their state is `Free`).
    pub fn visits(&self) -> impl Iterator<Item = &Visit> {
        self.visits.iter()
    }

    /// The call record in slot `call` (live or not).
    #[inline(always)]
    pub fn call(&self, call: u32) -> &CallRecord {
        &self.calls[call as usize]
    }

    #[inline(always)]
    pub fn call_mut(&mut self, call: u32) -> &mut CallRecord {
        &mut self.calls[call as usize]
    }

    /// Takes a slot for `record`, keeping the slot's generation when it is
    /// reused.
    #[inline]
    pub fn alloc_call(&mut self, mut record: CallRecord) -> u32 {
        if let Some(index) = self.free_calls.pop() {
            let slot = &mut self.calls[index as usize];
            record.generation = slot.generation;
            *slot = record;
            index
        } else {
            self.calls.push(record);
            (self.calls.len() - 1) as u32
        }
    }

    /// Frees slot `call`: bumps its generation and marks it not live.
    #[inline]
    pub fn free_call(&mut self, call: u32) {
        let c = &mut self.calls[call as usize];
        c.generation = c.generation.wrapping_add(1);
        c.live = false;
        self.free_calls.push(call);
    }

    /// Number of call-record slots (live or not).
    pub fn call_slots(&self) -> u32 {
        self.calls.len() as u32
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn visit() -> Visit {
        Visit {
            generation: 0,
            state: VisitState::Queued,
            counted: true,
            holds_worker: false,
            failed: None,
            service: 0,
            operation: 0,
            replica: 0,
            next_call: 0,
            calls_end: 0,
            pending: 0,
            parent: Parent::Entry(0),
            arrived_s: 0.0,
        }
    }

    #[test]
    fn a_reused_visit_slot_has_a_newer_generation() {
        let mut pools = Pools::default();
        let (a, grew) = pools.alloc_visit(visit());
        assert!(grew);
        let old = pools.visit(a).generation;
        pools.free_visit(a);
        assert_eq!(pools.visits_in_flight(), 0);
        assert!(!pools.visit_is(a, old));
        let (b, grew) = pools.alloc_visit(visit());
        assert_eq!((b, grew), (a, false));
        assert_eq!(pools.visit(b).generation, old.wrapping_add(1));
        assert_eq!(pools.visits_in_flight(), 1);
        assert_eq!(pools.visit_slots(), 1);
    }
}
