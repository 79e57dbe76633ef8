//! Importing members from a spreadsheet: columns found by their Vietnamese headers (or a
//! mapping file), every bad row reported with its row number, column and reason, then
//! either nothing written (the default) or only the good rows (`skip_invalid`), in one
//! transaction. Re-importing matches people by party card number or citizen ID and
//! updates them instead of creating duplicates.

use crate::members::split_record;
use crate::table::{self, Cell, Out, Table};
use crate::{App, AppError, Result};
use dangbo_domain::date::{from_spreadsheet_serial, parse_date, short};
use dangbo_domain::lang::parse_yes_no;
use dangbo_domain::member::{
    CardNumber, CitizenId, Ethnicity, MemberField, PersonId, PersonKind, PersonRecord, Phone, parse_gender,
};
use dangbo_domain::name::{PersonName, fold};
use dangbo_domain::org::{OrgCode, OrgId, OrgPath};
use dangbo_domain::{Date, Invalid, Lang};
use dangbo_store::{MembershipRow, NewPerson, OrgVersion, Tx};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Import the good rows and write the bad ones to a rejects file, instead of
    /// importing nothing when any row is bad.
    pub skip_invalid: bool,
    /// The day new placements and transfers take effect, and the day organizations are
    /// looked up on.
    pub on: Date,
    /// File header → field, from a mapping file; headers not named are matched by name.
    pub mapping: HashMap<String, MemberField>,
    /// Where to write rejected rows (default: beside the input, `<name>.loi.csv`).
    pub rejects: Option<PathBuf>,
    /// Only organizations in these subtrees may be named, and only people placed in them
    /// updated (`None`: anywhere). An organization outside reads as one that does not exist.
    pub scope: Option<Vec<OrgPath>>,
    /// Check and count everything, then write nothing: the preview a person confirms.
    pub dry_run: bool,
    /// The file's name as its owner knows it, for the audit log (default: the path's).
    pub name: Option<String>,
}

impl ImportOptions {
    /// Options for an all-or-nothing import on `on`, anywhere, with no mapping.
    pub fn on(on: Date) -> ImportOptions {
        ImportOptions {
            skip_invalid: false,
            on,
            mapping: HashMap::new(),
            rejects: None,
            scope: None,
            dry_run: false,
            name: None,
        }
    }
}

/// One problem with one cell (or row) of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row number as a spreadsheet shows it (0 for the file as a whole).
    pub row: usize,
    /// The column header as written in the file.
    pub column: String,
    /// What is wrong.
    pub problem: Invalid,
}

impl RowError {
    /// `Dòng 12, cột «Ngày sinh»: …`.
    pub fn message(&self, lang: Lang) -> String {
        let msg = self.problem.message(lang);
        match (self.row, lang) {
            (0, _) => msg,
            (r, Lang::Vi) => format!("Dòng {r}, cột «{}»: {msg}", self.column),
            (r, Lang::En) => format!("Row {r}, column «{}»: {msg}", self.column),
        }
    }
}

/// What an import did, or would have done.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// People created.
    pub created: usize,
    /// People updated (matched by card number or citizen ID).
    pub updated: usize,
    /// Of those, people whose organization changed (a transfer on the import day).
    pub transferred: usize,
    /// Problems, by row.
    pub errors: Vec<RowError>,
    /// Rows rejected (with `skip_invalid`).
    pub rejected_rows: usize,
    /// Whether anything was written.
    pub applied: bool,
    /// Where rejected rows were written.
    pub rejects_file: Option<PathBuf>,
}

/// Reads a mapping file: one `Header in the file = field` per line, where the field is
/// an id such as `full_name` or one of dangbo's own headers; `#` starts a comment.
pub fn parse_mapping(text: &str) -> Result<HashMap<String, MemberField>> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let bad = || {
            AppError::rejected(
                format!(
                    "Tệp ánh xạ, dòng {}: cần dạng «Tiêu đề trong tệp = trường», ví dụ «HỌ TÊN = full_name»",
                    i + 1
                ),
                format!(
                    "Mapping file, line {}: expected «Header in file = field», e.g. «HỌ TÊN = full_name»",
                    i + 1
                ),
            )
        };
        let (header, field) = line.split_once('=').ok_or_else(bad)?;
        let field = MemberField::from_header(field).ok_or_else(bad)?;
        out.insert(fold(header), field);
    }
    Ok(out)
}

