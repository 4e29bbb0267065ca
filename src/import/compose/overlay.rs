//! Reading compose files into one service list: each file's services,
//! normalised (list and map forms of `environment` and `depends_on`), laid
//! over what earlier files said, as `docker compose -f a -f b` does.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::import::draft::Draft;
use crate::import::hints;
use crate::import::source::Source;
use crate::import::value::{scalar_text, shape};

/// A value and the file that set it.
#[derive(Debug, Clone)]
pub(super) struct Sourced<T> {
    pub(super) value: T,
    pub(super) file: String,
}

/// One compose service after overlaying every file, still uninterpolated.
#[derive(Debug, Clone, Default)]
pub(super) struct ComposeService {
    pub(super) name: String,
    pub(super) files: Vec<String>,
    pub(super) image: Option<Sourced<String>>,
    pub(super) hostname: Option<String>,
    pub(super) container_name: Option<String>,
    /// `KEY` → raw value (`None`: pass-through from the project environment).
    pub(super) environment: Vec<(String, Sourced<Option<String>>)>,
    pub(super) env_files: Vec<Sourced<String>>,
    pub(super) depends_on: Vec<Sourced<String>>,
    pub(super) links: Vec<Sourced<String>>,
    pub(super) command: Option<Sourced<Vec<String>>>,
    /// `entrypoint:`, split into arguments (the first is the program).
    pub(super) entrypoint: Option<Sourced<Vec<String>>>,
    /// Names of the top-level `configs:` the service mounts.
    pub(super) configs: Vec<Sourced<String>>,
    /// Host paths of bind mounts (`./app.properties:/app/...`), uninterpolated.
    pub(super) bind_mounts: Vec<Sourced<String>>,
    pub(super) replicas: Option<Sourced<Value>>,
    pub(super) published_port: Option<String>,
    pub(super) network_aliases: Vec<String>,
    pub(super) profiles: Vec<String>,
}

/// Top-level `configs:` by name: the host file each stands for (only those
/// with `file:`), as the last file that defined it says.
pub(super) type Configs = BTreeMap<String, Sourced<String>>;

/// Reads one file's services into `services` (and its top-level `configs:`
/// into `configs`), laying them over what earlier files defined.
pub(super) fn read_file(
    file: &Source,
    services: &mut Vec<ComposeService>,
    configs: &mut Configs,
    draft: &mut Draft,
) {
    let name = file.display_name();
    let Some(doc) = file.documents.first() else {
        draft.warn(&name, "the file is empty");
        return;
    };
    if file.documents.len() > 1 {
        draft.warn(
            &name,
            "only the first YAML document of a compose file is read",
        );
    }
    if let Some(Value::Object(defs)) = doc.get("configs") {
        for (config, def) in defs {
            if let Some(path) = def.get("file").and_then(scalar_text) {
                configs.insert(config.clone(), sourced(&name, path));
            }
        }
    }
    let defs = match doc.get("services") {
        Some(Value::Object(defs)) => defs,
        Some(Value::Null) | None => {
            draft.warn(
                &name,
                "no `services:` mapping; nothing imported from this file",
            );
            return;
        }
        Some(other) => {
            draft.warn(
                &name,
                format!("`services` is {}, expected a mapping", shape(other)),
            );
            return;
        }
    };
    for (service_name, def) in defs {
        let empty = Map::new();
        let def = match def {
            Value::Object(def) => def,
            Value::Null => &empty,
            other => {
                draft.warn(
                    &name,
                    format!(
                        "services.{service_name} is {}, expected a mapping; skipped",
                        shape(other)
                    ),
                );
                continue;
            }
        };
        let index = match services.iter().position(|s| s.name == *service_name) {
            Some(index) => index,
            None => {
                services.push(ComposeService {
                    name: service_name.clone(),
                    ..ComposeService::default()
                });
                services.len() - 1
            }
        };
        overlay(&mut services[index], def, &name, draft);
    }
}

