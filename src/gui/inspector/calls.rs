//! Editing calls: single calls and parallel groups, with their retries,
//! timeouts and circuit breakers.

use egui::{RichText, Ui};

use crate::model::{Call, CallSpec, CircuitBreaker, Retries, Service};

use super::fields::{Form, Range};

/// Every field of one call.
pub fn call_rows(
    form: &mut Form,
    ui: &mut Ui,
    key: &str,
    call: &Call,
    services: &[Service],
) -> Option<Call> {
    let mut new = call.clone();
    let mut changed = false;
    let mut names: Vec<(String, String)> = services
        .iter()
        .map(|s| (s.name.clone(), s.name.clone()))
        .collect();
    if !services.iter().any(|s| s.name == call.to) {
        names.insert(
            0,
            (call.to.clone(), format!("{} (no such service)", call.to)),
        );
    }
    if let Some(to) = form.choice(ui, &format!("{key}/to"), "to", &call.to, &names) {
        new.to = to;
        new.operation = first_operation(services, &new.to);
        changed = true;
    }
    let mut operations = operations_of(services, &new.to);
    if !operations.contains(&new.operation) {
        operations.insert(0, new.operation.clone());
    }
    let options: Vec<(String, String)> =
        operations.iter().map(|o| (o.clone(), o.clone())).collect();
    if let Some(op) = form.choice(
        ui,
        &format!("{key}/op"),
        "operation",
        &new.operation,
        &options,
    ) {
        new.operation = op;
        changed = true;
    }
    if let Some(p) = form.number(
        ui,
        &format!("{key}/p"),
        "probability",
        "Share of requests that make this call (0 to 1)",
        call.probability,
        Range::Fraction,
    ) {
        new.probability = p;
        changed = true;
    }
    if let Some(count) = form.integer(
        ui,
        &format!("{key}/count"),
        "count",
        "Times the call is made in sequence",
        call.count,
        1,
    ) {
        new.count = count;
        changed = true;
    }
    if let Some(timeout) = form.optional_number(
        ui,
        &format!("{key}/timeout"),
        "timeout (ms)",
        "Empty: wait as long as it takes",
        call.timeout_ms,
        Range::Positive,
    ) {
        new.timeout_ms = timeout;
        changed = true;
    }
    if let Some(optional) = form.checkbox(
        ui,
        "optional",
        "A failure of this call does not fail the caller",
        call.optional,
    ) {
        new.optional = optional;
        changed = true;
    }
    if let Some(retries) = retries_rows(form, ui, key, &call.retries) {
        new.retries = retries;
        changed = true;
    }
    if let Some(breaker) = breaker_rows(form, ui, key, &call.circuit_breaker) {
        new.circuit_breaker = breaker;
        changed = true;
    }
    changed.then_some(new)
}

fn retries_rows(
    form: &mut Form,
    ui: &mut Ui,
    key: &str,
    retries: &Option<Retries>,
) -> Option<Option<Retries>> {
    if let Some(on) = form.checkbox(ui, "retries", "Retry failed calls", retries.is_some()) {
        return Some(on.then_some(Retries {
            max: 2,
            backoff_ms: 10.0,
            multiplier: 2.0,
            jitter: true,
            max_backoff_ms: None,
        }));
    }
    let r = retries.as_ref()?;
    let mut new = r.clone();
    let mut changed = false;
    if let Some(max) = form.integer(
        ui,
        &format!("{key}/r/max"),
        "  max retries",
        "Further attempts after a failure",
        r.max,
        0,
    ) {
        new.max = max;
        changed = true;
    }
    if let Some(b) = form.number(
        ui,
        &format!("{key}/r/backoff"),
        "  backoff (ms)",
        "Wait before the first retry",
        r.backoff_ms,
        Range::NonNegative,
    ) {
        new.backoff_ms = b;
        changed = true;
    }
    if let Some(m) = form.number(
        ui,
        &format!("{key}/r/mult"),
        "  multiplier",
        "Each wait is this many times the last (at least 1)",
        r.multiplier,
        Range::Between(1.0, 100.0),
    ) {
        new.multiplier = m;
        changed = true;
    }
    if let Some(j) = form.checkbox(
        ui,
        "  jitter",
        "Random waits up to the backoff (full jitter)",
        r.jitter,
    ) {
        new.jitter = j;
        changed = true;
    }
    if let Some(cap) = form.optional_number(
        ui,
        &format!("{key}/r/cap"),
        "  max backoff (ms)",
        "Empty: no cap",
        r.max_backoff_ms,
        Range::Positive,
    ) {
        new.max_backoff_ms = cap;
        changed = true;
    }
    changed.then_some(Some(new))
}

