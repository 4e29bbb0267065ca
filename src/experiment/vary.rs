//! `--vary SPEC`: what a sweep changes in the topology, and the values.
//!
//! SPEC is `NAME=VALUES`. NAME is one of
//!
//! - `load`: multiplies every workload entry's `rate_rps`;
//! - `replicas.SERVICE`, `workers.SERVICE`;
//! - `timeout_ms.CALLER>CALLEE`, `retries.CALLER>CALLEE`: every call from
//!   CALLER to CALLEE (in all its operations); `retries` sets the retry
//!   policy's `max` (a call without one gets the format's defaults);
//! - `set:/json/pointer`: the value at that JSON pointer of the topology
//!   document (the last key may be new).
//!
//! VALUES is a list `v1,v2,…` or, for numbers, a range `START:STOP:STEP`
//! that includes STOP (within rounding). `set:` values are JSON (`8`,
//! `"round_robin"`, `{"max_wait_ms": 50}`); a value that is not JSON is a
//! string. A variant is made by editing the [`Topology`] and then passes
//! [`crate::model::check`] like any file: validation decides what a valid
//! value is.

use serde_json::Value;

use super::ExperimentError;
use crate::model::{self, Retries, Scenario, Topology, did_you_mean, quote};

/// The most values one SPEC (or one sweep) may have.
pub const MAX_POINTS: usize = 100_000;

/// What a SPEC changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Knob {
    /// Multiplies every entry's `rate_rps`.
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
    /// A JSON pointer into the topology document.
    Set(String),
}

/// One parsed `--vary` SPEC.
#[derive(Debug, Clone, PartialEq)]
pub struct VarySpec {
    /// The SPEC as written.
    pub text: String,
    /// NAME as written: the column of the sweep's outputs.
    pub name: String,
    pub knob: Knob,
    /// The values, in order.
    pub values: Vec<Value>,
}

fn spec_error(text: &str, problem: impl std::fmt::Display) -> ExperimentError {
    ExperimentError::Spec(format!("--vary {}: {problem}", quote(text)))
}

impl VarySpec {
    /// Parses the syntax of SPEC (names are checked by [`VarySpec::check`]).
    pub fn parse(text: &str) -> Result<VarySpec, ExperimentError> {
        let err = |problem: String| spec_error(text, problem);
        let Some((name, values)) = text.split_once('=') else {
            return Err(err(
                "expected NAME=VALUES, e.g. load=0.5:2:0.5 or replicas.api=1,2,4".to_owned(),
            ));
        };
        let name = name.trim();
        let knob = parse_name(name).map_err(err)?;
        let values = values.trim();
        if values.is_empty() {
            return Err(err(format!(
                "no values after {}",
                quote(&format!("{name}="))
            )));
        }
        let values = match &knob {
            Knob::Set(_) => json_values(values).map_err(err)?,
            Knob::Load | Knob::TimeoutMs { .. } => numbers(values, false).map_err(err)?,
            Knob::Replicas(_) | Knob::Workers(_) | Knob::Retries { .. } => {
                numbers(values, true).map_err(err)?
            }
        };
        if values.is_empty() {
            return Err(err(format!(
                "the range {} is empty; STOP must be ≥ START",
                quote(values_text(text))
            )));
        }
        if values.len() > MAX_POINTS {
            return Err(err(format!(
                "{} values is more than a sweep can run ({MAX_POINTS}); use a larger STEP",
                values.len()
            )));
        }
        Ok(VarySpec {
            text: text.to_owned(),
            name: name.to_owned(),
            knob,
            values,
        })
    }

