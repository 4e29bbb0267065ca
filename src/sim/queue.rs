//! The future event list: a 4-ary heap ordered by (time, insertion sequence),
//! so events at the same time come out first-in first-out.

/// What an event does; indices point into the engine's tables and the
/// generation lets the engine ignore events about reused slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// The next external arrival of entry `index`.
    Arrival { entry: u32 },
    /// Visit `visit` finished its own work.
    WorkDone { visit: u32, generation: u32 },
    /// A fault starts or ends, or a scheduled scaling step (see `faults.rs`).
    Control { index: u32 },
    /// The front of timer queue `index` is due.
    Timer { index: u32 },
    /// The backoff of call record `call` ended: its next attempt goes out.
    Retry { call: u32, generation: u32 },
    /// The autoscaler of `service` decides.
    Autoscale { service: u32 },
    /// Replica slot `replica` finished starting.
    ReplicaReady { replica: u32, generation: u32 },
}

impl EventKind {
    /// (tag, index, generation).
    #[inline(always)]
    fn encode(self) -> (u64, u32, u32) {
        match self {
            EventKind::Arrival { entry } => (0, entry, 0),
            EventKind::WorkDone { visit, generation } => (1, visit, generation),
            EventKind::Control { index } => (2, index, 0),
            EventKind::Timer { index } => (3, index, 0),
            EventKind::Retry { call, generation } => (4, call, generation),
            EventKind::Autoscale { service } => (5, service, 0),
            EventKind::ReplicaReady {
                replica,
                generation,
            } => (6, replica, generation),
        }
    }

    /// The two kinds of every request first, without a jump table.
    #[inline]
    fn decode(tag: u64, index: u32, generation: u32) -> Self {
        if tag == 1 {
            EventKind::WorkDone {
                visit: index,
                generation,
            }
        } else if tag == 0 {
            EventKind::Arrival { entry: index }
        } else {
            Self::decode_control(tag, index, generation)
        }
    }

    /// Faults, scaling, timers and retries: rarer events.
    #[cold]
    fn decode_control(tag: u64, index: u32, generation: u32) -> Self {
        match tag {
            2 => EventKind::Control { index },
            3 => EventKind::Timer { index },
            4 => EventKind::Retry {
                call: index,
                generation,
            },
            5 => EventKind::Autoscale { service: index },
            // Tag 6, the only other one `encode` writes.
            _ => EventKind::ReplicaReady {
                replica: index,
                generation,
            },
        }
    }
}

/// Low bits of `seq_tag` that hold the kind's tag.
const TAG_BITS: u32 = 8;

/// A scheduled event, packed in 24 bytes (the heap moves them a lot).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    /// Bits of the (non-negative, finite) time: for such values the integer
    /// order of the bits is the numeric order.
    time_bits: u64,
    /// `insertion sequence << TAG_BITS | tag`: sequences are unique, so
    /// ordering by (time_bits, seq_tag) is ordering by (time, sequence).
    seq_tag: u64,
    index: u32,
    generation: u32,
}

impl Event {
    pub fn time_s(&self) -> f64 {
        f64::from_bits(self.time_bits)
    }

    pub fn kind(&self) -> EventKind {
        EventKind::decode(
            self.seq_tag & ((1 << TAG_BITS) - 1),
            self.index,
            self.generation,
        )
    }

    /// Whether `self` comes strictly before `other`.
    #[inline]
    fn before(&self, other: &Event) -> bool {
        self.key() < other.key()
    }

    /// (time, sequence) as one integer: compares without branches.
    #[inline]
    fn key(&self) -> u128 {
        (u128::from(self.time_bits) << 64) | u128::from(self.seq_tag)
    }
}

/// Children per node of the heap: a 4-ary heap is shallower than a binary
/// one and its children share a cache line or two.
const ARITY: usize = 4;

/// Events ordered by (time, insertion sequence), in a 4-ary min-heap.
///
/// [`take_min`](Self::take_min) hands out the earliest event but leaves it
/// in place until the next operation: when the handler of that event
/// schedules another (the next arrival of an entry, the next request a freed
/// worker takes), the new event replaces it in one sift instead of a removal
/// and an insertion. The order is the same as with a plain pop and push.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: Vec<Event>,
    next_seq: u64,
    /// The root was handed out by `take_min` and is logically gone.
    root_taken: bool,
}

impl EventQueue {
    /// Schedules `kind` at `time_s` (clamped to be ≥ 0; must not be NaN).
    /// Inlined so that the kind's encoding folds away at each call site.
    #[inline(always)]
    pub fn push(&mut self, time_s: f64, kind: EventKind) {
        let (tag, index, generation) = kind.encode();
        self.push_encoded(time_s, tag, index, generation);
    }

