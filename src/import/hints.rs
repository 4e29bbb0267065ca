//! Heuristics shared by the compose and Kubernetes importers: the kind of a
//! service from its image or name, observability and load-generator roles,
//! and host names found in environment values and command-line arguments.

use crate::model::ServiceKind;

use super::draft::{Confidence, Guess, Role};

/// Image or name words that say what kind of service it is.
const KIND_WORDS: &[(ServiceKind, &[&str])] = &[
    (
        ServiceKind::Database,
        &[
            "postgres",
            "postgresql",
            "postgis",
            "mysql",
            "mariadb",
            "mongo",
            "mongodb",
            "cassandra",
            "scylla",
            "scylladb",
            "cockroach",
            "cockroachdb",
            "couchdb",
            "couchbase",
            "neo4j",
            "influxdb",
            "clickhouse",
            "timescaledb",
            "mssql",
            "sqlserver",
            "elasticsearch",
            "db",
        ],
    ),
    (
        ServiceKind::Cache,
        &[
            "redis",
            "memcached",
            "valkey",
            "keydb",
            "dragonfly",
            "hazelcast",
            "varnish",
        ],
    ),
    (
        ServiceKind::Queue,
        &[
            "kafka",
            "rabbitmq",
            "nats",
            "activemq",
            "artemis",
            "pulsar",
            "redpanda",
            "nsq",
            "mosquitto",
            "emqx",
        ],
    ),
    (
        ServiceKind::Gateway,
        &[
            "nginx",
            "envoy",
            "traefik",
            "haproxy",
            "openresty",
            "kong",
            "caddy",
            "apisix",
            "gateway",
            "ingressgateway",
            "ingress",
            "proxy",
            "router",
            "loadbalancer",
        ],
    ),
];

/// Words that mark telemetry plumbing.
const OBSERVABILITY_WORDS: &[&str] = &[
    "otelcol",
    "jaeger",
    "zipkin",
    "prometheus",
    "grafana",
    "loki",
    "tempo",
    "alertmanager",
    "cadvisor",
    "opamp",
    "fluentd",
    "logstash",
    "kibana",
    "promtail",
    "telegraf",
];

/// Word pairs that mark telemetry plumbing.
const OBSERVABILITY_PAIRS: &[(&str, &str)] = &[
    ("otel", "collector"),
    ("opentelemetry", "collector"),
    ("node", "exporter"),
    ("fluent", "bit"),
];

/// Words that mark a load generator.
const LOADGEN_WORDS: &[&str] = &[
    "loadgenerator",
    "loadgen",
    "locust",
    "k6",
    "jmeter",
    "gatling",
    "vegeta",
    "artillery",
    "wrk",
    "loadtest",
];

/// Word pairs that mark a load generator.
const LOADGEN_PAIRS: &[(&str, &str)] = &[
    ("load", "generator"),
    ("load", "test"),
    ("load", "tester"),
    ("user", "sim"),
    ("user", "simulator"),
    ("traffic", "generator"),
];

/// Words in a service name that suggest it is where users come in.
const FRONTEND_WORDS: &[&str] = &[
    "frontend", "front", "ui", "web", "webapp", "portal", "www", "edge", "api",
];

/// Lower-case alphanumeric words of a name or image reference.
pub fn words(text: &str) -> Vec<String> {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The words of an image's repository name and tag, without registry,
/// organisation and digest: `ghcr.io/open-telemetry/demo:latest-kafka` →
/// `demo latest kafka`. (The organisation says who publishes an image, not
/// what it runs: `jaegertracing/example-hotrod` is an application.)
pub fn image_words(image: &str) -> Vec<String> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let mut list = words(last);
    // Jaeger's all-in-one image is named after the project only by its organisation.
    if without_digest.contains("jaegertracing/all-in-one") {
        list.push("jaeger".to_owned());
    }
    list
}

fn has_pair(words: &[String], pairs: &[(&str, &str)]) -> Option<String> {
    words.windows(2).find_map(|w| {
        pairs
            .iter()
            .find(|(a, b)| w[0] == *a && w[1] == *b)
            .map(|(a, b)| format!("{a}-{b}"))
    })
}

