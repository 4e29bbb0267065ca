//! How numbers, times and dates read in reports: a few significant digits,
//! thousands separators, signed deltas, and the report date (today in UTC,
//! or fixed by `SOURCE_DATE_EPOCH` for reproducible output).

use std::time::{SystemTime, UNIX_EPOCH};

use super::ReportError;

/// A count with thousands separators: `153,367`.
pub fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count and its noun, singular for one: `1 failed response`, `2,048 failed responses`.
pub fn counted(value: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(value), if value == 1 { one } else { many })
}

/// Decimals shown for a value of this size: 3 significant digits, at most 2
/// decimals (`0.12`, `1.23`, `12.3`, `123`, `1,234`).
pub fn decimals(value: f64) -> usize {
    let v = value.abs();
    if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    }
}

/// A number with [`decimals`] and thousands separators; non-finite as `–`.
pub fn number(value: f64) -> String {
    fixed(value, decimals(value))
}

/// A number with exactly `places` decimals and thousands separators.
pub fn fixed(value: f64, places: usize) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let text = format!("{:.*}", places, value.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::new();
    // "-0.00" reads as 0.
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('−');
    }
    match whole.parse::<u64>() {
        Ok(w) => out.push_str(&count(w)),
        Err(_) => out.push_str(whole),
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Milliseconds: `0.41`, `12.3`, `250`.
pub fn ms(value: f64) -> String {
    number(value)
}

/// A ratio as a percentage with `places` decimals: `41.0%`.
pub fn percent(ratio: f64, places: usize) -> String {
    format!("{}%", fixed(ratio * 100.0, places))
}

/// A success ratio as a percentage that never rounds a failure up to 100%:
/// `99.97%`, `99.999%`, `100%`.
pub fn availability(ratio: f64) -> String {
    if ratio >= 1.0 {
        return "100%".to_owned();
    }
    for places in 2..=4 {
        let text = fixed(ratio * 100.0, places);
        if text != "100.00" && !text.starts_with("100.") {
            return format!("{text}%");
        }
    }
    "99.9999%".to_owned()
}

/// Seconds in words: `90 s`, `2 min`, `2 min 30 s`, `1 h 5 min`.
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "until the end".to_owned();
    }
    let s = seconds.max(0.0);
    if s < 120.0 || (s < 600.0 && s % 60.0 != 0.0) {
        return format!("{} s", trim(s));
    }
    if s < 3600.0 {
        let minutes = (s / 60.0).floor();
        let rest = s - minutes * 60.0;
        return if rest >= 0.5 {
            format!("{} min {} s", minutes, trim(rest))
        } else {
            format!("{} min", trim(s / 60.0))
        };
    }
    let hours = (s / 3600.0).floor();
    let minutes = ((s - hours * 3600.0) / 60.0).round();
    if minutes > 0.0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{hours} h")
    }
}

/// A number without trailing zeros (at most 3 decimals): `30`, `2.5`, `0.125`.
pub fn trim(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A signed difference `after − before` with the relative change:
/// `+12.3 (+45%)`, `−0.50 (−3.1%)`, `+1,220 ms (×34)` when the value grew
/// more than twofold, `±0`.
pub fn delta(before: f64, after: f64, unit: &str) -> String {
    delta_with(before, after, unit, decimals(after - before))
}

/// Decimals of an amount of money: 2 from 1 up (`1,234.50`), else 3
/// significant digits (`0.0417`, `0.000250`), at most 9.
pub fn money_places(value: f64) -> usize {
    let v = value.abs();
    if v >= 1.0 || v == 0.0 || !v.is_finite() {
        2
    } else {
        ((2.0 - v.log10().floor()) as usize).min(9)
    }
}

/// An amount of money with its currency: `12.30 USD`, `0.0417 EUR`.
pub fn money(value: f64, currency: &str) -> String {
    format!("{} {currency}", fixed(value, money_places(value)))
}

/// A change of cost, like [`delta`] with the decimals of [`money_places`]:
/// `+0.0125 USD (+50%)`.
pub fn money_delta(before: f64, after: f64, currency: &str) -> String {
    let d = after - before;
    delta_with(before, after, &format!(" {currency}"), money_places(d))
}

/// [`delta`] with `places` decimals for the difference.
fn delta_with(before: f64, after: f64, unit: &str, places: usize) -> String {
    let d = after - before;
    if !d.is_finite() {
        return "–".to_owned();
    }
    let shown = fixed(d.abs(), places);
    if shown.chars().all(|c| matches!(c, '0' | '.' | ',')) {
        return "±0".to_owned();
    }
    let sign = if d > 0.0 { "+" } else { "−" };
    let relative = if before.abs() > 1e-12 {
        let ratio = after / before;
        let r = d / before.abs() * 100.0;
        if ratio >= 2.0 {
            format!(" (×{})", short(ratio))
        } else {
            format!(
                " ({sign}{}%)",
                fixed(r.abs(), if r.abs() >= 10.0 { 0 } else { 1 })
            )
        }
    } else {
        String::new()
    };
    format!("{sign}{shown}{unit}{relative}")
}

/// A number for prose: [`number`] without trailing zeros (`30`, `2.5`).
pub fn short(value: f64) -> String {
    let text = number(value);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// The date a report is dated: `SOURCE_DATE_EPOCH` (seconds since 1970,
/// UTC) when set, else today in UTC, as `YYYY-MM-DD`.
pub fn report_date() -> Result<String, ReportError> {
    let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| ReportError::SourceDateEpoch(text.clone()))?,
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0),
    };
    Ok(date_of(seconds))
}

/// `YYYY-MM-DD` of a Unix time, in UTC (proleptic Gregorian calendar).
pub fn date_of(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → (y, m, d).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // d is in 1..=31 and m in 1..=12 by construction.
    (y, m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(number(0.4123), "0.41");
        assert_eq!(number(12.34), "12.3");
        assert_eq!(number(1234.6), "1,235");
        assert_eq!(number(-0.001), "0.00");
        assert_eq!(number(f64::NAN), "–");
        assert_eq!(percent(0.4102, 1), "41.0%");
        assert_eq!(availability(0.99996), "99.996%");
        assert_eq!(availability(0.9997), "99.97%");
        assert_eq!(availability(1.0), "100%");
        assert_eq!(availability(0.0), "0.00%");
    }

    #[test]
    fn durations_and_deltas() {
        assert_eq!(duration(30.0), "30 s");
        assert_eq!(duration(90.0), "90 s");
        assert_eq!(duration(300.0), "5 min");
        assert_eq!(duration(150.5), "150.5 s");
        assert_eq!(duration(7500.0), "2 h 5 min");
        assert_eq!(delta(10.0, 12.5, " ms"), "+2.50 ms (+25%)");
        assert_eq!(delta(10.0, 9.9, ""), "−0.10 (−1.0%)");
        assert_eq!(delta(5.0, 5.0, " ms"), "±0");
        assert_eq!(delta(33.0, 1253.0, " ms"), "+1,220 ms (×38)");
        assert_eq!(short(30.0), "30");
        assert_eq!(short(2.50), "2.5");
        assert_eq!(delta(0.0, 3.0, ""), "+3.00");
    }

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(951_782_400), "2000-02-29");
        assert_eq!(date_of(1_767_225_599), "2025-12-31");
        assert_eq!(date_of(-1), "1969-12-31");
    }
}