struct Parsed {
    row: usize,
    record: PersonRecord,
    org: OrgId,
    org_from: Date,
}

/// Where each field is: its column index and the header as written in the file.
type Columns = HashMap<MemberField, (usize, String)>;

fn required() -> [MemberField; 5] {
    [
        MemberField::FullName,
        MemberField::BirthDate,
        MemberField::Gender,
        MemberField::Ethnicity,
        MemberField::AdmittedOn,
    ]
}

/// Finds the header row (the first of the first 20 rows naming at least three fields)
/// and which column holds each field.
fn columns(
    table: &Table,
    mapping: &HashMap<String, MemberField>,
) -> std::result::Result<(usize, Columns), Vec<RowError>> {
    let whole = |problem| {
        vec![RowError {
            row: 0,
            column: String::new(),
            problem,
        }]
    };
    for (idx, (_, cells)) in table.rows.iter().enumerate().take(20) {
        let mut found: HashMap<MemberField, (usize, String)> = HashMap::new();
        let mut errors = Vec::new();
        for (c, cell) in cells.iter().enumerate() {
            let header = cell.text();
            let field = mapping
                .get(&fold(&header))
                .copied()
                .or_else(|| MemberField::from_header(&header));
            if let Some(f) = field
                && let Some((_, first)) = found.insert(f, (c, header.clone()))
            {
                errors.push(RowError {
                    row: table.rows[idx].0,
                    column: header.clone(),
                    problem: Invalid::inconsistent(
                        format!("Cột «{header}» và cột «{first}» cùng là «{}»", f.header(Lang::Vi)),
                        format!("Columns «{header}» and «{first}» are both «{}»", f.header(Lang::En)),
                    ),
                });
            }
        }
        if found.len() < 3 {
            continue;
        }
        let mut missing: Vec<&str> = required()
            .iter()
            .filter(|f| !found.contains_key(f))
            .map(|f| f.header(Lang::Vi))
            .collect();
        if !found.contains_key(&MemberField::OrgCode) && !found.contains_key(&MemberField::OrgName) {
            missing.push("Chi bộ (hoặc Mã chi bộ)");
        }
        if !missing.is_empty() {
            errors.extend(whole(Invalid::inconsistent(
                format!("Thiếu cột bắt buộc: {}", missing.join(", ")),
                format!("Required columns are missing: {}", missing.join(", ")),
            )));
        }
        return if errors.is_empty() {
            Ok((idx, found))
        } else {
            Err(errors)
        };
    }
    Err(whole(Invalid::inconsistent(
        "Không tìm thấy dòng tiêu đề: cần các cột như «Họ và tên», «Ngày sinh», «Giới tính», «Dân tộc», «Ngày vào Đảng», «Chi bộ»",
        "No header row found: expected columns such as «Họ và tên», «Ngày sinh», «Giới tính», «Dân tộc», «Ngày vào Đảng», «Chi bộ»",
    )))
}

fn date_cell(cell: &Cell) -> std::result::Result<Option<Date>, Invalid> {
    match cell {
        // A number like 1980 in a date column is a year alone («Năm sinh»), not day 1980
        // of the spreadsheet calendar (which would be 1905).
        Cell::Date(n) | Cell::Number(n) if n.fract() == 0.0 && (1900.0..=2100.0).contains(n) => {
            Err(Invalid::inconsistent(
                format!("Chỉ có năm «{n}»: cần đủ ngày/tháng/năm, ví dụ 15/11/{n}"),
                format!("Only a year «{n}»: a full day/month/year is needed, e.g. 15/11/{n}"),
            ))
        }
        Cell::Date(n) | Cell::Number(n) => from_spreadsheet_serial(*n).map(Some),
        c if c.is_blank() => Ok(None),
        c => parse_date(&c.text()).map(Some),
    }
}

