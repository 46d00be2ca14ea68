//! UK formats for people: dates as "20 Nov 2026", whole numbers with separators.

use chrono::{DateTime, NaiveDate, Utc};

/// `2026-11-20` as `20 Nov 2026`; anything else as it came.
pub fn date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// An RFC 3339 UTC time as `21 Nov 2026, 02:10 UTC`.
pub fn time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%-d %b %Y, %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// 1234567 as `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Text for a URL's query (or a path), percent-encoded: letters, digits and `-_./`
/// kept, every other byte as `%XX`.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_formats() {
        assert_eq!(date("2026-11-20"), "20 Nov 2026");
        assert_eq!(date("n/a"), "n/a");
        assert_eq!(time("2026-11-21T02:10:00Z"), "21 Nov 2026, 02:10 UTC");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(57_123_456), "57,123,456");
    }
}
