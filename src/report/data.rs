//! Data exports as CSV: the time series in long format (one row per
//! bucket and series), and the entries, services and edges tables of each
//! run (one row per entry/service/edge, nested fields flattened to
//! `latency_ms.p99`-style columns). Every file has a `scenario` column, so
//! the runs of several scenarios share one file.
//!
//! Columns come from the summary's own fields (through serde), so fields
//! the engine adds later show up without changes here. Numbers are written
//! exactly as in the JSON summary. Text that a spreadsheet would run as a
//! formula (starting with `= + - @`, tab or carriage return) gets a leading
//! `'`.

use serde::Serialize;
use serde_json::Value;

use super::{ReportError, Run};

/// The header of the time-series CSV.
pub const TIMESERIES_HEADER: [&str; 6] = ["scenario", "t_s", "kind", "name", "metric", "value"];

/// User text for a CSV cell: kept as is, except that a leading `= + - @`,
/// tab or carriage return gets a `'` so spreadsheets show it as text.
pub fn cell_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, ReportError> {
    let bytes = writer
        .into_inner()
        .map_err(|e| ReportError::Render(format!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ReportError::Render(format!("CSV is not UTF-8: {e}")))
}

fn csv_error(e: csv::Error) -> ReportError {
    ReportError::Render(format!("cannot write CSV: {e}"))
}

/// A JSON number or value as CSV text (numbers exactly as serde_json writes them).
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => cell_text(s),
        other => other.to_string(),
    }
}

/// The time series of every run: `scenario,t_s,kind,name,metric,value`,
/// kind `entry`, `service` or `edge` (name `caller -> callee`); per
/// series, one row per bucket.
pub fn timeseries_csv(runs: &[Run]) -> Result<String, ReportError> {
    let mut w = writer();
    w.write_record(TIMESERIES_HEADER).map_err(csv_error)?;
    for run in runs {
        let s = &run.summary;
        let scenario = cell_text(&s.scenario);
        let t_s: Vec<String> = s.timeseries.t_s.iter().map(|t| number(*t)).collect();
        let mut write_series =
            |kind: &str, name: &str, series: &Value| -> Result<(), ReportError> {
                let Value::Object(fields) = series else {
                    return Ok(());
                };
                let name = cell_text(name);
                for (metric, values) in fields {
                    let Value::Array(values) = values else {
                        continue;
                    };
                    for (t, v) in t_s.iter().zip(values) {
                        if !v.is_number() {
                            continue;
                        }
                        w.write_record([scenario.as_str(), t, kind, &name, metric, &scalar(v)])
                            .map_err(csv_error)?;
                    }
                }
                Ok(())
            };
        for (name, series) in &s.timeseries.entrypoints {
            write_series("entry", name, &to_value(series)?)?;
        }
        for (name, series) in &s.timeseries.services {
            write_series("service", name, &to_value(series)?)?;
        }
        for edge in &s.timeseries.edges {
            let name = format!("{} -> {}", edge.from, edge.to);
            let mut value = to_value(edge)?;
            if let Value::Object(fields) = &mut value {
                fields.remove("from");
                fields.remove("to");
            }
            write_series("edge", &name, &value)?;
        }
    }
    finish(w)
}

fn to_value<T: Serialize>(item: &T) -> Result<Value, ReportError> {
    serde_json::to_value(item).map_err(|e| ReportError::Render(format!("cannot convert: {e}")))
}

fn number(value: f64) -> String {
    serde_json::Number::from_f64(value).map_or_else(String::new, |n| n.to_string())
}

/// Nested objects flattened into `a.b` keys, in field order.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            for (key, v) in fields {
                let key = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&key, v, out);
            }
        }
        other => out.push((prefix.to_owned(), scalar(other))),
    }
}

/// One row per item of every run, with a `scenario` column first; the
/// columns are the union of the items' flattened fields, in first-seen order.
fn table_csv<T: Serialize>(
    runs: &[Run],
    items: impl Fn(&Run) -> &[T],
) -> Result<String, ReportError> {
    let mut columns: Vec<String> = Vec::new();
    let mut rows: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for run in runs {
        for item in items(run) {
            let mut fields = Vec::new();
            flatten("", &to_value(item)?, &mut fields);
            for (key, _) in &fields {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
            rows.push((cell_text(&run.summary.scenario), fields));
        }
    }
    let mut w = writer();
    let mut header = vec!["scenario".to_owned()];
    header.extend(columns.iter().cloned());
    w.write_record(&header).map_err(csv_error)?;
    for (scenario, fields) in rows {
        let mut record = vec![scenario];
        for column in &columns {
            record.push(
                fields
                    .iter()
                    .find(|(k, _)| k == column)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            );
        }
        w.write_record(&record).map_err(csv_error)?;
    }
    finish(w)
}

/// The entries of every run: `scenario,name,offered,…,latency_ms.p99,…`.
pub fn entrypoints_csv(runs: &[Run]) -> Result<String, ReportError> {
    table_csv(runs, |run| &run.summary.entrypoints)
}

/// The services of every run: `scenario,name,arrivals,…,wait_ms.mean,…`.
pub fn services_csv(runs: &[Run]) -> Result<String, ReportError> {
    table_csv(runs, |run| &run.summary.services)
}

/// The caller→callee edges of every run: `scenario,from,to,calls,calls_rps`.
pub fn edges_csv(runs: &[Run]) -> Result<String, ReportError> {
    table_csv(runs, |run| &run.summary.edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell_text("@cmd"), "'@cmd");
        assert_eq!(cell_text("frontend"), "frontend");
    }

    #[test]
    fn flatten_names_nested_fields() {
        let value = serde_json::json!({"a": 1, "b": {"c": 2.5, "d": "x"}});
        let mut out = Vec::new();
        flatten("", &value, &mut out);
        assert_eq!(
            out,
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b.c".to_owned(), "2.5".to_owned()),
                ("b.d".to_owned(), "x".to_owned())
            ]
        );
    }
}
