//! Applying an [`Edit`] to a topology: plain data manipulation, no UI, so it
//! is unit-tested directly. Renames and deletions keep the file consistent:
//! every call, entry, scenario item and saved position follows.

use crate::model::{Call, CallSpec, Fault, Layout, Topology};

use super::command::Edit;

/// Why an edit was refused; the message says what to do instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct EditError(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, EditError> {
    Err(EditError(message.into()))
}

/// Applies `edit`; returns a one-line summary for the status bar.
pub fn apply(topology: &mut Topology, edit: &Edit) -> Result<String, EditError> {
    match edit {
        Edit::SetName(name) => topology.name = name.clone(),
        Edit::SetDescription(description) => topology.description = description.clone(),
        Edit::SetSlo(slo) => topology.slo = slo.clone(),
        Edit::SetService { index, service } => {
            let Some(slot) = topology.services.get_mut(*index) else {
                return refuse(format!(
                    "there is no service number {index}; it may have been deleted"
                ));
            };
            if slot.name != service.name {
                return refuse("rename a service with its name field, so that its callers follow");
            }
            *slot = (**service).clone();
        }
        Edit::RenameService { from, to } => return rename_service(topology, from, to),
        Edit::AddService { service, at } => {
            if topology.services.iter().any(|s| s.name == service.name) {
                return refuse(format!(
                    "a service named {} exists already; pick another name",
                    service.name
                ));
            }
            topology.services.push((**service).clone());
            if let Some(at) = at {
                layout_mut(topology).nodes.insert(service.name.clone(), *at);
            }
            return Ok(format!("Added {}", service.name));
        }
        Edit::DeleteService(name) => return delete_service(topology, name),
        Edit::AddCall { from, to } => return add_call(topology, from, to),
        Edit::DeleteCalls { from, to } => {
            let Some(service) = topology.services.iter_mut().find(|s| s.name == *from) else {
                return refuse(format!("there is no service {from}"));
            };
            let removed = remove_calls_to(&mut service.calls, to)
                + service
                    .operations
                    .iter_mut()
                    .map(|op| remove_calls_to(&mut op.calls, to))
                    .sum::<usize>();
            return Ok(format!("Deleted {removed} call(s) {from} → {to}"));
        }
        Edit::SetEntry { index, entry } => match topology.workload.get_mut(*index) {
            Some(slot) => *slot = entry.clone(),
            None => return refuse(format!("there is no entry number {index}")),
        },
        Edit::AddEntry(entry) => topology.workload.push(entry.clone()),
        Edit::DeleteEntry(index) => {
            if *index >= topology.workload.len() {
                return refuse(format!("there is no entry number {index}"));
            }
            topology.workload.remove(*index);
        }
        Edit::SetScenario { index, scenario } => match topology.scenarios.get_mut(*index) {
            Some(slot) => *slot = (**scenario).clone(),
            None => return refuse(format!("there is no scenario number {index}")),
        },
        Edit::AddScenario(scenario) => topology.scenarios.push((**scenario).clone()),
        Edit::DeleteScenario(index) => {
            if *index >= topology.scenarios.len() {
                return refuse(format!("there is no scenario number {index}"));
            }
            topology.scenarios.remove(*index);
        }
        Edit::MakeDefaultScenario(index) => {
            if *index >= topology.scenarios.len() {
                return refuse(format!("there is no scenario number {index}"));
            }
            let scenario = topology.scenarios.remove(*index);
            topology.scenarios.insert(0, scenario);
        }
        Edit::MoveNodes(moved) => {
            let layout = layout_mut(topology);
            for (name, at) in moved {
                layout.nodes.insert(name.clone(), *at);
            }
        }
        Edit::ClearLayout => {
            if let Some(layout) = &mut topology.layout {
                layout.nodes.clear();
            }
            tidy_layout(topology);
        }
        Edit::SetCollapsedGroups(groups) => {
            layout_mut(topology).collapsed_groups = groups.clone();
            tidy_layout(topology);
        }
        Edit::SetGroupCollapsed { group, collapsed } => {
            let layout = layout_mut(topology);
            layout.collapsed_groups.retain(|g| g != group);
            if *collapsed {
                layout.collapsed_groups.push(group.clone());
            }
            tidy_layout(topology);
        }
    }
    Ok(capitalised(&edit.label()))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn layout_mut(topology: &mut Topology) -> &mut Layout {
    topology.layout.get_or_insert_with(Layout::default)
}

/// Drops an empty `layout` so that it is not written.
fn tidy_layout(topology: &mut Topology) {
    if topology
        .layout
        .as_ref()
        .is_some_and(|layout| *layout == Layout::default())
    {
        topology.layout = None;
    }
}

/// A name not used by any service: `base`, or `base-2`, `base-3`, …
pub fn unique_service_name(topology: &Topology, base: &str) -> String {
    let taken = |name: &str| topology.services.iter().any(|s| s.name == name);
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|i| format!("{base}-{i}"))
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_owned())
}

