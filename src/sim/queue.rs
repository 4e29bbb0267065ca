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
}

/// A scheduled event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    /// `time bits << 64 | insertion sequence`: for non-negative finite times
    /// the integer order of the bits is the numeric order, so one integer
    /// comparison orders by (time, sequence).
    key: u128,
    pub kind: EventKind,
}

impl Event {
    pub fn time_s(&self) -> f64 {
        f64::from_bits((self.key >> 64) as u64)
    }
}

/// Children per node of the heap: a 4-ary heap is shallower than a binary
/// one and its children share a cache line or two.
const ARITY: usize = 4;

/// Events ordered by (time, insertion sequence), in a 4-ary min-heap.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: Vec<Event>,
    next_seq: u64,
}

impl EventQueue {
    /// Schedules `kind` at `time_s` (clamped to be ≥ 0; must not be NaN).
    #[inline]
    pub fn push(&mut self, time_s: f64, kind: EventKind) {
        // `+ 0.0` turns -0.0 into +0.0, whose bits sort first.
        let time_bits = (time_s.max(0.0) + 0.0).to_bits();
        let event = Event {
            key: (u128::from(time_bits) << 64) | u128::from(self.next_seq),
            kind,
        };
        self.next_seq += 1;
        let mut i = self.heap.len();
        self.heap.push(event);
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if self.heap[parent].key <= event.key {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = event;
    }

    /// The time of the earliest event.
    #[inline]
    pub fn peek_time_s(&self) -> Option<f64> {
        self.heap.first().map(Event::time_s)
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<Event> {
        let last = self.heap.pop()?;
        let n = self.heap.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.heap[0];
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let end = (first + ARITY).min(n);
            let mut best = first;
            for c in first + 1..end {
                if self.heap[c].key < self.heap[best].key {
                    best = c;
                }
            }
            if self.heap[best].key >= last.key {
                break;
            }
            self.heap[i] = self.heap[best];
            i = best;
        }
        self.heap[i] = last;
        Some(top)
    }

    /// Number of scheduled events.
    pub fn len(&self) -> usize {
        self.heap.len()
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
            .map(|e| match e.kind {
                EventKind::Arrival { entry } => entry,
                _ => u32::MAX,
            })
            .collect();
        assert_eq!(order, vec![3, 1, 2, 4, 0]);
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
                let e = q.pop().expect("not empty");
                let k = pushed
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.1.1.cmp(&b.1.1)))
                    .map(|(k, _)| k)
                    .expect("not empty");
                let (t, entry) = pushed.swap_remove(k);
                assert_eq!(e.time_s(), t);
                assert_eq!(e.kind, EventKind::Arrival { entry });
            }
        }
        let mut last = (0.0, 0);
        while let Some(e) = q.pop() {
            let EventKind::Arrival { entry } = e.kind else {
                unreachable!()
            };
            assert!(e.time_s() > last.0 || (e.time_s() == last.0 && entry > last.1));
            last = (e.time_s(), entry);
        }
    }
}