/// Caches organizations by code and by folded name for one import.
struct Orgs {
    on: Date,
    scope: Option<Vec<OrgPath>>,
    by_code: HashMap<String, Option<OrgVersion>>,
    by_name: HashMap<String, Vec<OrgVersion>>,
    /// (code cell, name cell) → the cell's id and first day, or why it cannot be used.
    memo: HashMap<(String, String), std::result::Result<(OrgId, Date), Invalid>>,
}

impl Orgs {
    /// The cell a row names, by code or else by name, valid on the import day.
    async fn resolve(
        &mut self,
        tx: &mut Tx,
        code: String,
        name: String,
    ) -> Result<std::result::Result<(OrgId, Date), Invalid>> {
        let key = (code, name);
        if let Some(found) = self.memo.get(&key) {
            return Ok(found.clone());
        }
        let found = self.lookup(tx, &key.0, &key.1).await?.map(|v| (v.id, v.validity.from));
        self.memo.insert(key, found.clone());
        Ok(found)
    }

    async fn lookup(
        &mut self,
        tx: &mut Tx,
        code: &str,
        name: &str,
    ) -> Result<std::result::Result<OrgVersion, Invalid>> {
        let on = self.on;
        let scope = self.scope.clone();
        let visible = |v: &OrgVersion| scope.as_ref().is_none_or(|s| s.iter().any(|r| r.contains(&v.path)));
        let found = if !code.trim().is_empty() {
            let Ok(c) = OrgCode::parse(code) else {
                return Ok(Err(Invalid::OrgCode(code.trim().into())));
            };
            if !self.by_code.contains_key(c.as_str()) {
                let v = tx.org_by_code(&c, on).await?;
                self.by_code.insert(c.to_string(), v);
            }
            match self.by_code.get(c.as_str()).cloned().flatten().filter(|v| visible(v)) {
                Some(v) => v,
                None => {
                    return Ok(Err(Invalid::inconsistent(
                        format!("Không có tổ chức đảng mã «{c}» vào ngày {}", short(on)),
                        format!("No organization with code «{c}» on {}", short(on)),
                    )));
                }
            }
        } else {
            let key = fold(name);
            if key.is_empty() {
                return Ok(Err(Invalid::Missing));
            }
            if !self.by_name.contains_key(&key) {
                let v = tx.org_by_name_key(&key, on).await?;
                self.by_name.insert(key.clone(), v);
            }
            let named: Vec<OrgVersion> = self
                .by_name
                .get(&key)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter(|v| visible(v))
                .cloned()
                .collect();
            match named.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Ok(Err(Invalid::inconsistent(
                        format!("Không có tổ chức đảng tên «{}» vào ngày {}", name.trim(), short(on)),
                        format!("No organization named «{}» on {}", name.trim(), short(on)),
                    )));
                }
                many => {
                    let codes: Vec<&str> = many.iter().map(|v| v.code.as_str()).collect();
                    return Ok(Err(Invalid::inconsistent(
                        format!(
                            "Có {} tổ chức cùng tên «{}» ({}): hãy ghi cột «Mã chi bộ»",
                            many.len(),
                            name.trim(),
                            codes.join(", ")
                        ),
                        format!(
                            "{} organizations are named «{}» ({}): fill in the «Mã chi bộ» column",
                            many.len(),
                            name.trim(),
                            codes.join(", ")
                        ),
                    )));
                }
            }
        };
        match crate::orgs::ensure_lasting(tx, &found, on).await {
            Ok(()) => {}
            Err(e @ AppError::Rejected { .. }) => {
                return Ok(Err(Invalid::inconsistent(e.message(Lang::Vi), e.message(Lang::En))));
            }
            Err(e) => return Err(e),
        }
        if !found.kind.is_cell() {
            return Ok(Err(Invalid::inconsistent(
                format!(
                    "«{}» là {}, không phải chi bộ",
                    found.name,
                    found.kind.vi().to_lowercase()
                ),
                format!("«{}» is a {}, not a cell", found.name, found.kind.en().to_lowercase()),
            )));
        }
        Ok(Ok(found))
    }
}

