//! Row-level parsing of an extract's CSV files: each value checked, each fault named by
//! file, line, column and value.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::extract::{decode, parse_date, FileFault};

/// One rejected row: where, which column, what value, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowFault {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for RowFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} line {}, column {}, value \"{}\": {}",
            self.file, self.line, self.column, self.value, self.reason
        )
    }
}

/// A CSV file being read: its header, decoded text and the columns this loader knows.
pub struct CsvFile {
    pub name: &'static str,
    pub encoding: &'static str,
    text: String,
    columns: HashMap<String, usize>,
    pub ignored_columns: Vec<String>,
}

impl CsvFile {
    /// Decodes the file and checks its header: every required column present.
    pub fn open(
        name: &'static str,
        bytes: &[u8],
        required: &[&str],
        optional: &[&str],
    ) -> Result<CsvFile, FileFault> {
        let (text, encoding) = decode(bytes);
        let text = text.into_owned();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| FileFault::new(name, format!("unreadable header: {e}")))?
            .clone();
        let mut columns = HashMap::new();
        let mut ignored_columns = Vec::new();
        for (i, col) in header.iter().enumerate() {
            let col = col.trim().to_ascii_lowercase();
            if required.contains(&col.as_str()) || optional.contains(&col.as_str()) {
                if columns.insert(col.clone(), i).is_some() {
                    return Err(FileFault::new(
                        name,
                        format!("column {col} appears twice in the header"),
                    ));
                }
            } else {
                ignored_columns.push(col);
            }
        }
        for col in required {
            if !columns.contains_key(*col) {
                return Err(FileFault::new(
                    name,
                    format!("required column {col} is missing from the header"),
                ));
            }
        }
        Ok(CsvFile {
            name,
            encoding,
            text,
            columns,
            ignored_columns,
        })
    }

    /// Calls `each` for every data row; a row the CSV parser cannot read becomes a fault.
    pub fn for_each_row(
        &self,
        faults: &mut Vec<RowFault>,
        mut each: impl FnMut(&mut Row<'_>, &mut Vec<RowFault>),
    ) -> u64 {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(self.text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    rows += 1;
                    let line = record.position().map(|p| p.line()).unwrap_or(0);
                    let mut row = Row {
                        file: self.name,
                        line,
                        record: &record,
                        columns: &self.columns,
                        fault: None,
                    };
                    each(&mut row, faults);
                }
                Err(e) => {
                    rows += 1;
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    faults.push(RowFault {
                        file: self.name.to_string(),
                        line,
                        column: "(row)".into(),
                        value: String::new(),
                        reason: format!("unreadable CSV row: {e}"),
                    });
                }
            }
        }
        rows
    }
}

/// One data row. Each getter records the first fault it meets; `finish` hands it over.
pub struct Row<'a> {
    pub file: &'static str,
    pub line: u64,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
    fault: Option<RowFault>,
}

impl Row<'_> {
    fn raw(&self, col: &str) -> &str {
        self.columns
            .get(col)
            .and_then(|&i| self.record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    /// Records a fault on `col` (the first one of the row wins).
    pub fn fail(&mut self, col: &str, reason: impl Into<String>) {
        if self.fault.is_none() {
            self.fault = Some(RowFault {
                file: self.file.to_string(),
                line: self.line,
                column: col.to_string(),
                value: self.raw(col).to_string(),
                reason: reason.into(),
            });
        }
    }

    /// Records a fault on `col` when its `date` is before `start` (`what`: which date
    /// that is, as "the start date").
    pub fn not_before(
        &mut self,
        col: &str,
        date: Option<NaiveDate>,
        start: Option<NaiveDate>,
        what: &str,
    ) {
        if let (Some(start), Some(date)) = (start, date) {
            if date < start {
                self.fail(col, format!("before {what} {start}"));
            }
        }
    }

    pub fn is_ok(&self) -> bool {
        self.fault.is_none()
    }

    /// The row's fault, if any, pushed to `faults`; true when the row is good.
    pub fn finish(&mut self, faults: &mut Vec<RowFault>) -> bool {
        match self.fault.take() {
            Some(f) => {
                faults.push(f);
                false
            }
            None => true,
        }
    }

    pub fn opt(&self, col: &str) -> Option<&str> {
        Some(self.raw(col)).filter(|v| !v.is_empty())
    }

    /// An optional value read by `parse`: `Some(None)` when empty, `None` when `parse`
    /// finds it bad (and records why).
    fn opt_with<T>(
        &mut self,
        col: &str,
        parse: impl FnOnce(&mut Self, &str, &str) -> Option<T>,
    ) -> Option<Option<T>> {
        match self.opt(col).map(str::to_string) {
            None => Some(None),
            Some(v) => parse(self, col, &v).map(Some),
        }
    }

    /// A required value read by `parse`: `None` when empty or bad (and records why).
    fn req_with<T>(
        &mut self,
        col: &str,
        parse: impl FnOnce(&mut Self, &str, &str) -> Option<T>,
    ) -> Option<T> {
        let v = self.req(col)?;
        parse(self, col, &v)
    }

    pub fn req(&mut self, col: &str) -> Option<String> {
        match self.opt(col) {
            Some(v) => Some(v.to_string()),
            None => {
                self.fail(col, "required value is empty");
                None
            }
        }
    }

    pub fn date(&mut self, col: &str) -> Option<NaiveDate> {
        self.req_with(col, Self::parse_date)
    }

    pub fn opt_date(&mut self, col: &str) -> Option<Option<NaiveDate>> {
        self.opt_with(col, Self::parse_date)
    }

    fn parse_date(&mut self, col: &str, v: &str) -> Option<NaiveDate> {
        let d = parse_date(v);
        if d.is_none() {
            self.fail(col, "not a date (YYYY-MM-DD or DD/MM/YYYY)");
        }
        d
    }

    pub fn boolean(&mut self, col: &str) -> Option<bool> {
        self.req_with(col, Self::parse_bool)
    }

    pub fn opt_boolean(&mut self, col: &str) -> Option<Option<bool>> {
        self.opt_with(col, Self::parse_bool)
    }

    fn parse_bool(&mut self, col: &str, v: &str) -> Option<bool> {
        match v.to_ascii_lowercase().as_str() {
            "y" | "true" | "1" => Some(true),
            "n" | "false" | "0" => Some(false),
            _ => {
                self.fail(col, "not a boolean (Y/N, true/false, 1/0)");
                None
            }
        }
    }

    /// A required whole number within `range`.
    pub fn number(&mut self, col: &str, range: std::ops::RangeInclusive<u32>) -> Option<u32> {
        self.req_with(col, |row, col, v| row.parse_number(col, v, range))
    }

    pub fn opt_number(
        &mut self,
        col: &str,
        range: std::ops::RangeInclusive<u32>,
    ) -> Option<Option<u32>> {
        self.opt_with(col, |row, col, v| row.parse_number(col, v, range))
    }

    fn parse_number(
        &mut self,
        col: &str,
        v: &str,
        range: std::ops::RangeInclusive<u32>,
    ) -> Option<u32> {
        match v.parse::<u32>() {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.fail(
                    col,
                    format!(
                        "not a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
        }
    }

    /// A required value from a fixed list.
    pub fn one_of(&mut self, col: &str, allowed: &[&str]) -> Option<String> {
        let v = self.req(col)?;
        if allowed.contains(&v.as_str()) {
            Some(v)
        } else {
            self.fail(col, format!("not one of {}", allowed.join(", ")));
            None
        }
    }
}
