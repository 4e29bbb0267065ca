//! Scenario overrides: applying `set` to a service, and checking that the
//! result is as valid as the file itself.

use serde_json::Value;

use super::super::diagnostic::{Diagnostic, Place, quote};
use super::super::extensions::{self, is_extension_key};
use super::super::load::{place_below, rewrite_message, segment_token};
use super::super::types::{Scenario, Service, Topology};
use super::opgraph::{OpGraph, check_cycles};
use super::scenarios::scenario_place;
use super::{Ctx, services};

/// The topology as `scenario` runs it: each override's `set` written over
/// its service's fields, in order. `set` is a partial service object
/// (`{"workers": 8}`); fields it names replace the service's (lists are
/// replaced whole), `x-` keys are ignored, and `name` cannot change.
///
/// On a [`super::Checked`] topology this succeeds for every one of its
/// scenarios, and the result satisfies the same invariants.
pub fn apply_overrides(
    topology: &Topology,
    scenario: &Scenario,
) -> Result<Topology, Vec<Diagnostic>> {
    let mut result = topology.clone();
    let base_place = match topology
        .scenarios
        .iter()
        .position(|s| s.name == scenario.name)
    {
        Some(i) => scenario_place(i, scenario),
        None => Place::root().key("scenario").named(&scenario.name),
    };
    let mut diagnostics = Vec::new();
    for (k, change) in scenario.overrides.iter().enumerate() {
        let place = base_place.item("overrides", k);
        let Some(index) = result
            .services
            .iter()
            .position(|s| s.name == change.service)
        else {
            diagnostics.push(Diagnostic::error(
                &place,
                format!("unknown service {}", quote(&change.service)),
            ));
            continue;
        };
        match apply_one(&result.services[index], &change.set, &place.key("set")) {
            Ok(service) => result.services[index] = service,
            Err(mut found) => diagnostics.append(&mut found),
        }
    }
    if diagnostics.is_empty() {
        Ok(result)
    } else {
        Err(diagnostics)
    }
}

fn apply_one(
    service: &Service,
    set: &serde_json::Map<String, Value>,
    place: &Place,
) -> Result<Service, Vec<Diagnostic>> {
    let mut value =
        serde_json::to_value(service).map_err(|e| vec![Diagnostic::error(place, e.to_string())])?;
    let mut diagnostics = Vec::new();
    if let Value::Object(fields) = &mut value {
        for (key, new_value) in set {
            if is_extension_key(key) {
                continue;
            }
            if key == "name" {
                if new_value.as_str() != Some(service.name.as_str()) {
                    diagnostics.push(Diagnostic::error(
                        &place.key("name"),
                        "an override cannot rename a service; remove \"name\" from \"set\"",
                    ));
                }
                continue;
            }
            fields.insert(key.clone(), new_value.clone());
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    // Nested `x-` keys in the new values are ignored, as in files.
    let _ = extensions::take_service(&mut value);
    match serde_path_to_error::deserialize::<_, Service>(&value) {
        Ok(mut changed) => {
            changed.extensions = service.extensions.clone();
            Ok(changed)
        }
        Err(error) => {
            let tokens: Vec<String> = error.path().iter().filter_map(segment_token).collect();
            let friendly = rewrite_message(&error.inner().to_string());
            let mut tokens = tokens;
            if let Some(unknown) = friendly.unknown_key
                && tokens.last() != Some(&unknown)
            {
                tokens.push(unknown);
            }
            Err(vec![Diagnostic::error(
                &place_below(place, &value, &tokens),
                friendly.text,
            )])
        }
    }
}

/// Applies each scenario's overrides and checks the services of the result.
pub(super) fn check_overrides(ctx: &mut Ctx) {
    let topology = ctx.topology;
    for (i, scenario) in topology.scenarios.iter().enumerate() {
        if scenario.overrides.is_empty() {
            continue;
        }
        match apply_overrides(topology, scenario) {
            Ok(changed) => check_overridden(ctx, &scenario_place(i, scenario), scenario, &changed),
            Err(mut found) => ctx.diagnostics.append(&mut found),
        }
    }
}

/// Checks the services of `changed` (the topology with `scenario`'s
/// overrides applied), reporting each error at the override that caused it.
pub(super) fn check_overridden(
    ctx: &mut Ctx,
    base_place: &Place,
    scenario: &Scenario,
    changed: &Topology,
) {
    let mut inner = Ctx::new(changed);
    services::check_services(&mut inner);
    if !inner.has_errors() {
        check_cycles(&mut inner, &OpGraph::build(changed));
    }
    for found in inner.diagnostics.iter().filter(|d| d.is_error()) {
        let service = found
            .pointer
            .strip_prefix("/services/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|index| index.parse::<usize>().ok())
            .and_then(|index| changed.services.get(index));
        let place = match service
            .and_then(|s| scenario.overrides.iter().rposition(|o| o.service == s.name))
        {
            Some(k) => base_place.item("overrides", k),
            None => base_place.key("overrides"),
        };
        ctx.error(
            &place,
            format!("with this override, {}: {}", found.path, found.message),
        );
    }
}
