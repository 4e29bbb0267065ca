//! docker-compose (v2, v3 and the compose specification): services,
//! replicas, and edges from `depends_on`, `links`, environment values that
//! name another service (also through `.env`, `env_file` and `${VAR}`
//! interpolation), `command:` and `entrypoint:` arguments and config files
//! mounted into the containers (`mounts`). Several files are overlaid in
//! order, as `docker compose -f a.yaml -f b.yaml` does.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod mounts;
mod overlay;

use overlay::{ComposeService, Configs, read_file};

use crate::import::draft::{Confidence, Draft, DraftService, Evidence, Guess};
use crate::import::hints;
use crate::import::interp::{self, Vars};
use crate::import::source::{self, Source};
use crate::import::value::as_count;

/// Imports compose files (overlaid in order) with the given dotenv sources.
/// A `.env` beside the first compose file is read too unless given.
pub fn import(files: &[&Source], env_sources: &[&Source]) -> Draft {
    let mut draft = Draft::default();
    let Some(first) = files.first() else {
        return draft;
    };
    let project_dir = first
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let (env, env_names) = project_env(&project_dir, env_sources, &mut draft);

    let mut services: Vec<ComposeService> = Vec::new();
    let mut configs = Configs::new();
    for file in files {
        read_file(file, &mut services, &mut configs, &mut draft);
    }

    let mut missing_vars: Vec<String> = Vec::new();
    let env_label = if env_names.is_empty() {
        "the environment".to_owned()
    } else {
        env_names.join(", ")
    };

    // Services first, so that edges can be matched against every name and alias.
    for service in &services {
        add_service(service, &env, &mut missing_vars, &mut draft);
    }
    warn_shared_aliases(&draft.services.clone(), &first.display_name(), &mut draft);
    for service in &services {
        add_edges(
            service,
            &project_dir,
            &env,
            &env_label,
            &mut missing_vars,
            &mut draft,
        );
    }
    mounts::add_edges(
        &services,
        &configs,
        &project_dir,
        &env,
        &mut missing_vars,
        &mut draft,
    );
    if !missing_vars.is_empty() {
        draft.warn(
            &first.display_name(),
            format!(
                "variables not set in {env_label} (they expand to nothing): {}",
                missing_vars.join(", ")
            ),
        );
    }
    draft
}

/// The variables compose interpolates from: `.env` beside the first file
/// (unless dotenv sources are given explicitly), then each dotenv source.
fn project_env(
    project_dir: &Path,
    env_sources: &[&Source],
    draft: &mut Draft,
) -> (Vars, Vec<String>) {
    let mut env = Vars::new();
    let mut names = Vec::new();
    let mut texts: Vec<(String, String)> = Vec::new();
    if env_sources.is_empty() {
        let default = project_dir.join(".env");
        if default.is_file() {
            match source::read_text(&default) {
                Ok(text) => texts.push((".env".to_owned(), text)),
                Err(err) => draft.warn(".env", format!("skipped: {err}")),
            }
        }
    }
    for env_source in env_sources {
        texts.push((env_source.display_name(), env_source.text.clone()));
    }
    for (name, text) in texts {
        let parsed = interp::parse_env_file(&text, &env);
        for (line, problem) in &parsed.problems {
            draft.warn(&format!("{name}:{line}"), format!("skipped: {problem}"));
        }
        draft.info(&name, format!("read {} variables", parsed.lines.len()));
        env.extend(parsed.vars());
        names.push(name);
    }
    (env, names)
}

fn interpolate(text: &str, env: &Vars, missing: &mut Vec<String>) -> String {
    let result = interp::interpolate(text, env);
    for name in result.missing {
        if !missing.contains(&name) {
            missing.push(name);
        }
    }
    result.text
}