fn kind_from_words(words: &[String]) -> Option<(ServiceKind, String)> {
    KIND_WORDS.iter().find_map(|(kind, list)| {
        words
            .iter()
            .find(|w| list.contains(&w.as_str()))
            .map(|w| (*kind, w.clone()))
    })
}

/// The kind of a service from its image (medium confidence) or, failing
/// that, its name (low confidence). `None` means a plain service.
pub fn guess_kind(name: &str, image: Option<&str>) -> Option<Guess<ServiceKind>> {
    if let Some(image) = image
        && let Some((kind, word)) = kind_from_words(&image_words(image))
    {
        return Some(Guess::new(
            kind,
            Confidence::Medium,
            format!("image {image} (\"{word}\")"),
        ));
    }
    kind_from_words(&words(name))
        .map(|(kind, word)| Guess::new(kind, Confidence::Low, format!("name {name} (\"{word}\")")))
}

/// The role of a service from its name and image, with the reason.
pub fn guess_role(name: &str, image: Option<&str>) -> (Role, Option<String>) {
    let name_words = words(name);
    let image_words = image.map(image_words).unwrap_or_default();
    for (what, list) in [("name", &name_words), ("image", &image_words)] {
        let found = list
            .iter()
            .find(|w| LOADGEN_WORDS.contains(&w.as_str()))
            .cloned()
            .or_else(|| has_pair(list, LOADGEN_PAIRS));
        if let Some(word) = found {
            return (Role::LoadGenerator, Some(format!("{what} has \"{word}\"")));
        }
    }
    for (what, list) in [("name", &name_words), ("image", &image_words)] {
        let found = list
            .iter()
            .find(|w| OBSERVABILITY_WORDS.contains(&w.as_str()))
            .cloned()
            .or_else(|| has_pair(list, OBSERVABILITY_PAIRS));
        if let Some(word) = found {
            return (Role::Observability, Some(format!("{what} has \"{word}\"")));
        }
    }
    (Role::App, None)
}

/// True when a service's name suggests users' requests come in there.
pub fn frontend_like(name: &str) -> bool {
    words(name)
        .iter()
        .any(|w| FRONTEND_WORDS.contains(&w.as_str()))
}

/// Suffixes of environment variable names that hold an address.
const ADDRESS_SUFFIXES: &[&str] = &[
    "ADDR",
    "ADDRS",
    "ADDRESS",
    "ADDRESSES",
    "HOST",
    "HOSTS",
    "HOSTNAME",
    "URL",
    "URLS",
    "URI",
    "URIS",
    "ENDPOINT",
    "ENDPOINTS",
    "SERVER",
    "SERVERS",
    "BROKER",
    "BROKERS",
    "DSN",
    "TARGET",
    "SERVICE",
    "SVC",
];

/// True when a variable's name says it holds an address (`*_ADDR`, `*_HOST`,
/// `*_URL`, ...).
pub fn is_address_name(var: &str) -> bool {
    let upper = var.to_ascii_uppercase();
    let last = upper.rsplit(['_', '-', '.']).next().unwrap_or(&upper);
    ADDRESS_SUFFIXES.contains(&last)
}

/// How a host name was found in a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostForm {
    Url,
    HostPort,
    UserAtHost,
    KeyValue,
    Bare,
}

impl HostForm {
    pub fn as_str(self) -> &'static str {
        match self {
            HostForm::Url => "URL",
            HostForm::HostPort => "host:port",
            HostForm::UserAtHost => "user@host",
            HostForm::KeyValue => "host=",
            HostForm::Bare => "host name",
        }
    }
}

/// Host names found in a value: in URLs (`scheme://user@host:port/path`),
/// `host:port`, `user:pass@host/db`, `Host=name` pairs and, when
/// `bare_allowed` (the variable's name says it is an address), a bare name.
/// Lists separated by `,`, `;` or spaces are searched item by item.
pub fn hosts_in_value(value: &str, bare_allowed: bool) -> Vec<(String, HostForm)> {
    let mut found: Vec<(String, HostForm)> = Vec::new();
    for part in value
        .split([',', ';', ' ', '\t', '\n'])
        .filter(|p| !p.is_empty())
    {
        if let Some((host, form)) = host_in_part(part, bare_allowed)
            && !found.iter().any(|(h, _)| *h == host)
        {
            found.push((host, form));
        }
    }
    found
}

