//! Turning the calls observed in many occurrences of one operation into the
//! operation's `calls` list.
//!
//! For each callee (service and operation), over `n` occurrences with `t`
//! calls in total, present in `m` occurrences:
//! - *lanes* `k`: how many of its calls overlapped at once, averaged over
//!   the occurrences that made it (rounded, at least 1). `k > 1` becomes a
//!   parallel group of `k` copies, as a worker pool would issue them.
//! - *count* `c = ceil(t / (m·k))`: sequential repeats per lane.
//! - *probability* `t / (n·k·c)`: so that the expected number of calls per
//!   occurrence equals what was observed.
//!
//! Different callees whose calls overlapped in at least half of the
//! occurrences that made both are issued together in one parallel group.
//! Groups are ordered by when their first call started, on average.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Call, CallSpec};

use super::Occurrence;

/// What one callee service received from this operation, for evidence.
#[derive(Debug, Clone, Default)]
pub(crate) struct CalleeSummary {
    pub calls: usize,
    /// The callee operations, quoted and comma-separated.
    pub operations: String,
    pub traces: usize,
    pub source: String,
}

#[derive(Debug, Default)]
struct KeyStats {
    total: usize,
    present: usize,
    lanes_sum: usize,
    offset_sum_ns: f64,
}

type Key = (String, String);