    /// Checks that the names of the SPEC exist in `topology` and that
    /// `scenario` does not override what it varies.
    pub fn check(&self, topology: &Topology, scenario: &Scenario) -> Result<(), ExperimentError> {
        let err = |problem: String| spec_error(&self.text, problem);
        let service = |name: &str| -> Result<(), ExperimentError> {
            if topology.services.iter().any(|s| s.name == name) {
                return Ok(());
            }
            let hint = did_you_mean(name, topology.services.iter().map(|s| s.name.as_str()))
                .map(|b| format!(" (did you mean {}?)", quote(b)))
                .unwrap_or_default();
            let names: Vec<String> = topology
                .services
                .iter()
                .take(12)
                .map(|s| quote(&s.name))
                .collect();
            Err(err(format!(
                "unknown service {}{hint}; the services are: {}{}",
                quote(name),
                names.join(", "),
                if topology.services.len() > 12 {
                    ", …"
                } else {
                    ""
                }
            )))
        };
        let overridden = |svc: &str, field: &str| -> Result<(), ExperimentError> {
            if scenario
                .overrides
                .iter()
                .any(|o| o.service == svc && o.set.contains_key(field))
            {
                return Err(err(format!(
                    "scenario {} overrides {field} of {}, so varying it would change nothing; choose another --scenario or remove the override",
                    quote(&scenario.name),
                    quote(svc)
                )));
            }
            Ok(())
        };
        match &self.knob {
            Knob::Load => {
                if topology.workload.is_empty() {
                    return Err(err("the topology has no workload to multiply".to_owned()));
                }
                Ok(())
            }
            Knob::Replicas(s) => {
                service(s)?;
                overridden(s, "replicas")
            }
            Knob::Workers(s) => {
                service(s)?;
                overridden(s, "workers")
            }
            Knob::TimeoutMs { caller, callee } | Knob::Retries { caller, callee } => {
                service(caller)?;
                service(callee)?;
                let mut probe = topology.clone();
                if calls_between(&mut probe, caller, callee).next().is_none() {
                    return Err(err(format!(
                        "{} makes no call to {}; vary a call that exists",
                        quote(caller),
                        quote(callee)
                    )));
                }
                Ok(())
            }
            Knob::Set(pointer) => {
                let doc = model::to_value(topology);
                let parent = match pointer.rsplit_once('/') {
                    Some((parent, _)) => parent,
                    None => "",
                };
                if doc.pointer(pointer).is_none()
                    && !doc.pointer(parent).is_some_and(Value::is_object)
                {
                    return Err(err(format!(
                        "{} is not a place in the topology (nor a new key of an object there); e.g. set:/services/0/workers",
                        quote(pointer)
                    )));
                }
                Ok(())
            }
        }
    }
}

/// The text after the first `=`.
fn values_text(text: &str) -> &str {
    text.split_once('=').map_or("", |(_, v)| v.trim())
}

fn parse_name(name: &str) -> Result<Knob, String> {
    const FORMS: &str = "load, replicas.SERVICE, workers.SERVICE, timeout_ms.CALLER>CALLEE, retries.CALLER>CALLEE or set:/json/pointer";
    if name == "load" {
        return Ok(Knob::Load);
    }
    if let Some(pointer) = name.strip_prefix("set:") {
        if !pointer.starts_with('/') {
            return Err(format!(
                "{} is not a JSON pointer; it starts with /, e.g. set:/services/0/workers",
                quote(pointer)
            ));
        }
        return Ok(Knob::Set(pointer.to_owned()));
    }
    let Some((field, target)) = name.split_once('.') else {
        return Err(format!("unknown NAME {}; use {FORMS}", quote(name)));
    };
    let edge = |target: &str| -> Result<(String, String), String> {
        match target.split_once('>') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_owned(), b.to_owned())),
            _ => Err(format!(
                "{field} needs a call as CALLER>CALLEE, e.g. {field}.api>db (got {})",
                quote(target)
            )),
        }
    };
    let service = |target: &str| -> Result<String, String> {
        if target.is_empty() {
            return Err(format!("{field} needs a service name, e.g. {field}.api"));
        }
        Ok(target.to_owned())
    };
    match field {
        "replicas" => Ok(Knob::Replicas(service(target)?)),
        "workers" => Ok(Knob::Workers(service(target)?)),
        "timeout_ms" => edge(target).map(|(caller, callee)| Knob::TimeoutMs { caller, callee }),
        "retries" => edge(target).map(|(caller, callee)| Knob::Retries { caller, callee }),
        _ => {
            let hint = did_you_mean(field, ["replicas", "workers", "timeout_ms", "retries"])
                .map(|b| format!(" (did you mean {}?)", quote(b)))
                .unwrap_or_default();
            Err(format!("unknown NAME {}{hint}; use {FORMS}", quote(name)))
        }
    }
}

