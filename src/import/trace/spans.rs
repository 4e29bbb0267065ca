//! Reading spans from Jaeger JSON (`{"data":[trace...]}`, a bare trace
//! object, or a list of traces) and OTLP JSON (`{"resourceSpans":[...]}`,
//! also wrapped as `{"result":{...}}`) into one common [`Span`] type.

use serde_json::Value;

use crate::import::value::{as_count, scalar_text};

/// What a span represents, as far as the importer cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Server,
    Client,
    Producer,
    Consumer,
    Internal,
    Unspecified,
}

impl SpanKind {
    fn from_text(text: &str) -> SpanKind {
        match text.to_ascii_lowercase().trim_start_matches("span_kind_") {
            "server" => SpanKind::Server,
            "client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            "internal" => SpanKind::Internal,
            _ => SpanKind::Unspecified,
        }
    }

    fn from_otlp_number(n: u64) -> SpanKind {
        match n {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    /// True for spans that call out of their process.
    pub fn is_outgoing(self) -> bool {
        matches!(self, SpanKind::Client | SpanKind::Producer)
    }
}

/// One span, whatever format it came from. Times are in nanoseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub trace_id: String,
    pub span_id: String,
    pub parent_id: Option<String>,
    /// The parent reference is `FOLLOWS_FROM` (asynchronous).
    pub follows_from: bool,
    pub service: String,
    pub name: String,
    pub kind: SpanKind,
    pub start_ns: u64,
    pub end_ns: u64,
    /// `peer.service`: for outgoing spans, the service called.
    pub peer_service: Option<String>,
    /// `db.system` / `messaging.system`, when the span says it talks to one.
    pub db_system: Option<String>,
    pub messaging_system: Option<String>,
    /// The file the span came from (file name).
    pub source: String,
}

/// Spans of one file, and how many spans had to be skipped and why.
#[derive(Debug, Default)]
pub struct Parsed {
    pub spans: Vec<Span>,
    pub skipped: Vec<String>,
}

/// The service of spans whose source names none (OpenTelemetry's own
/// default for a missing `service.name`).
const UNKNOWN_SERVICE: &str = "unknown_service";

/// The name of spans whose source gives none or an empty one.
const UNNAMED_SPAN: &str = "unnamed";

/// `text`, or `default` when it is empty or blank: a topology needs
/// non-empty service and operation names.
fn or_default_name(text: Option<String>, default: &str) -> String {
    text.filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn id_text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(scalar_text)
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty() && s.chars().any(|c| c != '0'))
}

/// Jaeger JSON: `{"data": [trace, ...]}`, one trace object, or a list of traces.
pub fn parse_jaeger(root: &Value, source: &str) -> Result<Parsed, String> {
    let traces: Vec<&Value> = if let Some(data) = root.get("data") {
        match data {
            Value::Array(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => return Err("`data` is not a list of traces".to_owned()),
        }
    } else if let Value::Array(items) = root {
        items.iter().collect()
    } else if root.get("spans").is_some() {
        vec![root]
    } else {
        return Err("expected {\"data\": [...]} or a trace object with \"spans\"".to_owned());
    };
    let mut parsed = Parsed::default();
    for trace in traces {
        let processes = trace.get("processes");
        let Some(spans) = trace.get("spans").and_then(Value::as_array) else {
            parsed
                .skipped
                .push("a trace without a `spans` list".to_owned());
            continue;
        };
        for span in spans {
            match jaeger_span(span, processes, source) {
                Ok(span) => parsed.spans.push(span),
                Err(why) => parsed.skipped.push(why),
            }
        }
    }
    Ok(parsed)
}

fn jaeger_tag<'a>(span: &'a Value, key: &str) -> Option<&'a Value> {
    span.get("tags")?
        .as_array()?
        .iter()
        .find(|t| t.get("key").and_then(Value::as_str) == Some(key))?
        .get("value")
}

