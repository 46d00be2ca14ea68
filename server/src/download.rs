//! Files the product hands out, made one way: every CSV (the API's, the action lists',
//! a self-evaluation pack's tables) through one writer that a spreadsheet cannot be
//! turned against, and every download as an attachment that no cache keeps.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A download: the bytes as `name`, never stored by a browser or proxy cache (most are
/// pupil-level, and the others are cheap to make again).
pub fn attachment(content_type: &str, name: &str, body: Vec<u8>) -> Response {
    // The name goes inside a quoted header value: nothing that could end or break it.
    let name: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/'))
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// A CSV download, `name.csv`: UTF-8 with a byte-order mark (so Excel reads names
/// with accents right), every cell through [`cell`].
pub fn csv<H: AsRef<str>>(header: &[H], rows: Vec<Vec<String>>, name: &str) -> Response {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let records = std::iter::once(header.iter().map(|h| cell(h.as_ref())).collect()).chain(
        rows.iter()
            .map(|r| r.iter().map(|c| cell(c)).collect::<Vec<_>>()),
    );
    for record in records {
        // Writing to memory cannot fail.
        let _ = w.write_record(record);
    }
    let body = w.into_inner().unwrap_or_default();
    attachment("text/csv; charset=utf-8", &format!("{name}.csv"), body)
}

/// A CSV cell as a spreadsheet will read it: text that a spreadsheet would run as a
/// formula (starting `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading
/// apostrophe; numbers (`-1.5`, `+4`) stay numbers.
pub fn cell(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_left_alone() {
        for (text, want) in [
            (
                "=HYPERLINK(\"http://evil\")",
                "'=HYPERLINK(\"http://evil\")",
            ),
            ("+cmd", "'+cmd"),
            ("-x", "'-x"),
            ("@sum(A1)", "'@sum(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-1.5", "-1.5"),
            ("+4", "+4"),
            ("12", "12"),
            ("Oak Academy", "Oak Academy"),
            ("", ""),
        ] {
            assert_eq!(cell(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_name_cannot_break_out_of_the_header() {
        let r = attachment("text/plain", "a\"b\r\nSet-Cookie: x/../c.csv", Vec::new());
        let d = r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert_eq!(d, "attachment; filename=\"abSet-Cookie: x..c.csv\"");
    }
}
