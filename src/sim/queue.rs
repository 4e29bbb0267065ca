//! The future event list: a binary heap ordered by (time, insertion sequence),
//! so events at the same time come out first-in first-out.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
    /// Bits of the (non-negative, finite) time in seconds: for such values
    /// the integer order is the numeric order.
    time_bits: u64,
    seq: u64,
    pub kind: EventKind,
}

impl Event {
    pub fn time_s(&self) -> f64 {
        f64::from_bits(self.time_bits)
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.time_bits == other.time_bits && self.seq == other.seq
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so that the max-heap pops the earliest event.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time_bits, other.seq).cmp(&(self.time_bits, self.seq))
    }
}

/// Events ordered by (time, insertion sequence).
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Event>,
    next_seq: u64,
}

impl EventQueue {
    /// Schedules `kind` at `time_s` (clamped to be ≥ 0; must not be NaN).
    #[inline]
    pub fn push(&mut self, time_s: f64, kind: EventKind) {
        // `+ 0.0` turns -0.0 into +0.0, whose bits sort first.
        let time_bits = (time_s.max(0.0) + 0.0).to_bits();
        self.heap.push(Event {
            time_bits,
            seq: self.next_seq,
            kind,
        });
        self.next_seq += 1;
    }

    /// The time of the earliest event.
    #[inline]
    pub fn peek_time_s(&self) -> Option<f64> {
        self.heap.peek().map(Event::time_s)
    }

    #[inline]
    pub fn pop(&mut self) -> Option<Event> {
        self.heap.pop()
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
}