fn each_call_mut(topology: &mut Topology, mut f: impl FnMut(&mut Call)) {
    for service in &mut topology.services {
        let lists = std::iter::once(&mut service.calls)
            .chain(service.operations.iter_mut().map(|op| &mut op.calls));
        for list in lists {
            for spec in list.iter_mut() {
                spec.calls_mut().iter_mut().for_each(&mut f);
            }
        }
    }
}

fn rename_service(topology: &mut Topology, from: &str, to: &str) -> Result<String, EditError> {
    if to.trim().is_empty() {
        return refuse("a service needs a name");
    }
    if from == to {
        return Ok(String::new());
    }
    if topology.services.iter().any(|s| s.name == to) {
        return refuse(format!(
            "a service named {to} exists already; pick another name"
        ));
    }
    let Some(service) = topology.services.iter_mut().find(|s| s.name == from) else {
        return refuse(format!("there is no service {from}"));
    };
    service.name = to.to_owned();
    let rename = |name: &mut String| {
        if name == from {
            *name = to.to_owned();
        }
    };
    each_call_mut(topology, |call| rename(&mut call.to));
    topology
        .workload
        .iter_mut()
        .for_each(|entry| rename(&mut entry.to));
    for scenario in &mut topology.scenarios {
        for fault in &mut scenario.faults {
            match fault {
                Fault::Crash { service, .. }
                | Fault::Latency { service, .. }
                | Fault::Errors { service, .. } => rename(service),
                Fault::Partition { between, .. } => between.iter_mut().for_each(rename),
                Fault::ZoneOutage { .. } => {}
            }
        }
        scenario
            .scaling
            .iter_mut()
            .for_each(|step| rename(&mut step.service));
        scenario
            .overrides
            .iter_mut()
            .for_each(|o| rename(&mut o.service));
    }
    if let Some(layout) = &mut topology.layout
        && let Some(at) = layout.nodes.remove(from)
    {
        layout.nodes.insert(to.to_owned(), at);
    }
    Ok(format!("Renamed {from} to {to}"))
}

/// Removes calls to `to` from a calls list; returns how many.
fn remove_calls_to(list: &mut Vec<CallSpec>, to: &str) -> usize {
    let mut removed = 0;
    list.retain_mut(|spec| match spec {
        CallSpec::Single(call) => {
            let keep = call.to != to;
            removed += usize::from(!keep);
            keep
        }
        CallSpec::Parallel(calls) => {
            let before = calls.len();
            calls.retain(|call| call.to != to);
            removed += before - calls.len();
            !calls.is_empty()
        }
    });
    removed
}

fn delete_service(topology: &mut Topology, name: &str) -> Result<String, EditError> {
    let Some(index) = topology.services.iter().position(|s| s.name == name) else {
        return refuse(format!("there is no service {name}"));
    };
    topology.services.remove(index);
    let mut calls = 0;
    for service in &mut topology.services {
        calls += remove_calls_to(&mut service.calls, name);
        for op in &mut service.operations {
            calls += remove_calls_to(&mut op.calls, name);
        }
    }
    let entries_before = topology.workload.len();
    topology.workload.retain(|entry| entry.to != name);
    let entries = entries_before - topology.workload.len();
    let mut items = 0;
    for scenario in &mut topology.scenarios {
        let before = scenario.faults.len() + scenario.scaling.len() + scenario.overrides.len();
        scenario.faults.retain(|fault| match fault {
            Fault::Crash { service, .. }
            | Fault::Latency { service, .. }
            | Fault::Errors { service, .. } => service != name,
            Fault::Partition { between, .. } => !between.iter().any(|s| s == name),
            Fault::ZoneOutage { .. } => true,
        });
        scenario.scaling.retain(|step| step.service != name);
        scenario.overrides.retain(|o| o.service != name);
        items +=
            before - (scenario.faults.len() + scenario.scaling.len() + scenario.overrides.len());
    }
    if let Some(layout) = &mut topology.layout {
        layout.nodes.remove(name);
    }
    tidy_layout(topology);
    let mut summary = format!("Deleted {name}");
    for (count, one, many) in [
        (calls, "call", "calls"),
        (entries, "entry", "entries"),
        (items, "scenario item", "scenario items"),
    ] {
        if count > 0 {
            summary.push_str(&format!(
                ", {count} {}",
                if count == 1 { one } else { many }
            ));
        }
    }
    Ok(summary)
}

