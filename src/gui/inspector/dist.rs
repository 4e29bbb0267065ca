//! Editing a time distribution: its kind, then the fields of that kind.
//! Switching kinds keeps the mean, so a change of shape is not a change of
//! load.

use egui::Ui;

use crate::model::Distribution;

use super::fields::{Form, Range, format_number};

const KINDS: [&str; 6] = [
    "constant",
    "exponential",
    "uniform",
    "lognormal",
    "erlang",
    "empirical",
];

/// The distribution's mean (the median for a lognormal), in ms.
fn typical_ms(d: &Distribution) -> f64 {
    match d {
        Distribution::Constant { ms } => *ms,
        Distribution::Exponential { mean_ms } | Distribution::Erlang { mean_ms, .. } => *mean_ms,
        Distribution::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
        Distribution::Lognormal { median_ms, .. } => *median_ms,
        Distribution::Empirical { samples_ms } if !samples_ms.is_empty() => {
            samples_ms.iter().sum::<f64>() / samples_ms.len() as f64
        }
        Distribution::Empirical { .. } => 10.0,
    }
}

/// A distribution of kind `kind` around `ms`.
pub fn of_kind(kind: &str, ms: f64) -> Distribution {
    let ms = if ms.is_finite() && ms > 0.0 { ms } else { 10.0 };
    match kind {
        "constant" => Distribution::Constant { ms },
        "uniform" => Distribution::Uniform {
            min_ms: ms * 0.5,
            max_ms: ms * 1.5,
        },
        "lognormal" => Distribution::Lognormal {
            median_ms: ms,
            p99_ms: ms * 4.0,
        },
        "erlang" => Distribution::Erlang { k: 2, mean_ms: ms },
        "empirical" => Distribution::Empirical {
            samples_ms: vec![ms],
        },
        _ => Distribution::Exponential { mean_ms: ms },
    }
}

/// Rows for a distribution; returns the new value when it changed.
pub fn distribution_rows(
    form: &mut Form,
    ui: &mut Ui,
    key: &str,
    label: &str,
    value: &Distribution,
) -> Option<Distribution> {
    let options: Vec<(&str, String)> = KINDS.iter().map(|k| (*k, (*k).to_owned())).collect();
    if let Some(kind) = form.choice(
        ui,
        &format!("{key}/dist"),
        label,
        &value.kind_str(),
        &options,
    ) {
        return Some(of_kind(kind, typical_ms(value)));
    }
    let ms = Range::Positive;
    match value {
        Distribution::Constant { ms: v } => form
            .number(
                ui,
                &format!("{key}/ms"),
                "  time (ms)",
                "Every request takes exactly this long",
                *v,
                Range::NonNegative,
            )
            .map(|ms| Distribution::Constant { ms }),
        Distribution::Exponential { mean_ms } => form
            .number(
                ui,
                &format!("{key}/mean"),
                "  mean (ms)",
                "Memoryless: most requests are quick, a few are slow",
                *mean_ms,
                ms,
            )
            .map(|mean_ms| Distribution::Exponential { mean_ms }),
        Distribution::Uniform { min_ms, max_ms } => {
            let min = form.number(
                ui,
                &format!("{key}/min"),
                "  min (ms)",
                "Shortest time",
                *min_ms,
                Range::NonNegative,
            );
            let max = form.number(
                ui,
                &format!("{key}/max"),
                "  max (ms)",
                "Longest time",
                *max_ms,
                Range::NonNegative,
            );
            (min.is_some() || max.is_some()).then(|| Distribution::Uniform {
                min_ms: min.unwrap_or(*min_ms),
                max_ms: max.unwrap_or(*max_ms),
            })
        }
        Distribution::Lognormal { median_ms, p99_ms } => {
            let median = form.number(
                ui,
                &format!("{key}/median"),
                "  median (ms)",
                "Half the requests are faster",
                *median_ms,
                ms,
            );
            let p99 = form.number(
                ui,
                &format!("{key}/p99"),
                "  p99 (ms)",
                "99% of requests are faster; above the median",
                *p99_ms,
                ms,
            );
            (median.is_some() || p99.is_some()).then(|| Distribution::Lognormal {
                median_ms: median.unwrap_or(*median_ms),
                p99_ms: p99.unwrap_or(*p99_ms),
            })
        }
        Distribution::Erlang { k, mean_ms } => {
            let new_k = form.integer(
                ui,
                &format!("{key}/k"),
                "  stages k",
                "More stages: less variation",
                *k,
                1,
            );
            let mean = form.number(
                ui,
                &format!("{key}/mean"),
                "  mean (ms)",
                "Mean time",
                *mean_ms,
                ms,
            );
            (new_k.is_some() || mean.is_some()).then(|| Distribution::Erlang {
                k: new_k.unwrap_or(*k),
                mean_ms: mean.unwrap_or(*mean_ms),
            })
        }
        Distribution::Empirical { samples_ms } => form
            .parsed(
                ui,
                &format!("{key}/samples"),
                "  samples (ms)",
                "Measured times, comma-separated; each is drawn equally often",
                samples_ms,
                |v| {
                    v.iter()
                        .map(|x| format_number(*x))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                parse_samples,
            )
            .map(|samples_ms| Distribution::Empirical { samples_ms }),
    }
}

fn parse_samples(text: &str) -> Result<Vec<f64>, String> {
    let mut samples = Vec::new();
    for part in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let value: f64 = part
            .parse()
            .map_err(|_| format!("\"{part}\" is not a number"))?;
        if !value.is_finite() || value < 0.0 {
            return Err(format!("{part}: times must be finite and not negative"));
        }
        samples.push(value);
    }
    if samples.is_empty() {
        return Err("give at least one sample".to_owned());
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_kind_keeps_the_typical_time() {
        let d = Distribution::Uniform {
            min_ms: 2.0,
            max_ms: 6.0,
        };
        assert_eq!(
            of_kind("constant", typical_ms(&d)),
            Distribution::Constant { ms: 4.0 }
        );
        assert_eq!(parse_samples("1, 2.5"), Ok(vec![1.0, 2.5]));
        assert!(parse_samples("1, x").is_err());
    }
}