fn host_in_part(part: &str, bare_allowed: bool) -> Option<(String, HostForm)> {
    if let Some(index) = part.find("://") {
        let rest = &part[index + 3..];
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let host_port = authority.rsplit('@').next().unwrap_or(authority);
        return clean_host(strip_port(host_port)).map(|h| (h, HostForm::Url));
    }
    if let Some((key, value)) = part.split_once('=') {
        let key_is_word = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !key_is_word {
            return None;
        }
        let key_says_host = matches!(
            key.trim_start_matches('-').to_ascii_lowercase().as_str(),
            "host" | "hostname" | "server" | "data source" | "address" | "addr"
        );
        return host_in_part(value, key_says_host || bare_allowed).map(|(h, form)| {
            (
                h,
                if form == HostForm::Bare {
                    HostForm::KeyValue
                } else {
                    form
                },
            )
        });
    }
    if let Some((_, after)) = part.rsplit_once('@') {
        let host_port = after.split('/').next().unwrap_or(after);
        return clean_host(strip_port(host_port)).map(|h| (h, HostForm::UserAtHost));
    }
    let no_path = part.split('/').next().unwrap_or(part);
    if let Some((host, port)) = no_path.rsplit_once(':') {
        if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) {
            return clean_host(host).map(|h| (h, HostForm::HostPort));
        }
        return None;
    }
    if bare_allowed {
        return clean_host(no_path).map(|h| (h, HostForm::Bare));
    }
    None
}

fn strip_port(host_port: &str) -> &str {
    if host_port.starts_with('[') {
        return "";
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_port,
    }
}

/// A plausible DNS name of another machine, lower-cased; IP addresses,
/// wildcards and `localhost` are not.
fn clean_host(host: &str) -> Option<String> {
    let host = host.trim_matches(|c: char| c == '"' || c == '\'');
    let plausible = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && host.chars().any(|c| c.is_ascii_alphabetic())
        && !host.starts_with(['-', '.'])
        && !host.eq_ignore_ascii_case("localhost");
    plausible.then(|| host.to_ascii_lowercase())
}

/// The names a host may refer to: itself and, for a dotted name, its first
/// label (`cart.shop.svc.cluster.local` → `cart`).
pub fn host_candidates(host: &str) -> Vec<String> {
    let mut names = vec![host.to_owned()];
    if let Some((first, _)) = host.split_once('.')
        && !first.is_empty()
    {
        names.push(first.to_owned());
    }
    names
}

/// Host names in one command-line argument: a URL or `host:port` anywhere
/// in it; a bare name only when it is the whole argument (or the value of
/// `--flag=value`), not a word of a longer script.
pub fn hosts_in_argument(arg: &str) -> Vec<(String, HostForm)> {
    let single_word = !arg.trim().contains(char::is_whitespace);
    hosts_in_value(arg, single_word)
        .into_iter()
        .filter(|(_, form)| single_word || *form != HostForm::Bare)
        .collect()
}

