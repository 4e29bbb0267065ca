//! Traces (Jaeger JSON and OTLP JSON): services and calls from parent/child
//! spans across services, operations from span names, call probabilities and
//! counts per parent operation, parallel calls where child spans overlap,
//! service times from span self-times, entry rates from root spans.
//!
//! An *operation occurrence* is a span whose parent is in another service
//! (or that has no parent): the work one request does in one service. Its
//! *remote calls* are the spans of other services whose parent lies inside
//! it (in that span or in its same-service descendants). Its *self time* is
//! its duration minus the union of its remote calls' intervals.

mod calls;
pub mod fit;
mod spans;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::ServiceKind;

use super::ImportError;
use super::draft::{Confidence, Draft, DraftEntry, Evidence, Guess, TracedOperation};
use super::hints;
use super::source::{Source, SourceFormat};
pub use spans::Span;

/// Windows shorter than this count as this long when turning root spans
/// into rates: a handful of spans cannot show a rate.
pub const MIN_WINDOW_S: f64 = 1.0;

/// One call observed inside an occurrence.
#[derive(Debug, Clone)]
pub(crate) struct CallObs {
    pub service: String,
    pub operation: String,
    pub start_ns: u64,
    pub end_ns: u64,
}

/// One operation occurrence (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    pub service: String,
    pub operation: String,
    pub start_ns: u64,
    pub self_ms: f64,
    pub calls: Vec<CallObs>,
    pub source: String,
}

/// Imports trace files (Jaeger or OTLP JSON; the format is each source's).
pub fn import(sources: &[&Source]) -> Result<Draft, ImportError> {
    let mut draft = Draft::default();
    let mut all: Vec<Span> = Vec::new();
    for source in sources {
        let name = source.display_name();
        for doc in &source.documents {
            let parsed = match source.format {
                SourceFormat::Otlp => spans::parse_otlp(doc, &name),
                _ => spans::parse_jaeger(doc, &name),
            }
            .map_err(|message| ImportError::Content {
                path: source.path.clone(),
                message,
            })?;
            if !parsed.skipped.is_empty() {
                draft.warn(
                    &name,
                    format!(
                        "skipped {} span(s): {}",
                        parsed.skipped.len(),
                        parsed.skipped[0]
                    ),
                );
            }
            if parsed.spans.is_empty() {
                draft.warn(&name, "no spans found");
            }
            all.extend(parsed.spans);
        }
    }
    analyze(all, &mut draft);
    Ok(draft)
}

/// Spans of one trace with their resolved parents.
struct Trace {
    spans: Vec<Span>,
    parent: Vec<Option<usize>>,
}

fn group_traces(spans: Vec<Span>, draft: &mut Draft) -> Vec<Trace> {
    let mut by_trace: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for span in spans {
        by_trace
            .entry(span.trace_id.clone())
            .or_default()
            .push(span);
    }
    let mut duplicates = 0usize;
    let mut orphans = 0usize;
    let mut traces = Vec::new();
    for (_, list) in by_trace {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut kept: Vec<Span> = Vec::new();
        for span in list {
            if seen.insert(span.span_id.clone()) {
                kept.push(span);
            } else {
                duplicates += 1;
            }
        }
        let index: BTreeMap<&str, usize> = kept
            .iter()
            .enumerate()
            .map(|(i, s)| (s.span_id.as_str(), i))
            .collect();
        let parent: Vec<Option<usize>> = kept
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let id = s.parent_id.as_deref()?;
                match index.get(id) {
                    Some(&p) if p != i => Some(p),
                    _ => {
                        orphans += 1;
                        None
                    }
                }
            })
            .collect();
        traces.push(Trace {
            spans: kept,
            parent,
        });
    }
    if duplicates > 0 {
        draft.warn(
            "",
            format!("{duplicates} duplicate span(s) (same trace and span id) were ignored"),
        );
    }
    if orphans > 0 {
        draft.info(
            "",
            format!(
                "{orphans} span(s) name a parent that is not in the file; they are treated as roots"
            ),
        );
    }
    traces
}