fn add_service(service: &ComposeService, env: &Vars, missing: &mut Vec<String>, draft: &mut Draft) {
    let file = service.files.first().cloned().unwrap_or_default();
    let mut draft_service = DraftService::new(&service.name, &file);
    for other in service.files.iter().skip(1) {
        draft_service.sources.push(other.clone());
    }
    let image = service
        .image
        .as_ref()
        .map(|i| interpolate(&i.value, env, missing));
    draft_service.kind = hints::guess_kind(&service.name, image.as_deref());
    let (role, why) = hints::guess_role(&service.name, image.as_deref());
    draft_service.role = role;
    if let Some(why) = why {
        draft.info(
            &file,
            format!("{}: {} ({why})", service.name, role_label(role)),
        );
    }
    draft_service.image = image;
    for alias in [&service.hostname, &service.container_name]
        .into_iter()
        .flatten()
    {
        draft_service.add_alias(&interpolate(alias, env, missing));
    }
    for alias in &service.network_aliases {
        draft_service.add_alias(alias);
    }
    if let Some((_, otel)) = service
        .environment
        .iter()
        .find(|(k, _)| k == "OTEL_SERVICE_NAME")
    {
        let value = match &otel.value {
            Some(raw) => Some(interpolate(raw, env, missing)),
            None => env.get("OTEL_SERVICE_NAME").cloned(),
        };
        if let Some(value) = value {
            draft_service.add_alias(&value);
        }
    }
    if let Some(replicas) = &service.replicas {
        let value = match &replicas.value {
            Value::String(s) => Value::String(interpolate(s, env, missing)),
            other => other.clone(),
        };
        match as_count(&value) {
            Some(0) => draft.warn(
                &replicas.file,
                format!(
                    "{}: replicas is 0 (not started); imported with 1",
                    service.name
                ),
            ),
            Some(n) => {
                draft_service.replicas = Some(Guess::new(
                    n,
                    Confidence::High,
                    format!("{}: deploy.replicas", replicas.file),
                ))
            }
            None => draft.warn(
                &replicas.file,
                format!(
                    "{}: replicas is not a whole number; imported with 1",
                    service.name
                ),
            ),
        }
    }
    if let Some(port) = &service.published_port {
        draft_service.exposed = Some(format!(
            "publishes port {}",
            interpolate(port, env, missing)
        ));
    }
    if !service.profiles.is_empty() {
        draft.info(
            &file,
            format!(
                "{}: only started with profile {}; imported anyway",
                service.name,
                service.profiles.join(", ")
            ),
        );
    }
    draft.services.push(draft_service);
}

/// Host names several services claim (e.g. a copied `hostname:`) refer to
/// none of them; say so.
fn warn_shared_aliases(services: &[DraftService], file: &str, draft: &mut Draft) {
    let mut owners: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for service in services {
        for alias in &service.aliases {
            owners
                .entry(alias.as_str())
                .or_default()
                .push(service.name.as_str());
        }
    }
    for (alias, names) in owners {
        if names.len() > 1 {
            draft.warn(
                file,
                format!(
                    "host name `{alias}` is shared by {}; it is not used to match addresses",
                    names.join(", ")
                ),
            );
        }
    }
}

fn role_label(role: crate::import::draft::Role) -> &'static str {
    match role {
        crate::import::draft::Role::App => "application service",
        crate::import::draft::Role::Observability => "observability",
        crate::import::draft::Role::LoadGenerator => "load generator",
    }
}