fn breaker_rows(
    form: &mut Form,
    ui: &mut Ui,
    key: &str,
    breaker: &Option<CircuitBreaker>,
) -> Option<Option<CircuitBreaker>> {
    if let Some(on) = form.checkbox(
        ui,
        "circuit breaker",
        "Stop calling for a while when too many calls fail",
        breaker.is_some(),
    ) {
        return Some(on.then_some(CircuitBreaker {
            failure_ratio: 0.5,
            window: 20,
            open_s: 5.0,
            half_open_probes: 1,
        }));
    }
    let b = breaker.as_ref()?;
    let mut new = b.clone();
    let mut changed = false;
    if let Some(v) = form.number(
        ui,
        &format!("{key}/cb/ratio"),
        "  failure ratio",
        "Opens when this share of recent calls failed",
        b.failure_ratio,
        Range::Fraction,
    ) {
        new.failure_ratio = v;
        changed = true;
    }
    if let Some(v) = form.integer(
        ui,
        &format!("{key}/cb/window"),
        "  window (calls)",
        "Recent calls the ratio is computed over",
        b.window,
        1,
    ) {
        new.window = v;
        changed = true;
    }
    if let Some(v) = form.number(
        ui,
        &format!("{key}/cb/open"),
        "  open (s)",
        "Seconds it stays open before probing",
        b.open_s,
        Range::Positive,
    ) {
        new.open_s = v;
        changed = true;
    }
    if let Some(v) = form.integer(
        ui,
        &format!("{key}/cb/probes"),
        "  half-open probes",
        "Probe calls that must all succeed to close",
        b.half_open_probes,
        1,
    ) {
        new.half_open_probes = v;
        changed = true;
    }
    changed.then_some(Some(new))
}

/// Operation names of a service (`default` when it has none).
pub fn operations_of(services: &[Service], name: &str) -> Vec<String> {
    match services.iter().find(|s| s.name == name) {
        Some(s) if !s.operations.is_empty() => {
            s.operations.iter().map(|op| op.name.clone()).collect()
        }
        _ => vec!["default".to_owned()],
    }
}

fn first_operation(services: &[Service], name: &str) -> String {
    operations_of(services, name)
        .into_iter()
        .next()
        .unwrap_or_else(|| "default".to_owned())
}

fn call_title(call: &Call) -> String {
    let mut title = format!("→ {}", call.to);
    if call.operation != "default" {
        title.push_str(&format!(" · {}", call.operation));
    }
    if call.count != 1 {
        title.push_str(&format!(" ×{}", call.count));
    }
    if call.probability != 1.0 {
        title.push_str(&format!(" ({:.0}%)", call.probability * 100.0));
    }
    title
}