fn jaeger_span(span: &Value, processes: Option<&Value>, source: &str) -> Result<Span, String> {
    let span_id = id_text(span.get("spanID")).ok_or("a span without spanID")?;
    let trace_id =
        id_text(span.get("traceID")).ok_or_else(|| format!("span {span_id} has no traceID"))?;
    let service = span
        .get("process")
        .and_then(|p| p.get("serviceName"))
        .or_else(|| {
            let pid = span.get("processID")?.as_str()?;
            processes?.get(pid)?.get("serviceName")
        })
        .and_then(Value::as_str)
        .ok_or_else(|| format!("span {span_id} has no process with a serviceName"))?;
    let name = or_default_name(
        span.get("operationName").and_then(scalar_text),
        UNNAMED_SPAN,
    );
    let start_us = span
        .get("startTime")
        .and_then(as_count)
        .ok_or_else(|| format!("span {span_id} has no startTime"))?;
    let duration_us = span.get("duration").and_then(as_count).unwrap_or(0);
    let references: Vec<&Value> = span
        .get("references")
        .and_then(Value::as_array)
        .map(|r| r.iter().collect())
        .unwrap_or_default();
    let reference = references
        .iter()
        .find(|r| r.get("refType").and_then(Value::as_str) == Some("CHILD_OF"))
        .or_else(|| references.first());
    let (parent_id, follows_from) = match reference {
        Some(r) => (
            id_text(r.get("spanID")),
            r.get("refType").and_then(Value::as_str) == Some("FOLLOWS_FROM"),
        ),
        None => (id_text(span.get("parentSpanID")), false),
    };
    // A blank tag says nothing (and would name a service "").
    let tag_text = |key: &str| {
        jaeger_tag(span, key)
            .and_then(scalar_text)
            .filter(|t| !t.trim().is_empty())
    };
    Ok(Span {
        trace_id,
        span_id,
        parent_id,
        follows_from,
        service: or_default_name(Some(service.to_owned()), UNKNOWN_SERVICE),
        name,
        kind: tag_text("span.kind")
            .map(|k| SpanKind::from_text(&k))
            .unwrap_or(SpanKind::Unspecified),
        start_ns: start_us.saturating_mul(1000),
        end_ns: start_us.saturating_add(duration_us).saturating_mul(1000),
        peer_service: tag_text("peer.service"),
        db_system: tag_text("db.system"),
        messaging_system: tag_text("messaging.system"),
        source: source.to_owned(),
    })
}

/// An OTLP `AnyValue` (`{"stringValue": ...}`, `{"intValue": ...}`, ...) as text.
fn any_value_text(value: &Value) -> Option<String> {
    ["stringValue", "intValue", "doubleValue", "boolValue"]
        .iter()
        .find_map(|k| value.get(*k))
        .and_then(scalar_text)
}

fn otlp_attribute(attributes: Option<&Value>, key: &str) -> Option<String> {
    attributes?
        .as_array()?
        .iter()
        .find(|a| a.get("key").and_then(Value::as_str) == Some(key))
        .and_then(|a| a.get("value"))
        .and_then(any_value_text)
        // A blank attribute says nothing (and would name a service "").
        .filter(|t| !t.trim().is_empty())
}

/// OTLP JSON: `{"resourceSpans": [...]}`, also inside `{"result": {...}}`.
pub fn parse_otlp(root: &Value, source: &str) -> Result<Parsed, String> {
    let body = root
        .get("result")
        .filter(|r| r.get("resourceSpans").is_some())
        .unwrap_or(root);
    let resource_spans = match body.get("resourceSpans") {
        Some(Value::Array(items)) => items,
        Some(Value::Null) => return Ok(Parsed::default()),
        _ => return Err("expected {\"resourceSpans\": [...]}".to_owned()),
    };
    let mut parsed = Parsed::default();
    for resource_span in resource_spans {
        let resource_attributes = resource_span
            .get("resource")
            .and_then(|r| r.get("attributes"));
        let service = or_default_name(
            otlp_attribute(resource_attributes, "service.name"),
            UNKNOWN_SERVICE,
        );
        let scopes = resource_span
            .get("scopeSpans")
            .or_else(|| resource_span.get("instrumentationLibrarySpans"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for scope in scopes {
            for span in scope
                .get("spans")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match otlp_span(span, &service, source) {
                    Ok(span) => parsed.spans.push(span),
                    Err(why) => parsed.skipped.push(why),
                }
            }
        }
    }
    Ok(parsed)
}

fn otlp_span(span: &Value, service: &str, source: &str) -> Result<Span, String> {
    let span_id = id_text(span.get("spanId")).ok_or("a span without spanId")?;
    let trace_id =
        id_text(span.get("traceId")).ok_or_else(|| format!("span {span_id} has no traceId"))?;
    let start_ns = span
        .get("startTimeUnixNano")
        .and_then(as_count)
        .ok_or_else(|| format!("span {span_id} has no startTimeUnixNano"))?;
    let end_ns = span
        .get("endTimeUnixNano")
        .and_then(as_count)
        .unwrap_or(start_ns)
        .max(start_ns);
    let kind = match span.get("kind") {
        Some(Value::String(text)) => SpanKind::from_text(text),
        Some(other) => as_count(other)
            .map(SpanKind::from_otlp_number)
            .unwrap_or(SpanKind::Unspecified),
        None => SpanKind::Unspecified,
    };
    let attributes = span.get("attributes");
    Ok(Span {
        trace_id,
        span_id,
        parent_id: id_text(span.get("parentSpanId")),
        follows_from: false,
        service: service.to_owned(),
        name: or_default_name(span.get("name").and_then(scalar_text), UNNAMED_SPAN),
        kind,
        start_ns,
        end_ns,
        peer_service: otlp_attribute(attributes, "peer.service"),
        db_system: otlp_attribute(attributes, "db.system")
            .or_else(|| otlp_attribute(attributes, "db.system.name")),
        messaging_system: otlp_attribute(attributes, "messaging.system"),
        source: source.to_owned(),
    })
}
