//! What the sweep editor offers to vary, taken from the model, and the
//! `--vary` SPEC and the equivalent command line it builds. The SPEC is
//! exactly the form `archsim sweep --vary` reads, so the command shown can
//! be copied and gives the same points.

use std::path::Path;

use crate::model::{Slo, Topology};

/// One thing the sweep editor can vary.
#[derive(Debug, Clone, PartialEq)]
pub enum VaryChoice {
    /// Multiplies every workload entry's rate.
    Load,
    Replicas(String),
    Workers(String),
    TimeoutMs {
        caller: String,
        callee: String,
    },
    Retries {
        caller: String,
        callee: String,
    },
}

impl VaryChoice {
    /// NAME of the SPEC, as `archsim sweep` writes it in its columns.
    pub fn name(&self) -> String {
        match self {
            VaryChoice::Load => "load".to_owned(),
            VaryChoice::Replicas(s) => format!("replicas.{s}"),
            VaryChoice::Workers(s) => format!("workers.{s}"),
            VaryChoice::TimeoutMs { caller, callee } => format!("timeout_ms.{caller}>{callee}"),
            VaryChoice::Retries { caller, callee } => format!("retries.{caller}>{callee}"),
        }
    }

    /// Words for the editor's list and the chart's axis.
    pub fn label(&self) -> String {
        match self {
            VaryChoice::Load => "load (× every entry's rate)".to_owned(),
            VaryChoice::Replicas(s) => format!("replicas of {s}"),
            VaryChoice::Workers(s) => format!("workers of {s}"),
            VaryChoice::TimeoutMs { caller, callee } => {
                format!("timeout of {caller} → {callee} (ms)")
            }
            VaryChoice::Retries { caller, callee } => format!("retries of {caller} → {callee}"),
        }
    }

    /// Values to start from: around the model's current setting.
    pub fn default_values(&self, topology: &Topology) -> String {
        let service = |name: &str| topology.services.iter().find(|s| s.name == name);
        match self {
            VaryChoice::Load => "0.5:2:0.25".to_owned(),
            VaryChoice::Replicas(s) => {
                let now = service(s).map_or(1, |s| s.replicas).max(1);
                format!("{}:{}:1", now.saturating_sub(1).max(1), now + 3)
            }
            VaryChoice::Workers(s) => {
                let now = service(s).map_or(1, |s| s.workers).max(1);
                format!("{}:{}:1", now.saturating_sub(1).max(1), now + 3)
            }
            VaryChoice::TimeoutMs { caller, callee } => {
                let now = calls(topology, caller, callee)
                    .find_map(|c| c.timeout_ms)
                    .unwrap_or(100.0)
                    .max(1.0);
                let v = |f: f64| crate::report::format::trim((now * f).round().max(1.0));
                format!("{},{},{},{}", v(0.25), v(0.5), v(1.0), v(2.0))
            }
            VaryChoice::Retries { .. } => "0,1,2,3".to_owned(),
        }
    }
}

/// The calls from `caller` to `callee`, in every operation.
fn calls<'a>(
    topology: &'a Topology,
    caller: &'a str,
    callee: &'a str,
) -> impl Iterator<Item = &'a crate::model::Call> + 'a {
    topology
        .services
        .iter()
        .filter(move |s| s.name == caller)
        .flat_map(|s| {
            s.calls
                .iter()
                .chain(s.operations.iter().flat_map(|o| o.calls.iter()))
        })
        .flat_map(|spec| spec.calls())
        .filter(move |c| c.to == callee)
}