/// A list of calls with buttons to add, remove, reorder and group them.
/// `me` is the calling service (not offered as a target of new calls).
pub fn calls_ui(
    form: &mut Form,
    ui: &mut Ui,
    key: &str,
    calls: &[CallSpec],
    services: &[Service],
    me: &str,
) -> Option<Vec<CallSpec>> {
    let mut new = calls.to_vec();
    // Typed fields record their own change (for undo merging); buttons do not.
    let mut changed = false;
    let mut clicked = false;
    let mut action: Option<(usize, Action)> = None;
    for (i, spec) in calls.iter().enumerate() {
        match spec {
            CallSpec::Single(call) => {
                let header = egui::CollapsingHeader::new(call_title(call))
                    .id_salt(format!("{key}/{i}/h"))
                    .show(ui, |ui| {
                        form.grid(ui, &format!("{key}/{i}/g"), |form, ui| {
                            call_rows(form, ui, &format!("{key}/{i}"), call, services)
                        })
                        .map(CallSpec::Single)
                    });
                if let Some(Some(spec)) = header.body_returned {
                    new[i] = spec;
                    changed = true;
                }
                if let Some(a) = row_buttons(ui, i, calls.len(), true) {
                    action = Some((i, a));
                }
            }
            CallSpec::Parallel(group) => {
                ui.label(RichText::new(format!("parallel group of {}", group.len())).italics());
                ui.indent(format!("{key}/{i}/par"), |ui| {
                    for (j, call) in group.iter().enumerate() {
                        let header = egui::CollapsingHeader::new(call_title(call))
                            .id_salt(format!("{key}/{i}/{j}/h"))
                            .show(ui, |ui| {
                                form.grid(ui, &format!("{key}/{i}/{j}/g"), |form, ui| {
                                    call_rows(form, ui, &format!("{key}/{i}/{j}"), call, services)
                                })
                            });
                        if let Some(Some(call)) = header.body_returned
                            && let CallSpec::Parallel(calls) = &mut new[i]
                        {
                            calls[j] = call;
                            changed = true;
                        }
                        if ui.small_button("🗑 remove from group").clicked()
                            && let CallSpec::Parallel(calls) = &mut new[i]
                        {
                            calls.remove(j);
                            clicked = true;
                        }
                    }
                    if ui.small_button("+ call in this group").clicked()
                        && let CallSpec::Parallel(calls) = &mut new[i]
                    {
                        calls.push(Call::to(default_target(services, me)));
                        clicked = true;
                    }
                });
                if let Some(a) = row_buttons(ui, i, calls.len(), false) {
                    action = Some((i, a));
                }
            }
        }
    }
    if let Some((i, a)) = action {
        clicked = true;
        match a {
            Action::Up if i > 0 => new.swap(i, i - 1),
            Action::Down if i + 1 < new.len() => new.swap(i, i + 1),
            Action::Remove => {
                new.remove(i);
            }
            Action::Parallel => {
                if let CallSpec::Single(call) = &new[i] {
                    new[i] = CallSpec::Parallel(vec![call.clone()]);
                }
            }
            _ => clicked = false,
        }
    }
    ui.horizontal(|ui| {
        if ui.small_button("+ call").clicked() {
            new.push(CallSpec::Single(Call::to(default_target(services, me))));
            clicked = true;
        }
        if ui.small_button("+ parallel group").clicked() {
            new.push(CallSpec::Parallel(vec![Call::to(default_target(
                services, me,
            ))]));
            clicked = true;
        }
    });
    // Parallel groups left empty are dropped: they would mean nothing.
    new.retain(|spec| !matches!(spec, CallSpec::Parallel(calls) if calls.is_empty()));
    if clicked {
        form.mark_changed();
    }
    if changed || clicked { Some(new) } else { None }
}

#[derive(Clone, Copy)]
enum Action {
    Up,
    Down,
    Remove,
    Parallel,
}

fn row_buttons(ui: &mut Ui, i: usize, len: usize, single: bool) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        ui.add_space(18.0);
        if ui
            .add_enabled(i > 0, egui::Button::new("↑").small())
            .on_hover_text("Make it earlier")
            .clicked()
        {
            action = Some(Action::Up);
        }
        if ui
            .add_enabled(i + 1 < len, egui::Button::new("↓").small())
            .on_hover_text("Make it later")
            .clicked()
        {
            action = Some(Action::Down);
        }
        if single
            && ui
                .small_button("⇉ parallel")
                .on_hover_text("Turn into a parallel group")
                .clicked()
        {
            action = Some(Action::Parallel);
        }
        if ui.small_button("🗑 remove").clicked() {
            action = Some(Action::Remove);
        }
    });
    action
}

/// The first service other than `me`, as the target of a new call.
fn default_target(services: &[Service], me: &str) -> String {
    services
        .iter()
        .find(|s| s.name != me)
        .or(services.first())
        .map_or_else(|| "service".to_owned(), |s| s.name.clone())
}
