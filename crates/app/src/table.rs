//! Spreadsheets as tables: reading `.xlsx` and `.csv` (UTF-8, with or without BOM, comma
//! or semicolon separated) into rows of cells, and writing them back.

use crate::{AppError, Result};
use calamine::{Data, Reader};
use std::path::Path;

/// One cell as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number (a spreadsheet may hold a card number or a phone as a number).
    Number(f64),
    /// A spreadsheet date, as its serial day number.
    Date(f64),
}

impl Cell {
    /// The cell as text, numbers without a trailing `.0`.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) | Cell::Date(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    n.to_string()
                }
            }
        }
    }

    /// Whether the cell holds nothing but spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// The rows of a file, each with its 1-based row number as a spreadsheet shows it.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// (row number, cells).
    pub rows: Vec<(usize, Vec<Cell>)>,
}

fn file_err(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::file(path, std::io::Error::other(e.to_string()))
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Reads a `.xlsx` (first sheet) or `.csv` file.
pub fn read(path: &Path) -> Result<Table> {
    match extension(path).as_str() {
        "csv" | "txt" => {
            let bytes = std::fs::read(path).map_err(|e| AppError::file(path, e))?;
            read_csv(&bytes).map_err(|e| file_err(path, e))
        }
        "xlsx" | "xlsm" | "xls" | "ods" => read_sheet(path),
        _ => Err(AppError::rejected(
            format!("Không đọc được tệp «{}»: chỉ nhận .xlsx hoặc .csv", path.display()),
            format!("Cannot read «{}»: only .xlsx and .csv are accepted", path.display()),
        )),
    }
}

/// Parses CSV bytes: UTF-8 (a BOM is skipped), separated by `,` or `;` (whichever the
/// first line uses more), quoted fields allowed.
pub fn read_csv(bytes: &[u8]) -> std::result::Result<Table, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "tệp không phải UTF-8 (byte {}); hãy lưu lại dưới dạng CSV UTF-8",
            e.valid_up_to()
        )
    })?;
    // The separator is the one the first lines use more (a title row may have neither).
    let first: String = text.lines().take(20).collect();
    let sep = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sep)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("dòng {}: {e}", i + 1))?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(i + 1);
        rows.push((
            line,
            rec.iter()
                .map(|s| {
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string())
                    }
                })
                .collect(),
        ));
    }
    Ok(Table { rows })
}

fn read_sheet(path: &Path) -> Result<Table> {
    let damaged = |e: calamine::Error| {
        AppError::rejected(
            format!(
                "Không đọc được «{}» như một bảng tính: tệp có thể đã hỏng hoặc không phải .xlsx ({e})",
                path.display()
            ),
            format!(
                "«{}» cannot be read as a spreadsheet: it may be damaged or not .xlsx ({e})",
                path.display()
            ),
        )
    };
    let mut wb = calamine::open_workbook_auto(path).map_err(damaged)?;
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Ok(Table::default());
    };
    let range = wb.worksheet_range(&name).map_err(damaged)?;
    let (top, _) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let cells = r
                .iter()
                .map(|c| match c {
                    Data::Empty | Data::Error(_) => Cell::Empty,
                    Data::String(s) => Cell::Text(s.clone()),
                    Data::Float(f) => Cell::Number(*f),
                    Data::Int(n) => Cell::Number(*n as f64),
                    Data::Bool(b) => Cell::Text(if *b { "Có" } else { "Không" }.into()),
                    Data::DateTime(d) => Cell::Date(d.as_f64()),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
                })
                .collect();
            (top as usize + i + 1, cells)
        })
        .collect();
    Ok(Table { rows })
}

/// A value to write into an exported cell.
#[derive(Debug, Clone)]
pub enum Out {
    /// Text (identity numbers are text, so their leading zeros survive).
    Text(String),
    /// A date.
    Date(dangbo_domain::Date),
    /// Nothing.
    Empty,
}

/// Writes a header and rows as `.xlsx` (dates as real dates shown dd/mm/yyyy, a bold
/// frozen header) or `.csv` (UTF-8 with BOM so spreadsheet programs read the Vietnamese).
/// A `title` goes in a row of its own above the header (the importers skip it), and in
/// an `.xlsx` file's properties as its author.
pub fn write(path: &Path, title: Option<&str>, header: &[&str], rows: &[Vec<Out>]) -> Result<()> {
    match extension(path).as_str() {
        "csv" => {
            let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            if let Some(t) = title {
                w.write_record([t]).map_err(|e| file_err(path, e))?;
            }
            w.write_record(header).map_err(|e| file_err(path, e))?;
            for r in rows {
                w.write_record(r.iter().map(|c| match c {
                    Out::Text(s) => s.clone(),
                    Out::Date(d) => dangbo_domain::date::short(*d),
                    Out::Empty => String::new(),
                }))
                .map_err(|e| file_err(path, e))?;
            }
            let mut bytes = b"\xEF\xBB\xBF".to_vec();
            bytes.extend(w.into_inner().map_err(|e| file_err(path, e))?);
            std::fs::write(path, bytes).map_err(|e| AppError::file(path, e))
        }
        "xlsx" => write_xlsx(path, title, header, rows).map_err(|e| file_err(path, e)),
        _ => Err(AppError::rejected(
            format!("Không ghi được «{}»: chỉ xuất ra .xlsx hoặc .csv", path.display()),
            format!(
                "Cannot write «{}»: only .xlsx and .csv exports are supported",
                path.display()
            ),
        )),
    }
}

fn write_xlsx(
    path: &Path,
    title: Option<&str>,
    header: &[&str],
    rows: &[Vec<Out>],
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    if let Some(t) = title {
        wb.set_properties(&DocProperties::new().set_author(t).set_title(t));
    }
    let sheet = wb.add_worksheet();
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let top = u32::from(title.is_some());
    if let Some(t) = title {
        sheet.write_string(0, 0, t)?;
    }
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(top, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + top + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Out::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Out::Date(d) => {
                    let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, c, &dt, &date_fmt)?;
                }
                Out::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(top + 1, 0)?;
    for c in 0..header.len() as u16 {
        sheet.set_column_width(c, 18)?;
    }
    wb.save(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons() {
        let t = read_csv("\u{feff}Họ và tên;Ngày sinh\n\"Nguyễn; Văn A\";01/02/1980\n".as_bytes()).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].1[0], Cell::Text("Nguyễn; Văn A".into()));
        assert_eq!(t.rows[1].0, 2);
    }

    #[test]
    fn not_utf8_is_reported() {
        assert!(read_csv(b"H\xe4 V\xe4n\n").unwrap_err().contains("UTF-8"));
    }
}