impl App {
    /// Imports members from `path`; see the module documentation.
    pub async fn import_members(
        &self,
        path: &Path,
        opts: &ImportOptions,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<ImportReport> {
        self.not_future(opts.on)?;
        let table = table::read(path)?;
        let mut report = ImportReport::default();
        let (header_idx, cols) = match columns(&table, &opts.mapping) {
            Ok(x) => x,
            Err(errors) => {
                report.errors = errors;
                return Ok(report);
            }
        };
        let data = &table.rows[header_idx + 1..];
        let total = data.len() as u64;
        let today = self.clock.today();

        // Everything is read and checked inside the write transaction, so what is checked
        // is what is written.
        let mut tx = self.db.write().await?;
        let mut orgs = Orgs {
            on: opts.on,
            scope: opts.scope.clone(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            memo: HashMap::new(),
        };
        let mut parsed: Vec<Parsed> = Vec::new();
        let mut bad_rows: Vec<usize> = Vec::new();
        let mut seen_card: HashMap<String, usize> = HashMap::new();
        let mut seen_cid: HashMap<String, usize> = HashMap::new();
        for (i, (row, cells)) in data.iter().enumerate() {
            if i % 1000 == 0 {
                progress(i as u64, total * 2);
            }
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            report.rows += 1;
            let mut errs: Vec<RowError> = Vec::new();
            let cell =
                |f: MemberField| -> &Cell { cols.get(&f).and_then(|(c, _)| cells.get(*c)).unwrap_or(&Cell::Empty) };
            let col = |f: MemberField| {
                cols.get(&f)
                    .map(|(_, h)| h.clone())
                    .unwrap_or_else(|| f.header(Lang::Vi).to_string())
            };
            macro_rules! field {
                ($f:expr, $e:expr) => {
                    match $e {
                        Ok(v) => Some(v),
                        Err(problem) => {
                            errs.push(RowError {
                                row: *row,
                                column: col($f),
                                problem,
                            });
                            None
                        }
                    }
                };
            }
            let name = field!(
                MemberField::FullName,
                PersonName::parse(&cell(MemberField::FullName).text())
            );
            let birth = field!(
                MemberField::BirthDate,
                date_cell(cell(MemberField::BirthDate)).and_then(|d| d.ok_or(Invalid::Missing))
            );
            let gender = field!(MemberField::Gender, parse_gender(&cell(MemberField::Gender).text()));
            let ethnicity = field!(
                MemberField::Ethnicity,
                Ethnicity::parse(&cell(MemberField::Ethnicity).text())
            );
            let cid_cell = cell(MemberField::CitizenId);
            let cid_text = match &cid_cell {
                // A spreadsheet that stored the number as a number dropped its leading zeros.
                Cell::Number(_) => format!("{:0>12}", cid_cell.text()),
                c => c.text(),
            };
            let cid = field!(
                MemberField::CitizenId,
                if cid_text.is_empty() {
                    Ok(None)
                } else {
                    CitizenId::parse(&cid_text).map(Some)
                }
            );
            let card_text = cell(MemberField::CardNumber).text();
            let card = field!(
                MemberField::CardNumber,
                if card_text.is_empty() {
                    Ok(None)
                } else {
                    CardNumber::parse(&card_text).map(Some)
                }
            );
            let kind_text = cell(MemberField::Kind).text();
            let kind = field!(
                MemberField::Kind,
                if kind_text.is_empty() {
                    Ok(PersonKind::Member)
                } else {
                    PersonKind::parse_text(&kind_text).ok_or_else(|| {
                        Invalid::inconsistent(
                            format!("Đối tượng «{kind_text}» không hợp lệ: ghi «Đảng viên», «Quần chúng ưu tú» hoặc «Khách mời»"),
                            format!("Person kind «{kind_text}» is not valid: write «Đảng viên», «Quần chúng ưu tú» or «Khách mời»"),
                        )
                    })
                }
            );
            let admitted = field!(MemberField::AdmittedOn, date_cell(cell(MemberField::AdmittedOn)));
            let full_on = field!(MemberField::FullOn, date_cell(cell(MemberField::FullOn)));
            let exempt = field!(MemberField::Exempt, parse_yes_no(&cell(MemberField::Exempt).text()));
            let phone_text = cell(MemberField::Phone).text();
            let phone = field!(
                MemberField::Phone,
                if phone_text.is_empty() {
                    Ok(None)
                } else {
                    Phone::parse(&phone_text).map(Some)
                }
            );
            match (kind, &card, &cid) {
                (Some(PersonKind::Member), Some(None), Some(None)) => errs.push(RowError {
                    row: *row,
                    column: col(MemberField::CardNumber),
                    problem: Invalid::inconsistent(
                        "Cần có Số thẻ đảng viên hoặc Số CCCD để nhận diện đảng viên",
                        "A party card number or a citizen ID is needed to identify the member",
                    ),
                }),
                (Some(PersonKind::Outstanding | PersonKind::Guest), _, Some(None)) => errs.push(RowError {
                    row: *row,
                    column: col(MemberField::CitizenId),
                    problem: Invalid::inconsistent(
                        "Cần có Số CCCD để nhận diện người không phải đảng viên",
                        "A citizen ID is needed to identify someone who is not a party member",
                    ),
                }),
                _ => {}
            }
            for (key, seen, f) in [
                (
                    card.clone().flatten().map(|c| c.as_str().to_string()),
                    &mut seen_card,
                    MemberField::CardNumber,
                ),
                (
                    cid.clone().flatten().map(|c| c.as_str().to_string()),
                    &mut seen_cid,
                    MemberField::CitizenId,
                ),
            ] {
                if let Some(k) = key {
                    if let Some(first) = seen.get(&k) {
                        errs.push(RowError {
                            row: *row,
                            column: col(f),
                            problem: Invalid::inconsistent(
                                format!("«{k}» trùng với dòng {first}"),
                                format!("«{k}» repeats row {first}"),
                            ),
                        });
                    } else {
                        seen.insert(k, *row);
                    }
                }
            }
            let org_col = if cols.contains_key(&MemberField::OrgCode) && !cell(MemberField::OrgCode).is_blank() {
                MemberField::OrgCode
            } else {
                MemberField::OrgName
            };
            let org = match orgs
                .resolve(
                    &mut tx,
                    cell(MemberField::OrgCode).text(),
                    cell(MemberField::OrgName).text(),
                )
                .await?
            {
                Ok(v) => Some(v),
                Err(problem) => {
                    errs.push(RowError {
                        row: *row,
                        column: col(org_col),
                        problem,
                    });
                    None
                }
            };
            if let (
                Some(kind),
                Some(name),
                Some(birth),
                Some(gender),
                Some(ethnicity),
                Some(cid),
                Some(card),
                Some(admitted),
                Some(full_on),
                Some(exempt),
                Some(phone),
                Some(org),
            ) = (
                kind, name, birth, gender, ethnicity, cid, card, admitted, full_on, exempt, phone, org,
            ) {
                let record = PersonRecord {
                    kind,
                    name,
                    gender,
                    birth_date: birth,
                    ethnicity,
                    citizen_id: cid,
                    card_number: card,
                    admitted_on: admitted,
                    full_on,
                    exempt,
                    phone,
                };
                for (f, problem) in record.check(today) {
                    errs.push(RowError {
                        row: *row,
                        column: col(f),
                        problem,
                    });
                }
                if errs.is_empty() {
                    parsed.push(Parsed {
                        row: *row,
                        record,
                        org: org.0,
                        org_from: org.1,
                    });
                }
            }
            if !errs.is_empty() {
                bad_rows.push(i);
                report.errors.extend(errs);
            }
        }

        // Match against the people already recorded.
        let mut by_card: HashMap<String, PersonId> = HashMap::new();
        let mut by_cid: HashMap<String, PersonId> = HashMap::new();
        for (id, card, cid) in tx.person_keys().await? {
            if let Some(c) = card {
                by_card.insert(c, id);
            }
            if let Some(c) = cid {
                by_cid.insert(c, id);
            }
        }
        let org_column = cols
            .get(&MemberField::OrgCode)
            .or_else(|| cols.get(&MemberField::OrgName))
            .map(|c| c.1.clone())
            .unwrap_or_default();
        let mut matched: Vec<(usize, Option<PersonId>)> = Vec::with_capacity(parsed.len());
        for (k, p) in parsed.iter().enumerate() {
            let a = p
                .record
                .card_number
                .as_ref()
                .and_then(|c| by_card.get(c.as_str()).copied());
            let b = p
                .record
                .citizen_id
                .as_ref()
                .and_then(|c| by_cid.get(c.as_str()).copied());
            match (a, b) {
                (Some(x), Some(y)) if x != y => {
                    report.errors.push(RowError {
                        row: p.row,
                        column: cols
                            .get(&MemberField::CitizenId)
                            .map(|c| c.1.clone())
                            .unwrap_or_default(),
                        problem: Invalid::inconsistent(
                            "Số thẻ đảng viên và số CCCD thuộc về hai người khác nhau đã có trong hệ thống",
                            "The party card number and the citizen ID belong to two different people already recorded",
                        ),
                    });
                    if let Some(i) = data.iter().position(|(r, _)| *r == p.row) {
                        bad_rows.push(i);
                    }
                }
                (x, y) => matched.push((k, x.or(y))),
            }
        }
        // A move to another cell takes effect on the import day, which must not come before
        // the day the person's current placement began.
        let open = tx.open_placements().await?;
        if let Some(scope) = &opts.scope {
            let mut outside = Vec::new();
            for (k, id) in &matched {
                let Some((_, org, _)) = id.and_then(|id| open.get(&id)) else {
                    continue;
                };
                let inside = match tx.org_by_id(*org, opts.on).await? {
                    Some(v) => scope.iter().any(|r| r.contains(&v.path)),
                    None => false,
                };
                if !inside {
                    outside.push(*k);
                }
            }
            matched.retain(|(k, _)| {
                if !outside.contains(k) {
                    return true;
                }
                let p = &parsed[*k];
                report.errors.push(RowError {
                    row: p.row,
                    column: cols
                        .get(&MemberField::CardNumber)
                        .or_else(|| cols.get(&MemberField::CitizenId))
                        .map(|c| c.1.clone())
                        .unwrap_or_default(),
                    problem: Invalid::inconsistent(
                        "Người này đang sinh hoạt ở tổ chức ngoài phạm vi bạn quản lý",
                        "This person belongs to an organization outside your scope",
                    ),
                });
                if let Some(i) = data.iter().position(|(r, _)| *r == p.row) {
                    bad_rows.push(i);
                }
                false
            });
        }
        matched.retain(|(k, id)| {
            let p = &parsed[*k];
            match id.and_then(|id| open.get(&id)) {
                Some((_, org, from)) if *org != p.org && opts.on < *from => {
                    report.errors.push(RowError {
                        row: p.row,
                        column: org_column.clone(),
                        problem: Invalid::inconsistent(
                            format!(
                                "Người này sinh hoạt ở chi bộ hiện tại từ ngày {}, sau ngày nhập {}: hãy nhập với --date từ {} trở đi",
                                short(*from),
                                short(opts.on),
                                short(*from)
                            ),
                            format!(
                                "This person has been in their current cell since {}, after the import day {}: import with --date {} or later",
                                short(*from),
                                short(opts.on),
                                short(*from)
                            ),
                        ),
                    });
                    if let Some(i) = data.iter().position(|(r, _)| *r == p.row) {
                        bad_rows.push(i);
                    }
                    false
                }
                _ => true,
            }
        });
        report.errors.sort_by_key(|e| e.row);
        bad_rows.sort_unstable();
        bad_rows.dedup();
        report.rejected_rows = bad_rows.len();
        if !report.errors.is_empty() && !opts.skip_invalid {
            return Ok(report);
        }
        if opts.skip_invalid && !bad_rows.is_empty() && !opts.dry_run {
            let dest = opts.rejects.clone().unwrap_or_else(|| path.with_extension("loi.csv"));
            let mut header: Vec<String> = table.rows[header_idx].1.iter().map(Cell::text).collect();
            header.push("Lỗi".into());
            let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
            let rows: Vec<Vec<Out>> = bad_rows
                .iter()
                .map(|&i| {
                    let (r, cells) = &data[i];
                    let mut out: Vec<Out> = cells
                        .iter()
                        .map(|c| match c {
                            Cell::Date(n) => {
                                from_spreadsheet_serial(*n).map_or_else(|_| Out::Text(c.text()), Out::Date)
                            }
                            c => Out::Text(c.text()),
                        })
                        .collect();
                    out.resize(header.len() - 1, Out::Empty);
                    let msgs: Vec<String> = report
                        .errors
                        .iter()
                        .filter(|e| e.row == *r)
                        .map(|e| e.message(Lang::Vi))
                        .collect();
                    out.push(Out::Text(msgs.join("; ")));
                    out
                })
                .collect();
            table::write(&dest, None, &header_refs, &rows)?;
            report.rejects_file = Some(dest);
        }

        // Write: new people in batches, updates one by one, placements in batches.
        let fresh: Vec<&Parsed> = matched
            .iter()
            .filter(|(_, id)| id.is_none())
            .map(|(k, _)| &parsed[*k])
            .collect();
        let ids = tx.reserve_person_ids(fresh.len()).await?;
        let split: Vec<(NewPerson, Option<MembershipRow>)> = fresh.iter().map(|p| split_record(&p.record)).collect();
        let people: Vec<(PersonId, &NewPerson)> = ids.iter().copied().zip(split.iter().map(|s| &s.0)).collect();
        tx.insert_people(&people).await?;
        let memberships: Vec<(PersonId, &MembershipRow)> = ids
            .iter()
            .copied()
            .zip(split.iter())
            .filter_map(|(id, s)| s.1.as_ref().map(|m| (id, m)))
            .collect();
        tx.upsert_memberships(&memberships).await?;
        let placements: Vec<(PersonId, OrgId, Date, &str)> = ids
            .iter()
            .zip(&fresh)
            .map(|(id, p)| {
                // Members from their admission (or their cell's founding), so that a first
                // import of a registry counts in past years; others from the import day.
                let from = p.record.admitted_on.map_or(opts.on, |a| a.max(p.org_from).min(opts.on));
                (*id, p.org, from, "import")
            })
            .collect();
        tx.insert_placements(&placements).await?;
        report.created = fresh.len();
        progress(total + total / 2, total * 2);

        let mut updates_m = Vec::new();
        let mut moves = Vec::new();
        let mut ends = Vec::new();
        for (k, id) in &matched {
            let Some(id) = *id else { continue };
            let p = &parsed[*k];
            // A column the file lacks, or a blank optional cell, keeps what is recorded.
            let (mut person, membership) = split_record(&p.record);
            let stored = tx.person(id).await?;
            let stored_m = stored.as_ref().and_then(|r| r.membership.clone());
            if let Some(old) = &stored {
                person.citizen_id = person.citizen_id.or(old.person.citizen_id.clone());
                person.phone = person.phone.or(old.person.phone.clone());
            }
            tx.update_person(id, &person, stored.as_ref().map(|s| &s.person.name))
                .await?;
            if let Some(mut m) = membership {
                if let Some(old) = stored_m {
                    m.card_number = m.card_number.or(old.card_number);
                    m.full_on = m.full_on.or(old.full_on);
                    if !cols.contains_key(&MemberField::Exempt) {
                        m.exempt = old.exempt;
                    }
                }
                updates_m.push((id, m));
            }
            match open.get(&id) {
                Some((_, org, _)) if *org == p.org => {}
                Some((placement, _, _)) => {
                    ends.push(*placement);
                    moves.push((id, p.org, opts.on, "transfer"));
                    report.transferred += 1;
                }
                None => moves.push((id, p.org, opts.on, "import")),
            }
            report.updated += 1;
        }
        let refs: Vec<(PersonId, &MembershipRow)> = updates_m.iter().map(|(i, m)| (*i, m)).collect();
        tx.upsert_memberships(&refs).await?;
        tx.end_placements(&ends, opts.on).await?;
        tx.insert_placements(&moves).await?;
        self.audit(
            &mut tx,
            "import.members",
            &format!(
                "file:{}",
                opts.name
                    .as_deref()
                    .or_else(|| path.file_name().and_then(|f| f.to_str()))
                    .unwrap_or_default()
            ),
            &format!(
                "{} dòng: tạo {}, cập nhật {}, chuyển {}, loại {}",
                report.rows, report.created, report.updated, report.transferred, report.rejected_rows
            ),
        )
        .await?;
        progress(total * 2, total * 2);
        if opts.dry_run {
            // Dropping the transaction rolls back: the counts are real, nothing is kept.
            return Ok(report);
        }
        tx.commit().await?;
        report.applied = true;
        // A large load changes the shape of the data the planner plans for.
        if report.created + report.updated >= 1000 {
            self.db.analyze().await?;
        }
        Ok(report)
    }
}

/// The spreadsheet kinds the importer reads, by file extension.
pub const IMPORT_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "ods", "csv"];

/// The extension of an uploaded file's name, if it is one the importer reads.
pub fn import_extension(filename: &str) -> Result<&'static str> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    IMPORT_EXTENSIONS.into_iter().find(|e| *e == ext).ok_or_else(|| {
        AppError::rejected(
            "Chỉ nhận tệp bảng tính .xlsx, .xls, .ods hoặc .csv",
            "Only spreadsheet files are accepted: .xlsx, .xls, .ods or .csv",
        )
    })
}