/// For each span, the operation occurrence (entry span) it belongs to;
/// `None` for spans caught in a parent cycle.
fn owners(trace: &Trace) -> Vec<Option<usize>> {
    let n = trace.spans.len();
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut done = vec![false; n];
    for start in 0..n {
        let mut path = Vec::new();
        let mut current = start;
        let mut result = None;
        loop {
            if done[current] {
                result = owner[current];
                break;
            }
            if path.contains(&current) || path.len() > n {
                break; // a cycle of parent links
            }
            path.push(current);
            match trace.parent[current] {
                Some(p) if trace.spans[p].service == trace.spans[current].service => current = p,
                _ => {
                    result = Some(current);
                    break;
                }
            }
        }
        for i in path {
            owner[i] = result;
            done[i] = true;
        }
    }
    owner
}

/// The length of the union of intervals clipped to `[lo, hi]`, in ns.
fn union_ns(intervals: &mut [(u64, u64)], lo: u64, hi: u64) -> u64 {
    intervals.sort_unstable();
    let mut total = 0u64;
    let mut current: Option<(u64, u64)> = None;
    for &(start, end) in intervals.iter() {
        let (start, end) = (start.clamp(lo, hi), end.clamp(lo, hi));
        if end <= start {
            continue;
        }
        current = match current {
            Some((cs, ce)) if start <= ce => Some((cs, ce.max(end))),
            Some((cs, ce)) => {
                total += ce - cs;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((cs, ce)) = current {
        total += ce - cs;
    }
    total
}

fn ns_to_ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

/// Kinds of services known only from their callers' spans.
type UntracedKinds = BTreeMap<String, Guess<ServiceKind>>;

fn occurrences_of(
    trace: &Trace,
    draft: &mut Draft,
    untraced_kinds: &mut UntracedKinds,
) -> (Vec<Occurrence>, Vec<usize>) {
    let owner = owners(trace);
    let spans = &trace.spans;
    if owner.iter().any(Option::is_none) {
        draft.warn(
            "",
            "some spans form a cycle of parent links and were ignored",
        );
    }
    let mut calls: BTreeMap<usize, Vec<CallObs>> = BTreeMap::new();
    let mut synthetic: Vec<Occurrence> = Vec::new();
    let has_remote_child: BTreeSet<usize> = (0..spans.len())
        .filter_map(|i| trace.parent[i].filter(|&p| spans[p].service != spans[i].service))
        .collect();
    for (i, span) in spans.iter().enumerate() {
        let Some(p) = trace.parent[i] else { continue };
        if spans[p].service != span.service
            && let Some(entry) = owner[p]
        {
            calls.entry(entry).or_default().push(CallObs {
                service: span.service.clone(),
                operation: span.name.clone(),
                start_ns: span.start_ns,
                end_ns: span.end_ns,
            });
        }
    }
    // Outgoing spans that name their callee but have no span from it.
    for (i, span) in spans.iter().enumerate() {
        if !span.kind.is_outgoing() || has_remote_child.contains(&i) {
            continue;
        }
        let Some(callee) = span
            .peer_service
            .clone()
            .or_else(|| span.db_system.clone())
            .or_else(|| span.messaging_system.clone())
        else {
            continue;
        };
        let Some(entry) = owner[i] else { continue };
        if callee == span.service {
            continue;
        }
        calls.entry(entry).or_default().push(CallObs {
            service: callee.clone(),
            operation: span.name.clone(),
            start_ns: span.start_ns,
            end_ns: span.end_ns,
        });
        synthetic.push(Occurrence {
            service: callee.clone(),
            operation: span.name.clone(),
            start_ns: span.start_ns,
            self_ms: ns_to_ms(span.end_ns.saturating_sub(span.start_ns)),
            calls: Vec::new(),
            source: span.source.clone(),
        });
        let kind = if span.db_system.is_some() && span.peer_service.is_none() {
            Some((ServiceKind::Database, Confidence::Medium, "db.system"))
        } else if span.messaging_system.is_some() && span.peer_service.is_none() {
            Some((ServiceKind::Queue, Confidence::Medium, "messaging.system"))
        } else {
            None
        };
        let guess = match kind {
            Some((kind, confidence, attribute)) => Guess::new(
                kind,
                confidence,
                format!(
                    "{}: named by {attribute} of {}'s spans",
                    span.source, span.service
                ),
            ),
            None => Guess::new(
                ServiceKind::External,
                Confidence::Low,
                format!(
                    "{}: named only by peer.service of {}'s spans",
                    span.source, span.service
                ),
            ),
        };
        untraced_kinds.entry(callee).or_insert(guess);
    }
    let mut occurrences = synthetic;
    let mut roots = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        if owner[i] != Some(i) {
            continue;
        }
        if trace.parent[i].is_none() {
            roots.push(i);
        }
        let mut obs = calls.remove(&i).unwrap_or_default();
        obs.sort_by(|a, b| {
            (a.start_ns, &a.service, &a.operation).cmp(&(b.start_ns, &b.service, &b.operation))
        });
        let mut intervals: Vec<(u64, u64)> = obs.iter().map(|c| (c.start_ns, c.end_ns)).collect();
        let busy = union_ns(&mut intervals, span.start_ns, span.end_ns);
        let own = span
            .end_ns
            .saturating_sub(span.start_ns)
            .saturating_sub(busy);
        occurrences.push(Occurrence {
            service: span.service.clone(),
            operation: span.name.clone(),
            start_ns: span.start_ns,
            self_ms: ns_to_ms(own),
            calls: obs,
            source: span.source.clone(),
        });
    }
    (occurrences, roots)
}

fn analyze(spans: Vec<Span>, draft: &mut Draft) {
    if spans.is_empty() {
        return;
    }
    let min_start = spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
    let max_end = spans.iter().map(|s| s.end_ns).max().unwrap_or(0);
    let traces = group_traces(spans, draft);
    let trace_count = traces.len();

    let mut occurrences: Vec<Occurrence> = Vec::new();
    // (service, operation) → (root count, first start, source)
    let mut roots: BTreeMap<(String, String), (usize, u64, String)> = BTreeMap::new();
    let mut kinds: BTreeMap<String, (ServiceKind, String)> = BTreeMap::new();
    let mut untraced_kinds = UntracedKinds::new();
    for trace in &traces {
        let (occs, root_indices) = occurrences_of(trace, draft, &mut untraced_kinds);
        occurrences.extend(occs);
        for i in root_indices {
            let span = &trace.spans[i];
            let entry = roots
                .entry((span.service.clone(), span.name.clone()))
                .or_insert((0, span.start_ns, span.source.clone()));
            entry.0 += 1;
            entry.1 = entry.1.min(span.start_ns);
        }
        for span in &trace.spans {
            let attribute = span
                .db_system
                .as_ref()
                .map(|d| (ServiceKind::Database, format!("db.system={d}")))
                .or_else(|| {
                    span.messaging_system
                        .as_ref()
                        .map(|m| (ServiceKind::Queue, format!("messaging.system={m}")))
                });
            if let Some((kind, why)) = attribute
                && !span.kind.is_outgoing()
            {
                kinds.entry(span.service.clone()).or_insert((kind, why));
            }
        }
    }

    // Group occurrences by (service, operation), ordered by first appearance.
    let mut groups: BTreeMap<(String, String), Vec<Occurrence>> = BTreeMap::new();
    for occ in occurrences {
        groups
            .entry((occ.service.clone(), occ.operation.clone()))
            .or_default()
            .push(occ);
    }
    let mut keys: Vec<((String, String), u64)> = groups
        .iter()
        .map(|(k, occs)| {
            (
                k.clone(),
                occs.iter().map(|o| o.start_ns).min().unwrap_or(0),
            )
        })
        .collect();
    keys.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let mut service_order: Vec<String> = Vec::new();
    for ((service, _), _) in &keys {
        if !service_order.contains(service) {
            service_order.push(service.clone());
        }
    }

    for service_name in &service_order {
        let source = keys
            .iter()
            .find(|((s, _), _)| s == service_name)
            .and_then(|(k, _)| groups.get(k))
            .and_then(|occs| occs.first())
            .map(|o| o.source.clone())
            .unwrap_or_default();
        let mut traced = Vec::new();
        for ((service, operation), _) in keys.iter().filter(|((s, _), _)| s == service_name) {
            let Some(occs) = groups.get(&(service.clone(), operation.clone())) else {
                continue;
            };
            let (call_specs, per_callee) = calls::build(occs);
            for (callee, summary) in per_callee {
                let evidence = Evidence::new(
                    Confidence::High,
                    &summary.source,
                    format!(
                        "{} span(s) of {callee} {} under {service_name} '{operation}' in {} trace(s)",
                        summary.calls,
                        summary.operations,
                        summary.traces.min(trace_count)
                    ),
                );
                draft.add_edge(service_name, &callee, evidence);
            }
            traced.push(TracedOperation {
                name: operation.clone(),
                occurrences: occs.len(),
                self_times_ms: occs.iter().map(|o| o.self_ms).collect(),
                calls: call_specs,
            });
        }
        let service = draft.service_mut(service_name, &source);
        service.traced = traced;
        if service.kind.is_none() {
            service.kind = match kinds.get(service_name) {
                _ if untraced_kinds.contains_key(service_name) => {
                    untraced_kinds.remove(service_name)
                }
                Some((kind, why)) => Some(Guess::new(
                    *kind,
                    Confidence::Medium,
                    format!("{source}: spans carry {why}"),
                )),
                None => hints::guess_kind(service_name, None),
            };
        }
    }

    let window_s = ((max_end.saturating_sub(min_start)) as f64 / 1e9).max(MIN_WINDOW_S);
    draft.trace_window_s = Some(window_s);
    let mut root_list: Vec<_> = roots.into_iter().collect();
    root_list.sort_by(|a, b| ((a.1).1, &a.0).cmp(&((b.1).1, &b.0)));
    for ((service, operation), (count, _, source)) in root_list {
        let rate_rps = round_rate(count as f64 / window_s);
        draft.entries.push(DraftEntry {
            to: service,
            operation,
            rate_rps,
            why: format!("{source}: {count} root span(s) over a {window_s:.3} s window"),
        });
    }
    draft.info(
        "",
        format!(
            "traces: {trace_count} trace(s), {} service(s), window {window_s:.3} s",
            service_order.len()
        ),
    );
}

/// Rounds a rate to four significant digits (at least 0.0001 rps).
fn round_rate(rate: f64) -> f64 {
    if rate <= 0.0 || !rate.is_finite() {
        return 0.0001;
    }
    let digits = 3 - rate.log10().floor() as i32;
    let factor = 10f64.powi(digits);
    ((rate * factor).round() / factor).max(0.0001)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn union_of_intervals() {
        let mut v = vec![(10, 20), (15, 30), (40, 50), (0, 5)];
        assert_eq!(union_ns(&mut v, 0, 100), 5 + 20 + 10);
        let mut v = vec![(10, 200)];
        assert_eq!(union_ns(&mut v, 50, 100), 50);
    }

    #[test]
    fn rates_round_to_four_digits() {
        assert_eq!(round_rate(1.0), 1.0);
        assert_eq!(round_rate(123.456_78), 123.5);
        assert_eq!(round_rate(0.012_345_6), 0.012_35);
    }
}