/// Everything the model offers to vary: the load, each service's replicas
/// and workers (replicas only where no autoscaler owns them), and each
/// caller → callee pair's timeout and retries.
pub fn choices(topology: &Topology) -> Vec<VaryChoice> {
    let mut out = vec![VaryChoice::Load];
    for s in &topology.services {
        if s.autoscale.is_none() {
            out.push(VaryChoice::Replicas(s.name.clone()));
        }
        out.push(VaryChoice::Workers(s.name.clone()));
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for s in &topology.services {
        let specs = s
            .calls
            .iter()
            .chain(s.operations.iter().flat_map(|o| o.calls.iter()));
        for call in specs.flat_map(|spec| spec.calls()) {
            let pair = (s.name.clone(), call.to.clone());
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    for (caller, callee) in &pairs {
        out.push(VaryChoice::TimeoutMs {
            caller: caller.clone(),
            callee: callee.clone(),
        });
    }
    for (caller, callee) in pairs {
        out.push(VaryChoice::Retries { caller, callee });
    }
    out
}

/// The `--vary` SPEC: `NAME=VALUES` with the values as typed (trimmed, spaces removed).
pub fn spec(choice: &VaryChoice, values: &str) -> String {
    let values: String = values.chars().filter(|c| !c.is_whitespace()).collect();
    format!("{}={values}", choice.name())
}

/// `word` quoted for a POSIX shell when it needs it.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-=,:/+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The file argument: the document's path, or a placeholder for a
/// document that was never saved.
fn file_arg(path: Option<&Path>) -> String {
    match path {
        Some(p) => shell_word(&p.display().to_string()),
        None => "FILE.json".to_owned(),
    }
}

fn scenario_args(scenario: Option<&str>) -> String {
    scenario.map_or(String::new(), |s| format!(" --scenario {}", shell_word(s)))
}

/// The `archsim run` command of a replicated run.
pub fn run_command(
    path: Option<&Path>,
    scenario: Option<&str>,
    replications: u64,
    confidence: f64,
) -> String {
    format!(
        "archsim run {}{} --replications {replications} --confidence {}",
        file_arg(path),
        scenario_args(scenario),
        crate::report::format::trim(confidence)
    )
}

/// The `archsim sweep` command of a sweep.
pub fn sweep_command(
    path: Option<&Path>,
    scenario: Option<&str>,
    spec: &str,
    replications: u64,
    confidence: f64,
) -> String {
    format!(
        "archsim sweep {}{} --vary {} --replications {replications} --confidence {} --out results.csv",
        file_arg(path),
        scenario_args(scenario),
        shell_word(spec),
        crate::report::format::trim(confidence)
    )
}

/// The `--slo` arguments for targets typed in the app (not in the file).
pub fn slo_args(typed: Option<&Slo>) -> String {
    let Some(slo) = typed else {
        return String::new();
    };
    let mut out = String::new();
    let mut add = |key: &str, v: Option<f64>| {
        if let Some(v) = v {
            out.push_str(&format!(" --slo {key}={}", crate::report::format::trim(v)));
        }
    };
    add("latency_p50_ms", slo.latency_p50_ms);
    add("latency_p95_ms", slo.latency_p95_ms);
    add("latency_p99_ms", slo.latency_p99_ms);
    add("availability", slo.availability);
    out
}

/// The `archsim capacity` command of a capacity search.
pub fn capacity_command(
    path: Option<&Path>,
    scenario: Option<&str>,
    goal: super::CapacityGoal,
    typed_slo: Option<&Slo>,
    replications: u64,
) -> String {
    format!(
        "archsim capacity {}{}{} --find {} --replications {replications}",
        file_arg(path),
        scenario_args(scenario),
        slo_args(typed_slo),
        goal.find_arg(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_the_cli_forms() {
        assert_eq!(spec(&VaryChoice::Load, " 0.5:2:0.5 "), "load=0.5:2:0.5");
        assert_eq!(
            spec(&VaryChoice::Replicas("cart".into()), "1, 2,4"),
            "replicas.cart=1,2,4"
        );
        let t = VaryChoice::TimeoutMs {
            caller: "a".into(),
            callee: "b".into(),
        };
        assert_eq!(spec(&t, "50,100"), "timeout_ms.a>b=50,100");
        assert_eq!(
            sweep_command(None, Some("black friday"), &spec(&t, "50,100"), 3, 0.95),
            "archsim sweep FILE.json --scenario 'black friday' --vary 'timeout_ms.a>b=50,100' --replications 3 --confidence 0.95 --out results.csv"
        );
    }

    #[test]
    fn shell_words_quote_only_when_needed() {
        assert_eq!(shell_word("load=1:2:0.5"), "load=1:2:0.5");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