impl App {
    /// Keeps an uploaded file for `account_id` until its import is confirmed, and returns
    /// the token that names it. The file's kind is checked first.
    pub async fn stage_upload(&self, account_id: i64, filename: &str, content: &[u8]) -> Result<String> {
        import_extension(filename)?;
        if content.is_empty() {
            return Err(AppError::rejected("Tệp tải lên rỗng", "The uploaded file is empty"));
        }
        let token = crate::accounts::random_token();
        let mut tx = self.db.append().await?;
        tx.insert_upload(
            &crate::accounts::token_hash(&token),
            account_id,
            filename,
            content,
            &self.clock.timestamp(),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Imports a staged upload (a dry run when `opts.dry_run`); the upload is forgotten
    /// once really imported. Returns the file's name and the report.
    pub async fn import_upload(
        &self,
        account_id: i64,
        token: &str,
        opts: &ImportOptions,
    ) -> Result<(String, ImportReport)> {
        let hash = crate::accounts::token_hash(token);
        let found = {
            let mut tx = self.db.read().await?;
            tx.upload(&hash, account_id).await?
        };
        let Some((filename, content)) = found else {
            return Err(AppError::NotFound {
                vi: "Tệp đã tải lên không còn; hãy tải lên lại".into(),
                what: "the uploaded file is gone; upload it again".into(),
            });
        };
        let ext = import_extension(&filename)?;
        // The importer reads files; the upload is written to a private temporary one
        // whose name is ours, never the uploader's.
        let dir = std::env::temp_dir().join(format!("dangbo-import-{}", crate::accounts::random_token()));
        std::fs::create_dir(&dir).map_err(|e| AppError::file(&dir, e))?;
        let path = dir.join(format!("tai-len.{ext}"));
        let result = async {
            std::fs::write(&path, &content).map_err(|e| AppError::file(&path, e))?;
            let opts = ImportOptions {
                rejects: Some(dir.join("loi.csv")),
                name: Some(filename.clone()),
                ..opts.clone()
            };
            self.import_members(&path, &opts, &|_, _| {}).await
        }
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        let report = result?;
        if report.applied {
            let mut tx = self.db.append().await?;
            tx.delete_upload(&hash, &self.clock.timestamp_in(-86_400)).await?;
            tx.commit().await?;
        }
        Ok((filename, report))
    }
}