/// Applies one file's definition of a service over what earlier files said.
fn overlay(service: &mut ComposeService, def: &Map<String, Value>, file: &str, draft: &mut Draft) {
    let service_name = service.name.clone();
    let at = |key: &str| format!("services.{service_name}.{key}");
    if !service.files.iter().any(|f| f == file) {
        service.files.push(file.to_owned());
    }
    if let Some(image) = def.get("image").and_then(scalar_text) {
        service.image = Some(sourced(file, image));
    }
    if let Some(hostname) = def.get("hostname").and_then(scalar_text) {
        service.hostname = Some(hostname);
    }
    if let Some(container) = def.get("container_name").and_then(scalar_text) {
        service.container_name = Some(container);
    }
    match def.get("environment") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match scalar_text(item) {
                    Some(text) => {
                        let (key, value) = match text.split_once('=') {
                            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                            None => (text.clone(), None),
                        };
                        set_env(service, key, sourced(file, value));
                    }
                    None => draft.warn(
                        file,
                        format!("{}: skipped {} entry", at("environment"), shape(item)),
                    ),
                }
            }
        }
        Some(Value::Object(map)) => {
            for (key, value) in map {
                set_env(service, key.clone(), sourced(file, scalar_text(value)));
            }
        }
        Some(other) => draft.warn(
            file,
            format!("{} is {}; ignored", at("environment"), shape(other)),
        ),
    }
    match def.get("env_file") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let path = scalar_text(item).or_else(|| item.get("path").and_then(scalar_text));
                match path {
                    Some(path) => service.env_files.push(sourced(file, path)),
                    None => draft.warn(
                        file,
                        format!("{}: skipped {} entry", at("env_file"), shape(item)),
                    ),
                }
            }
        }
        Some(other) => match scalar_text(other) {
            Some(path) => service.env_files.push(sourced(file, path)),
            None => draft.warn(
                file,
                format!("{} is {}; ignored", at("env_file"), shape(other)),
            ),
        },
    }
    let depends: Vec<String> = match def.get("depends_on") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(scalar_text).collect(),
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        Some(other) => {
            draft.warn(
                file,
                format!("{} is {}; ignored", at("depends_on"), shape(other)),
            );
            Vec::new()
        }
    };
    for dep in depends {
        if !service.depends_on.iter().any(|d| d.value == dep) {
            service.depends_on.push(sourced(file, dep));
        }
    }
    if let Some(Value::Array(items)) = def.get("links") {
        for link in items.iter().filter_map(scalar_text) {
            service.links.push(sourced(file, link));
        }
    }
    if let Some(args) = def.get("command").and_then(|v| arguments(v, file)) {
        service.command = Some(args);
    }
    if let Some(args) = def.get("entrypoint").and_then(|v| arguments(v, file)) {
        service.entrypoint = Some(args);
    }
    if let Some(Value::Array(items)) = def.get("configs") {
        for item in items {
            // `- name` or `- {source: name, target: /path}`.
            let config = scalar_text(item).or_else(|| item.get("source").and_then(scalar_text));
            if let Some(config) = config
                && !service.configs.iter().any(|c| c.value == config)
            {
                service.configs.push(sourced(file, config));
            }
        }
    }
    if let Some(Value::Array(items)) = def.get("volumes") {
        for host in items.iter().filter_map(bind_source) {
            if !service.bind_mounts.iter().any(|m| m.value == host) {
                service.bind_mounts.push(sourced(file, host));
            }
        }
    }
    if let Some(replicas) = def.get("deploy").and_then(|d| d.get("replicas")) {
        service.replicas = Some(sourced(file, replicas.clone()));
    } else if let Some(scale) = def.get("scale") {
        service.replicas = Some(sourced(file, scale.clone()));
    }
    if let Some(Value::Array(ports)) = def.get("ports")
        && let Some(port) = ports.iter().find_map(published_port)
    {
        service.published_port = Some(port);
    }
    if let Some(Value::Object(networks)) = def.get("networks") {
        for network in networks.values() {
            if let Some(Value::Array(aliases)) = network.get("aliases") {
                service
                    .network_aliases
                    .extend(aliases.iter().filter_map(scalar_text));
            }
        }
    }
    if let Some(Value::Array(profiles)) = def.get("profiles") {
        service
            .profiles
            .extend(profiles.iter().filter_map(scalar_text));
    }
    if def.contains_key("extends") {
        draft.warn(
            file,
            format!(
                "{}: `extends` is not followed; only this file's fields are read",
                at("extends")
            ),
        );
    }
}

/// A `command:` or `entrypoint:` as arguments: a list as it is, a string
/// split as a shell would.
fn arguments(value: &Value, file: &str) -> Option<Sourced<Vec<String>>> {
    match value {
        Value::Null => None,
        Value::Array(items) => Some(sourced(
            file,
            items.iter().filter_map(scalar_text).collect(),
        )),
        other => scalar_text(other).map(|text| sourced(file, hints::split_command(&text))),
    }
}

/// The host path of a bind mount: `./conf/app.yaml:/etc/app.yaml[:ro]` or
/// `{type: bind, source: ./conf/app.yaml, ...}`. Named volumes (no `.`,
/// `/` or `$` in front) are not host paths; nor is `~/...` (the process
/// environment is not read).
fn bind_source(volume: &Value) -> Option<String> {
    let host = match volume {
        Value::Object(map) => {
            if map.get("type").and_then(scalar_text).as_deref() != Some("bind") {
                return None;
            }
            map.get("source").and_then(scalar_text)?
        }
        other => {
            let text = scalar_text(other)?;
            let (host, _) = text.split_once(':')?;
            host.to_owned()
        }
    };
    host.starts_with(['.', '/', '$']).then_some(host)
}

fn sourced<T>(file: &str, value: T) -> Sourced<T> {
    Sourced {
        value,
        file: file.to_owned(),
    }
}

fn set_env(service: &mut ComposeService, key: String, value: Sourced<Option<String>>) {
    match service.environment.iter_mut().find(|(k, _)| *k == key) {
        Some((_, existing)) => *existing = value,
        None => service.environment.push((key, value)),
    }
}

/// The host side of a published port (`"8080:80"`, `{published: 8080}`), if any.
fn published_port(port: &Value) -> Option<String> {
    match port {
        Value::Object(map) => map.get("published").and_then(scalar_text),
        other => {
            let text = scalar_text(other)?;
            let without_proto = text.split('/').next().unwrap_or(&text);
            let parts: Vec<&str> = without_proto.rsplitn(2, ':').collect();
            (parts.len() == 2).then(|| without_proto.to_owned())
        }
    }
}