/// Numbers of a list or a `START:STOP:STEP` range; `integers` asks for
/// whole numbers ≥ 0.
fn numbers(text: &str, integers: bool) -> Result<Vec<Value>, String> {
    let kind = if integers {
        "a whole number ≥ 0"
    } else {
        "a number ≥ 0"
    };
    let one = |item: &str| -> Result<Value, String> {
        let item = item.trim();
        if integers {
            return item
                .parse::<u64>()
                .map(Value::from)
                .map_err(|_| format!("{} is not {kind}", quote(item)));
        }
        match item.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Value::from(v)),
            _ => Err(format!("{} is not {kind}", quote(item))),
        }
    };
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() == 1 {
        return text.split(',').map(one).collect();
    }
    let &[start, stop, step] = parts.as_slice() else {
        return Err(format!(
            "a range is START:STOP:STEP, e.g. 0.5:2:0.5 (got {})",
            quote(text)
        ));
    };
    let num = |item: &str| -> Result<f64, String> {
        match item.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(format!(
                "{} in the range {} is not {kind}",
                quote(item.trim()),
                quote(text)
            )),
        }
    };
    let (a, b, s) = (num(start)?, num(stop)?, num(step)?);
    if s <= 0.0 {
        return Err(format!("the STEP of {} must be > 0", quote(text)));
    }
    let decimals = [start, stop, step]
        .iter()
        .map(|t| t.trim().split_once('.').map_or(0, |(_, f)| f.len()))
        .max()
        .unwrap_or(0)
        .min(12);
    let count = ((b - a) / s + 1e-9).floor();
    if count >= MAX_POINTS as f64 {
        return Err(format!(
            "the range {} has more than {MAX_POINTS} values; use a larger STEP",
            quote(text)
        ));
    }
    if count < 0.0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for i in 0..=(count as u64) {
        let v = a + i as f64 * s;
        // Rounded to the inputs' decimals: 0.1:0.3:0.1 gives 0.3, not 0.30000000000000004.
        let v: f64 = format!("{v:.decimals$}").parse().unwrap_or(v);
        if integers {
            if v.fract() != 0.0 {
                return Err(format!("{} gives {v}, which is not {kind}", quote(text)));
            }
            out.push(Value::from(v as u64));
        } else {
            out.push(Value::from(v));
        }
    }
    Ok(out)
}

/// JSON values separated by top-level commas; text that is not JSON is a string.
fn json_values(text: &str) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut start) = (0i32, false, false, 0);
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
        .into_iter()
        .map(|item| {
            let item = item.trim();
            if item.is_empty() {
                return Err("an empty value in the list; remove the extra comma".to_owned());
            }
            Ok(serde_json::from_str(item).unwrap_or_else(|_| Value::String(item.to_owned())))
        })
        .collect()
}

/// Every call from `caller` to `callee`, in every operation of `caller`.
fn calls_between<'a>(
    topology: &'a mut Topology,
    caller: &'a str,
    callee: &'a str,
) -> impl Iterator<Item = &'a mut model::Call> + 'a {
    topology
        .services
        .iter_mut()
        .filter(move |s| s.name == caller)
        .flat_map(|s| {
            let ops = s.operations.iter_mut().flat_map(|op| op.calls.iter_mut());
            s.calls.iter_mut().chain(ops)
        })
        .flat_map(model::CallSpec::calls_mut)
        .filter(move |c| c.to == callee)
}