    #[inline]
    fn push_encoded(&mut self, time_s: f64, tag: u64, index: u32, generation: u32) {
        // `+ 0.0` turns -0.0 into +0.0, whose bits sort first.
        let time_bits = (time_s.max(0.0) + 0.0).to_bits();
        let event = Event {
            time_bits,
            seq_tag: (self.next_seq << TAG_BITS) | tag,
            index,
            generation,
        };
        self.next_seq += 1;
        if self.root_taken {
            self.root_taken = false;
            self.sift_down(event);
            return;
        }
        let mut i = self.heap.len();
        self.heap.push(event);
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if !event.before(&self.heap[parent]) {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = event;
    }

    /// Removes a root handed out by `take_min` that nothing replaced.
    #[inline]
    fn settle(&mut self) {
        if self.root_taken {
            self.root_taken = false;
            if let Some(last) = self.heap.pop()
                && !self.heap.is_empty()
            {
                self.sift_down(last);
            }
        }
    }

    /// Puts `event` at the root and moves it down to its place.
    #[inline]
    fn sift_down(&mut self, event: Event) {
        let n = self.heap.len();
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let best = if first + ARITY <= n {
                // All four children: a branch-free tournament.
                let k = |c: usize| self.heap[c].key();
                let a = if k(first + 1) < k(first) {
                    first + 1
                } else {
                    first
                };
                let b = if k(first + 3) < k(first + 2) {
                    first + 3
                } else {
                    first + 2
                };
                if k(b) < k(a) { b } else { a }
            } else {
                let mut best = first;
                for c in first + 1..n {
                    if self.heap[c].before(&self.heap[best]) {
                        best = c;
                    }
                }
                best
            };
            if !self.heap[best].before(&event) {
                break;
            }
            self.heap[i] = self.heap[best];
            i = best;
        }
        self.heap[i] = event;
    }

    /// The earliest event if it comes before `time_s`, removed (see the
    /// type's documentation).
    #[inline]
    pub fn take_min_before(&mut self, time_s: f64) -> Option<Event> {
        self.settle();
        let top = *self.heap.first()?;
        if top.time_s() >= time_s {
            return None;
        }
        self.root_taken = true;
        Some(top)
    }

    /// The earliest event, removed (see the type's documentation).
    #[cfg(test)]
    pub fn take_min(&mut self) -> Option<Event> {
        self.settle();
        let top = *self.heap.first()?;
        self.root_taken = true;
        Some(top)
    }

    /// Removes and returns the earliest event.
    #[cfg(test)]
    pub fn pop(&mut self) -> Option<Event> {
        let top = self.take_min()?;
        self.settle();
        Some(top)
    }

    /// Number of scheduled events.
    pub fn len(&self) -> usize {
        self.heap.len() - usize::from(self.root_taken)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_ties_fifo() {
        let mut q = EventQueue::default();
        q.push(2.0, EventKind::Arrival { entry: 0 });
        q.push(1.0, EventKind::Arrival { entry: 1 });
        q.push(1.0, EventKind::Arrival { entry: 2 });
        q.push(0.5, EventKind::Arrival { entry: 3 });
        q.push(1.0, EventKind::Arrival { entry: 4 });
        let order: Vec<u32> = std::iter::from_fn(|| q.pop())
            .map(|e| match e.kind() {
                EventKind::Arrival { entry } => entry,
                _ => u32::MAX,
            })
            .collect();
        assert_eq!(order, vec![3, 1, 2, 4, 0]);
    }

    #[test]
    fn a_handed_out_root_is_replaced_by_the_next_push() {
        let mut q = EventQueue::default();
        for (t, e) in [(1.0, 0), (2.0, 1), (3.0, 2)] {
            q.push(t, EventKind::Arrival { entry: e });
        }
        let first = q.take_min().expect("not empty");
        assert_eq!(first.kind(), EventKind::Arrival { entry: 0 });
        assert_eq!(q.len(), 2);
        q.push(2.5, EventKind::Arrival { entry: 3 });
        q.push(0.5, EventKind::Arrival { entry: 4 });
        let order: Vec<EventKind> = std::iter::from_fn(|| q.take_min())
            .map(|e| e.kind())
            .collect();
        let entries = [4, 1, 3, 2].map(|entry| EventKind::Arrival { entry });
        assert_eq!(order, entries);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn many_events_come_out_sorted() {
        let mut q = EventQueue::default();
        let mut x: u64 = 7;
        let mut pushed = Vec::new();
        for i in 0..5000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = (x % 1000) as f64 / 10.0;
            q.push(t, EventKind::Arrival { entry: i });
            pushed.push((t, i));
            if i % 3 == 0 {
                let e = if i % 2 == 0 { q.pop() } else { q.take_min() }.expect("not empty");
                let k = pushed
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.1.1.cmp(&b.1.1)))
                    .map(|(k, _)| k)
                    .expect("not empty");
                let (t, entry) = pushed.swap_remove(k);
                assert_eq!(e.time_s(), t);
                assert_eq!(e.kind(), EventKind::Arrival { entry });
            }
        }
        let mut last = (0.0, 0);
        while let Some(e) = q.pop() {
            let EventKind::Arrival { entry } = e.kind() else {
                unreachable!()
            };
            assert!(e.time_s() > last.0 || (e.time_s() == last.0 && entry > last.1));
            last = (e.time_s(), entry);
        }
    }
}