/// An argument or value shortened for messages (first line, ≤ 60 characters).
pub fn shorten(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or("");
    let mut short: String = first_line.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// Splits a shell-like command string into arguments (quotes group words).
pub fn split_command(command: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_arg = false;
    for c in command.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_arg = true;
            }
            None if c.is_whitespace() => {
                if in_arg {
                    args.push(std::mem::take(&mut current));
                    in_arg = false;
                }
            }
            None => {
                current.push(c);
                in_arg = true;
            }
        }
    }
    if in_arg {
        args.push(current);
    }
    args
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn hosts(value: &str, bare: bool) -> Vec<String> {
        hosts_in_value(value, bare)
            .into_iter()
            .map(|(h, _)| h)
            .collect()
    }

    #[test]
    fn kinds_from_images_and_names() {
        let kind = |name: &str, image: Option<&str>| {
            guess_kind(name, image).map(|g| (g.value, g.confidence))
        };
        assert_eq!(
            kind("db", Some("postgres:18.4")),
            Some((ServiceKind::Database, Confidence::Medium))
        );
        assert_eq!(
            kind(
                "valkey-cart",
                Some("ghcr.io/valkey-io/valkey:9.0.4-alpine3.23")
            ),
            Some((ServiceKind::Cache, Confidence::Medium))
        );
        assert_eq!(
            kind("kafka", Some("ghcr.io/open-telemetry/demo:latest-kafka")),
            Some((ServiceKind::Queue, Confidence::Medium))
        );
        assert_eq!(
            kind("x", Some("nginx")),
            Some((ServiceKind::Gateway, Confidence::Medium))
        );
        assert_eq!(
            kind("user-db", None),
            Some((ServiceKind::Database, Confidence::Low))
        );
        assert_eq!(
            kind("frontend-proxy", None),
            Some((ServiceKind::Gateway, Confidence::Low))
        );
        assert_eq!(kind("cart", Some("shop/cart:1.0")), None);
        // The registry host and organisation do not count.
        assert_eq!(kind("x", Some("redis.example.com/team/app:1")), None);
        assert_eq!(kind("x", Some("postgres-team/app:1")), None);
    }

    #[test]
    fn roles() {
        assert_eq!(guess_role("otel-collector", None).0, Role::Observability);
        assert_eq!(
            guess_role("x", Some("jaegertracing/all-in-one:latest")).0,
            Role::Observability
        );
        assert_eq!(
            guess_role("hotrod", Some("jaegertracing/example-hotrod:latest")).0,
            Role::App
        );
        assert_eq!(guess_role("loadgenerator", None).0, Role::LoadGenerator);
        assert_eq!(
            guess_role("user-sim", Some("weaveworksdemos/load-test:0.1.1")).0,
            Role::LoadGenerator
        );
        assert_eq!(guess_role("load-generator", None).0, Role::LoadGenerator);
        assert_eq!(guess_role("cart", Some("shop/cart")).0, Role::App);
    }

    #[test]
    fn address_names() {
        assert!(is_address_name("PRODUCT_CATALOG_SERVICE_ADDR"));
        assert!(is_address_name("POSTGRES_HOST"));
        assert!(is_address_name("K6_TARGET_URL"));
        assert!(!is_address_name("OTEL_SERVICE_NAME"));
        assert!(!is_address_name("PORT"));
    }

    #[test]
    fn hosts_in_values() {
        assert_eq!(
            hosts("productcatalogservice:3550", false),
            ["productcatalogservice"]
        );
        assert_eq!(hosts("http://quote:8090", false), ["quote"]);
        assert_eq!(
            hosts(
                "postgres://user:pw@astronomy-db/astronomy_db?sslmode=disable",
                false
            ),
            ["astronomy-db"]
        );
        assert_eq!(
            hosts("Host=astronomy-db;Username=u;Password=p", false),
            ["astronomy-db"]
        );
        assert_eq!(
            hosts("kafka-1:9092,kafka-2:9092", false),
            ["kafka-1", "kafka-2"]
        );
        assert_eq!(hosts("user:pw@mongo:27017/db", false), ["mongo"]);
        assert_eq!(hosts("flagd", true), ["flagd"]);
        assert!(hosts("flagd", false).is_empty());
        assert!(hosts("http://0.0.0.0:8080", false).is_empty());
        assert!(hosts("10.0.0.1:80", false).is_empty());
        assert!(hosts("-Xmx400m -Xms400m", false).is_empty());
        assert!(hosts("service.namespace=demo,service.version=1.0", false).is_empty());
        assert!(hosts("http://[::1]:80/", false).is_empty());
    }

    #[test]
    fn commands() {
        assert_eq!(
            split_command("-d 60 -h 'edge router' x"),
            ["-d", "60", "-h", "edge router", "x"]
        );
        assert_eq!(
            host_candidates("cart.shop.svc.cluster.local"),
            ["cart.shop.svc.cluster.local", "cart"]
        );
    }
}