/// Sets `knob` to `value` in `topology` (before validation). The error says
/// what is wrong with the value.
pub fn apply(topology: &mut Topology, knob: &Knob, value: &Value) -> Result<(), String> {
    let number = || {
        value
            .as_f64()
            .ok_or_else(|| format!("{value} is not a number"))
    };
    let whole = || {
        value
            .as_u64()
            .ok_or_else(|| format!("{value} is not a whole number"))
    };
    match knob {
        Knob::Load => {
            let m = number()?;
            for entry in &mut topology.workload {
                entry.rate_rps *= m;
            }
        }
        Knob::Replicas(name) | Knob::Workers(name) => {
            let v = whole()?;
            for s in topology.services.iter_mut().filter(|s| &s.name == name) {
                if matches!(knob, Knob::Replicas(_)) {
                    s.replicas = v;
                } else {
                    s.workers = v;
                }
            }
        }
        Knob::TimeoutMs { caller, callee } => {
            let v = number()?;
            for call in calls_between(topology, caller, callee) {
                call.timeout_ms = Some(v);
            }
        }
        Knob::Retries { caller, callee } => {
            let v = whole()?;
            for call in calls_between(topology, caller, callee) {
                match &mut call.retries {
                    Some(r) => r.max = v,
                    None => {
                        call.retries = Some(Retries {
                            max: v,
                            backoff_ms: 10.0,
                            multiplier: 2.0,
                            jitter: true,
                            max_backoff_ms: None,
                        })
                    }
                }
            }
        }
        Knob::Set(pointer) => {
            let mut doc = model::to_value(topology);
            set_pointer(&mut doc, pointer, value.clone())?;
            let text = serde_json::to_string(&doc).map_err(|e| e.to_string())?;
            *topology = model::load_str(&text, "<variant>").map_err(|e| {
                e.diagnostics()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
        }
    }
    Ok(())
}

/// Replaces the value at `pointer`, or adds it as a new key of the object
/// that holds it.
fn set_pointer(doc: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = value;
        return Ok(());
    }
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let key = key.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key, value);
            Ok(())
        }
        _ => Err(format!("{} is not a place in the topology", quote(pointer))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_stop_and_round_to_the_inputs() {
        let spec = VarySpec::parse("load=0.1:0.5:0.1").unwrap();
        let values: Vec<f64> = spec.values.iter().map(|v| v.as_f64().unwrap()).collect();
        assert_eq!(values, [0.1, 0.2, 0.3, 0.4, 0.5]);
        let spec = VarySpec::parse("replicas.api=1:7:2").unwrap();
        assert_eq!(spec.values, [1, 3, 5, 7].map(Value::from));
        assert_eq!(spec.knob, Knob::Replicas("api".to_owned()));
    }

    #[test]
    fn set_values_are_json_split_at_top_level_commas() {
        let spec = VarySpec::parse(
            r#"set:/services/0/load_shedding={"max_wait_ms": 5, "max_in_flight": 9},null,fast"#,
        )
        .unwrap();
        assert_eq!(spec.values.len(), 3);
        assert_eq!(spec.values[0]["max_in_flight"], Value::from(9));
        assert_eq!(spec.values[2], Value::from("fast"));
    }

    #[test]
    fn bad_specs_say_what_to_write() {
        for (spec, expected) in [
            ("load", "expected NAME=VALUES"),
            ("load=2:1:0.5", "empty"),
            ("load=1:2:0", "STEP"),
            ("load=a,b", "\"a\" is not a number"),
            ("replicas.api=1.5", "not a whole number"),
            ("replcas.api=1", "did you mean \"replicas\""),
            ("timeout_ms.api=1", "CALLER>CALLEE"),
            ("set:services/0=1", "JSON pointer"),
            ("load=", "no values"),
        ] {
            let message = VarySpec::parse(spec).unwrap_err().to_string();
            assert!(message.contains(expected), "{spec}: {message}");
            assert!(
                message.starts_with(&format!("--vary \"{spec}\"")),
                "{message}"
            );
        }
    }
}