fn add_edges(
    service: &ComposeService,
    project_dir: &Path,
    env: &Vars,
    env_label: &str,
    missing: &mut Vec<String>,
    draft: &mut Draft,
) {
    let name = &service.name;
    for dep in &service.depends_on {
        match draft.find(&dep.value) {
            Some(index) => {
                let to = draft.services[index].name.clone();
                let evidence = Evidence::new(
                    Confidence::High,
                    &dep.file,
                    format!("depends_on: {}", dep.value),
                );
                draft.add_edge(name, &to, evidence);
            }
            None => draft.warn(
                &dep.file,
                format!(
                    "{name}: depends_on names `{}`, which is not a service",
                    dep.value
                ),
            ),
        }
    }
    for link in &service.links {
        let (target, alias) = match link.value.split_once(':') {
            Some((target, alias)) => (target, Some(alias)),
            None => (link.value.as_str(), None),
        };
        match draft.find(target) {
            Some(index) => {
                if let Some(alias) = alias {
                    draft.services[index].add_alias(alias);
                }
                let to = draft.services[index].name.clone();
                let evidence = Evidence::new(
                    Confidence::High,
                    &link.file,
                    format!("links: {}", link.value),
                );
                draft.add_edge(name, &to, evidence);
            }
            None => draft.warn(
                &link.file,
                format!("{name}: links names `{target}`, which is not a service"),
            ),
        }
    }

    // Environment: the service's own entries, then its env_files.
    let mut values: Vec<(String, String, String, String)> = Vec::new(); // key, value, file, origin
    for (key, raw) in &service.environment {
        match &raw.value {
            Some(text) => {
                let result = interp::interpolate(text, env);
                for name in &result.missing {
                    if !missing.contains(name) {
                        missing.push(name.clone());
                    }
                }
                let origin = if result.used.is_empty() {
                    String::new()
                } else {
                    format!(" (${{{}}} from {env_label})", result.used.join("}, ${"))
                };
                values.push((key.clone(), result.text, raw.file.clone(), origin));
            }
            None => {
                if let Some(value) = env.get(key) {
                    values.push((
                        key.clone(),
                        value.clone(),
                        raw.file.clone(),
                        format!(" (value from {env_label})"),
                    ));
                }
            }
        }
    }
    for env_file in &service.env_files {
        let path_text = interpolate(&env_file.value, env, missing);
        let path = resolve(project_dir, &path_text);
        match source::read_text(&path) {
            Ok(text) => {
                draft.files_read.push(path.clone());
                let parsed = interp::parse_env_file(&text, env);
                for line in parsed.lines {
                    let origin = format!(" (env_file {path_text}:{})", line.line);
                    values.push((line.key, line.value, env_file.file.clone(), origin));
                }
            }
            Err(err) => draft.warn(&env_file.file, format!("{name}: env_file skipped: {err}")),
        }
    }
    for (key, value, file, origin) in values {
        for (host, form) in hints::hosts_in_value(&value, hints::is_address_name(&key)) {
            match find_host(draft, &host) {
                Some(to) => {
                    let detail = format!("environment {key}={value}{origin} ({})", form.as_str());
                    draft.add_edge(name, &to, Evidence::new(Confidence::Medium, &file, detail));
                }
                None if hints::is_address_name(&key) && form != hints::HostForm::Bare => draft
                    .info(
                        &file,
                        format!(
                            "{name}: {key} names `{host}`, which is not a service here; no edge"
                        ),
                    ),
                None => {}
            }
        }
    }

    // The entrypoint's first word is the program, not an address.
    let arguments = [
        ("command", &service.command, 0),
        ("entrypoint", &service.entrypoint, 1),
    ];
    for (what, args, skip) in arguments {
        let Some(command) = args else {
            continue;
        };
        for arg in command.value.iter().skip(skip) {
            let arg = interpolate(arg, env, missing);
            for (host, form) in hints::hosts_in_argument(&arg) {
                if let Some(to) = find_host(draft, &host) {
                    let confidence = if form == hints::HostForm::Bare {
                        Confidence::Low
                    } else {
                        Confidence::Medium
                    };
                    let detail = format!(
                        "{what} argument `{}` ({})",
                        hints::shorten(&arg),
                        form.as_str()
                    );
                    draft.add_edge(name, &to, Evidence::new(confidence, &command.file, detail));
                }
            }
        }
    }
}

/// The service a host name refers to, by name or alias.
pub(super) fn find_host(draft: &Draft, host: &str) -> Option<String> {
    hints::host_candidates(host)
        .iter()
        .find_map(|candidate| {
            draft.find(candidate).or_else(|| {
                draft
                    .services
                    .iter()
                    .position(|s| s.name.eq_ignore_ascii_case(candidate))
            })
        })
        .map(|index| draft.services[index].name.clone())
}

fn resolve(dir: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_owned()
    } else {
        dir.join(path)
    }
}
