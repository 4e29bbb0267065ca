//! Cost where runs are judged: the sentence the run table, the report and
//! the app put beside the SLO verdicts, the report's cost figure, and the
//! comparison of costs between runs (see `metrics::Cost`).

use crate::metrics::{CostDelta, Summary};

use super::Run;
use super::document::{Cell, Header, Kpi, Table, Tone};
use super::format;

/// Relative changes of cost smaller than this are not coloured.
const NOTABLE_CHANGE: f64 = 0.05;

/// `cost: 0.0125 USD over 60 s (0.250 replica-hours, 0.750 USD per hour)`,
/// or `None` when the run has no cost (the file sets no price).
pub fn sentence(summary: &Summary) -> Option<String> {
    let cost = summary.cost.as_ref()?;
    Some(format!(
        "cost: {} over {} ({} replica-hours, {} per hour)",
        format::money(cost.total, &cost.currency),
        format::duration(summary.simulated_s),
        format::short(cost.replica_hours),
        format::money(cost.per_hour(summary.simulated_s), &cost.currency),
    ))
}

/// The change of cost from `a` to `b`: `+0.0125 USD (+50%)`, or `None`
/// unless both runs have a cost in the same currency.
pub fn delta_text(a: &Summary, b: &Summary) -> Option<String> {
    let (cost_a, cost_b) = (a.cost.as_ref()?, b.cost.as_ref()?);
    let delta = CostDelta::of(Some(cost_a), Some(cost_b))?;
    Some(format::money_delta(delta.a, delta.b, &cost_a.currency))
}

/// The report's headline figure of a run's cost.
pub fn kpi(summary: &Summary) -> Option<Kpi> {
    let cost = summary.cost.as_ref()?;
    Some(Kpi {
        label: "Cost".to_owned(),
        value: format::money(cost.total, &cost.currency),
        detail: format!(
            "{} replica-hours; {} per hour",
            format::short(cost.replica_hours),
            format::money(cost.per_hour(summary.simulated_s), &cost.currency)
        ),
        tone: Tone::Plain,
    })
}

/// A cost cell for the overview: the total, or `–` without a cost.
pub fn overview_cell(summary: &Summary) -> Cell {
    match &summary.cost {
        Some(cost) => Cell::number(format::money(cost.total, &cost.currency), cost.total),
        None => Cell::text("–").tone(Tone::Muted),
    }
}

/// The comparison of costs: the total and each service's cost in every
/// run, with the change from the first run; `None` when no run has a cost.
pub fn comparison(runs: &[Run]) -> Option<Table> {
    let baseline = runs.first()?;
    let priced = runs.iter().find_map(|r| r.summary.cost.as_ref())?;
    let currency = &priced.currency;
    let mut headers = vec![Header::new("Cost", false)];
    headers.extend(runs.iter().map(|r| Header::new(&r.summary.scenario, true)));
    // The services in the order of the first priced run.
    let mut labels: Vec<Option<&str>> = vec![None];
    labels.extend(priced.per_service.iter().map(|s| Some(s.name.as_str())));
    let value = |summary: &Summary, service: Option<&str>| -> Option<f64> {
        let cost = summary.cost.as_ref().filter(|c| &c.currency == currency)?;
        match service {
            None => Some(cost.total),
            Some(name) => cost
                .per_service
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.cost),
        }
    };
    let rows = labels
        .iter()
        .map(|&service| {
            let mut row = vec![match service {
                None => Cell::text("total"),
                Some(name) => Cell::name(name),
            }];
            let base = value(&baseline.summary, service);
            for (i, run) in runs.iter().enumerate() {
                row.push(match value(&run.summary, service) {
                    None => Cell::text("–").tone(Tone::Muted),
                    Some(v) => {
                        let cell = Cell::number(format::money(v, currency), v);
                        match base.filter(|_| i > 0) {
                            None => cell,
                            Some(b) => cell
                                .with_sub(format::money_delta(b, v, currency))
                                .tone(change_tone(b, v)),
                        }
                    }
                });
            }
            row
        })
        .collect();
    Some(Table {
        kind: "compare-cost",
        caption: format!("Cost of the replicas held ({currency})"),
        headers,
        rows,
        note: None,
        full: None,
    })
}

/// Worse (dearer) or better (cheaper) by at least [`NOTABLE_CHANGE`].
fn change_tone(before: f64, after: f64) -> Tone {
    let d = after - before;
    let relative = if before > 0.0 {
        d / before
    } else if d.abs() > 0.0 {
        f64::INFINITY.copysign(d)
    } else {
        0.0
    };
    if relative.abs() < NOTABLE_CHANGE {
        Tone::Plain
    } else if relative > 0.0 {
        Tone::Bad
    } else {
        Tone::Good
    }
}