fn add_call(topology: &mut Topology, from: &str, to: &str) -> Result<String, EditError> {
    if from == to {
        return refuse(format!(
            "{from} cannot call itself; drag to another service"
        ));
    }
    // The call goes to the target's first operation ("default" when it has
    // no named operations).
    let Some(operation) = topology.services.iter().find(|s| s.name == to).map(|s| {
        s.operations.first().map_or_else(
            || crate::model::DEFAULT_OPERATION.to_owned(),
            |op| op.name.clone(),
        )
    }) else {
        return refuse(format!("there is no service {to}"));
    };
    let Some(service) = topology.services.iter_mut().find(|s| s.name == from) else {
        return refuse(format!("there is no service {from}"));
    };
    let list = match service.operations.first_mut() {
        Some(op) => &mut op.calls,
        None => &mut service.calls,
    };
    if list
        .iter()
        .any(|spec| spec.calls().iter().any(|call| call.to == to))
    {
        return refuse(format!(
            "{from} already calls {to}; change that call's count or probability in the inspector"
        ));
    }
    let mut call = Call::to(to);
    call.operation = operation;
    list.push(CallSpec::Single(call));
    Ok(format!("Added call {from} → {to}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Distribution, Entry, Scenario, Service};

    fn shop() -> Topology {
        let ms = |ms| Distribution::Constant { ms };
        let mut front = Service::new("front", ms(1.0));
        front.calls.push(CallSpec::Single(Call::to("cart")));
        front
            .calls
            .push(CallSpec::Parallel(vec![Call::to("cart"), Call::to("db")]));
        let mut cart = Service::new("cart", ms(2.0));
        cart.calls.push(CallSpec::Single(Call::to("db")));
        let mut scenario = Scenario::new("crash", 60.0);
        scenario.faults.push(Fault::Crash {
            service: "cart".into(),
            replicas: None,
            at_s: 1.0,
            duration_s: None,
        });
        Topology {
            archsim: 1,
            name: "shop".into(),
            description: None,
            services: vec![front, cart, Service::new("db", ms(3.0))],
            workload: vec![Entry {
                name: None,
                to: "front".into(),
                operation: "default".into(),
                rate_rps: 10.0,
                arrivals: Default::default(),
                extensions: Default::default(),
            }],
            scenarios: vec![scenario],
            slo: None,
            cost_per_replica_hour: None,
            currency: None,
            layout: None,
            extensions: Default::default(),
        }
    }

    #[test]
    fn rename_follows_every_reference() {
        let mut topology = shop();
        apply(
            &mut topology,
            &Edit::MoveNodes(vec![("cart".into(), Default::default())]),
        )
        .unwrap();
        apply(
            &mut topology,
            &Edit::RenameService {
                from: "cart".into(),
                to: "basket".into(),
            },
        )
        .unwrap();
        let text = crate::model::to_json_string(&topology);
        assert!(!text.contains("\"cart\""), "{text}");
        assert_eq!(text.matches("\"basket\"").count(), 5, "{text}");
    }

    #[test]
    fn rename_to_a_taken_name_is_refused() {
        let mut topology = shop();
        let err = apply(
            &mut topology,
            &Edit::RenameService {
                from: "cart".into(),
                to: "db".into(),
            },
        );
        assert!(err.is_err());
    }

    #[test]
    fn delete_removes_calls_entries_and_faults() {
        let mut topology = shop();
        let summary = apply(&mut topology, &Edit::DeleteService("cart".into())).unwrap();
        assert_eq!(summary, "Deleted cart, 2 calls, 1 scenario item");
        assert_eq!(topology.services.len(), 2);
        assert_eq!(
            topology.services[0].calls.len(),
            1,
            "the parallel group keeps db"
        );
        assert!(topology.scenarios[0].faults.is_empty());
    }

    #[test]
    fn add_call_refuses_self_and_duplicates() {
        let mut topology = shop();
        assert!(
            apply(
                &mut topology,
                &Edit::AddCall {
                    from: "db".into(),
                    to: "db".into()
                }
            )
            .is_err()
        );
        assert!(
            apply(
                &mut topology,
                &Edit::AddCall {
                    from: "cart".into(),
                    to: "db".into()
                }
            )
            .is_err()
        );
        apply(
            &mut topology,
            &Edit::AddCall {
                from: "db".into(),
                to: "front".into(),
            },
        )
        .unwrap();
        assert_eq!(topology.services[2].calls.len(), 1);
    }

    #[test]
    fn collapsing_and_expanding_leaves_no_empty_layout() {
        let mut topology = shop();
        apply(
            &mut topology,
            &Edit::SetGroupCollapsed {
                group: "g".into(),
                collapsed: true,
            },
        )
        .unwrap();
        assert_eq!(
            topology.layout.as_ref().unwrap().collapsed_groups,
            vec!["g".to_owned()]
        );
        apply(
            &mut topology,
            &Edit::SetGroupCollapsed {
                group: "g".into(),
                collapsed: false,
            },
        )
        .unwrap();
        assert_eq!(topology.layout, None);
    }
}