fn overlaps(a: (u64, u64), b: (u64, u64)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The most intervals that are open at one time.
fn max_concurrency(intervals: &[(u64, u64)]) -> usize {
    let mut events: Vec<(u64, i32)> = Vec::new();
    for &(start, end) in intervals {
        events.push((start, 1));
        events.push((end.max(start), -1));
    }
    // Ends before starts at the same instant: touching calls are sequential.
    events.sort_unstable();
    let mut open = 0i32;
    let mut best = 0i32;
    for (_, delta) in events {
        open += delta;
        best = best.max(open);
    }
    best.max(1) as usize
}

fn round4(p: f64) -> f64 {
    ((p * 10_000.0).round() / 10_000.0).clamp(0.0001, 1.0)
}

/// The calls list of an operation and a summary per callee service.
pub(crate) fn build(
    occurrences: &[Occurrence],
) -> (Vec<CallSpec>, BTreeMap<String, CalleeSummary>) {
    let n = occurrences.len().max(1);
    let mut stats: BTreeMap<Key, KeyStats> = BTreeMap::new();
    let mut pair_both: BTreeMap<(Key, Key), usize> = BTreeMap::new();
    let mut pair_overlap: BTreeMap<(Key, Key), usize> = BTreeMap::new();
    let mut summaries: BTreeMap<String, CalleeSummary> = BTreeMap::new();
    let mut callee_ops: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();

    for occ in occurrences {
        let mut by_key: BTreeMap<Key, Vec<(u64, u64)>> = BTreeMap::new();
        for call in &occ.calls {
            by_key
                .entry((call.service.clone(), call.operation.clone()))
                .or_default()
                .push((call.start_ns, call.end_ns));
        }
        let mut services_here: BTreeSet<&str> = BTreeSet::new();
        for (key, intervals) in &by_key {
            let s = stats.entry(key.clone()).or_default();
            s.total += intervals.len();
            s.present += 1;
            s.lanes_sum += max_concurrency(intervals);
            let first = intervals.iter().map(|i| i.0).min().unwrap_or(occ.start_ns);
            s.offset_sum_ns += first.saturating_sub(occ.start_ns) as f64;
            let summary = summaries.entry(key.0.clone()).or_default();
            summary.calls += intervals.len();
            if summary.source.is_empty() {
                summary.source = occ.source.clone();
            }
            callee_ops
                .entry(key.0.clone())
                .or_default()
                .insert(key.1.clone());
            services_here.insert(&key.0);
        }
        for service in services_here {
            if let Some(summary) = summaries.get_mut(service) {
                summary.traces += 1;
            }
        }
        let keys: Vec<&Key> = by_key.keys().collect();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                let pair = ((*a).clone(), (*b).clone());
                *pair_both.entry(pair.clone()).or_default() += 1;
                let any = by_key[*a]
                    .iter()
                    .any(|x| by_key[*b].iter().any(|y| overlaps(*x, *y)));
                if any {
                    *pair_overlap.entry(pair).or_default() += 1;
                }
            }
        }
    }
    for (service, ops) in callee_ops {
        if let Some(summary) = summaries.get_mut(&service) {
            let quoted: Vec<String> = ops.iter().map(|o| format!("'{o}'")).collect();
            summary.operations = quoted.join(", ");
        }
    }

    // Union-find over keys that run in parallel.
    let keys: Vec<Key> = stats.keys().cloned().collect();
    let mut group: Vec<usize> = (0..keys.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    for ((a, b), both) in &pair_both {
        let overlap = pair_overlap
            .get(&(a.clone(), b.clone()))
            .copied()
            .unwrap_or(0);
        if overlap > 0 && overlap * 2 >= *both {
            let ia = keys.iter().position(|k| k == a).unwrap_or(0);
            let ib = keys.iter().position(|k| k == b).unwrap_or(0);
            let (ra, rb) = (root(&mut group, ia), root(&mut group, ib));
            group[ra.max(rb)] = ra.min(rb);
        }
    }
    let offset = |k: &Key| {
        stats
            .get(k)
            .map(|s| s.offset_sum_ns / s.present.max(1) as f64)
            .unwrap_or(0.0)
    };
    let mut groups: BTreeMap<usize, Vec<Key>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        let r = root(&mut group, i);
        groups.entry(r).or_default().push(key.clone());
    }
    let mut ordered: Vec<Vec<Key>> = groups.into_values().collect();
    for members in &mut ordered {
        members.sort_by(|a, b| offset(a).total_cmp(&offset(b)).then_with(|| a.cmp(b)));
    }
    ordered.sort_by(|a, b| {
        offset(&a[0])
            .total_cmp(&offset(&b[0]))
            .then_with(|| a[0].cmp(&b[0]))
    });

    let mut specs = Vec::new();
    for members in ordered {
        let mut calls = Vec::new();
        for key in members {
            let Some(s) = stats.get(&key) else { continue };
            let lanes = ((s.lanes_sum as f64 / s.present.max(1) as f64).round() as usize).max(1);
            let count = s.total.div_ceil(s.present.max(1) * lanes).max(1);
            let probability = round4(s.total as f64 / (n * lanes * count) as f64);
            for _ in 0..lanes {
                let mut call = Call::to(key.0.clone());
                call.operation = key.1.clone();
                call.probability = probability;
                call.count = count as u64;
                calls.push(call);
            }
        }
        match calls.len() {
            0 => {}
            1 => specs.extend(calls.into_iter().map(CallSpec::Single)),
            _ => specs.push(CallSpec::Parallel(calls)),
        }
    }
    (specs, summaries)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::CallObs;
    use super::*;

    fn occ(calls: &[(&str, &str, u64, u64)]) -> Occurrence {
        Occurrence {
            service: "caller".into(),
            operation: "op".into(),
            start_ns: 0,
            self_ms: 1.0,
            calls: calls
                .iter()
                .map(|(s, o, a, b)| CallObs {
                    service: (*s).into(),
                    operation: (*o).into(),
                    start_ns: *a,
                    end_ns: *b,
                })
                .collect(),
            source: "t.json".into(),
        }
    }

    #[test]
    fn sequential_calls_with_probability_and_count() {
        let occs = vec![
            occ(&[("a", "x", 0, 10), ("b", "y", 20, 30), ("b", "y", 30, 40)]),
            occ(&[("a", "x", 0, 10)]),
        ];
        let (specs, summary) = build(&occs);
        assert_eq!(specs.len(), 2);
        let CallSpec::Single(a) = &specs[0] else {
            panic!("{specs:?}")
        };
        assert_eq!((a.to.as_str(), a.probability, a.count), ("a", 1.0, 1));
        let CallSpec::Single(b) = &specs[1] else {
            panic!("{specs:?}")
        };
        assert_eq!((b.to.as_str(), b.probability, b.count), ("b", 0.5, 2));
        assert_eq!(summary["b"].calls, 2);
    }

    #[test]
    fn overlapping_callees_form_a_parallel_group() {
        let occs = vec![occ(&[
            ("a", "x", 0, 10),
            ("b", "y", 5, 15),
            ("c", "z", 20, 30),
        ])];
        let (specs, _) = build(&occs);
        assert_eq!(specs.len(), 2);
        let CallSpec::Parallel(group) = &specs[0] else {
            panic!("{specs:?}")
        };
        assert_eq!(group.len(), 2);
        assert!(matches!(&specs[1], CallSpec::Single(c) if c.to == "c"));
    }

    #[test]
    fn self_overlapping_calls_become_lanes() {
        // Six calls, three at a time: three lanes of two.
        let occs = vec![occ(&[
            ("r", "x", 0, 10),
            ("r", "x", 1, 10),
            ("r", "x", 2, 10),
            ("r", "x", 10, 20),
            ("r", "x", 11, 20),
            ("r", "x", 12, 20),
        ])];
        let (specs, _) = build(&occs);
        let CallSpec::Parallel(group) = &specs[0] else {
            panic!("{specs:?}")
        };
        assert_eq!(group.len(), 3);
        assert!(group.iter().all(|c| c.count == 2 && c.probability == 1.0));
    }
}
