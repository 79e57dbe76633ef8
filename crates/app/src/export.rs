//! Exporting a subtree as of a day: organizations and members, with the same headers
//! the importers read, so an export imports back into an empty database unchanged.

use crate::orgs::{NewOrg, get, sorted_tree};
use crate::table::{self, Cell, Out};
use crate::{App, AppError, Result};
use dangbo_domain::date::{from_spreadsheet_serial, parse_date, short};
use dangbo_domain::member::MemberField;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Invalid, Lang};
use dangbo_store::MemberFilter;
use std::path::Path;

/// The columns of an organization file.
pub const ORG_HEADERS: [&str; 6] = ["Mã", "Tên tổ chức", "Loại", "Cấp", "Mã cấp trên", "Từ ngày"];

impl App {
    /// The line an exported file opens with: who made it, when, and of what.
    pub(crate) fn export_title(&self, what: &str) -> String {
        let at = dangbo_domain::date::timestamp_short(&self.clock.timestamp());
        format!("Xuất từ dangbo bởi {} lúc {at}: {what}", self.actor_name())
    }

    /// Writes the members placed under `org` on `on` to `path` (`.xlsx` or `.csv`), in
    /// Vietnamese name order. Returns how many. The export is audited.
    pub async fn export_members(&self, org: &OrgCode, on: Date, path: &Path) -> Result<usize> {
        let root = self.org(org, on).await?;
        let filter = MemberFilter {
            subtree: Some(root.path),
            on,
            query: None,
            kind: None,
            gender: None,
            status: None,
            ethnicity: None,
            limit: 0,
            offset: 0,
            after: None,
            before: None,
        };
        self.export_filtered(&filter, &format!("org:{org}"), path).await
    }

    /// Writes everyone `filter` selects (all pages) to `path`; `label` names the list in
    /// the audit log, which records the export before the file is written.
    pub async fn export_filtered(&self, filter: &MemberFilter, label: &str, path: &Path) -> Result<usize> {
        let mut tx = self.db.read().await?;
        let mut rows = Vec::new();
        let mut filter = MemberFilter {
            limit: 5000,
            offset: 0,
            after: None,
            before: None,
            ..filter.clone()
        };
        // Counted once: the count picks the plan, and the pages after the first follow the key.
        let total = tx.member_count(&filter).await?;
        loop {
            let page = tx.member_page(&filter, total).await?;
            let Some(last) = page.last() else { break };
            filter.after = Some(last.row.id);
            for v in page {
                let p = &v.row.person;
                let m = v.row.membership.as_ref();
                let text = |s: Option<&str>| s.map_or(Out::Empty, |s| Out::Text(s.to_string()));
                rows.push(vec![
                    Out::Text(p.name.full().to_string()),
                    Out::Text(p.kind.vi().to_string()),
                    Out::Date(p.birth_date),
                    Out::Text(p.gender.vi().to_string()),
                    Out::Text(p.ethnicity.name().to_string()),
                    text(p.citizen_id.as_ref().map(|c| c.as_str())),
                    text(m.and_then(|m| m.card_number.as_ref()).map(|c| c.as_str())),
                    m.map_or(Out::Empty, |m| Out::Date(m.admitted_on)),
                    m.and_then(|m| m.full_on).map_or(Out::Empty, Out::Date),
                    Out::Text(if m.is_some_and(|m| m.exempt) { "Có" } else { "Không" }.into()),
                    text(p.phone.as_ref().map(|c| c.as_str())),
                    Out::Text(v.org_code.to_string()),
                    Out::Text(v.org_name.to_string()),
                ]);
            }
        }
        let header: Vec<&str> = MemberField::ALL.iter().map(|f| f.header(Lang::Vi)).collect();
        drop(tx);
        // The export is recorded before the file exists: no copy of personal data leaves
        // without its line in the audit log.
        self.audit_read(
            "export.members",
            label,
            &format!(
                "{} người, ngày {}, tệp {}",
                rows.len(),
                short(filter.on),
                path.file_name().and_then(|f| f.to_str()).unwrap_or_default()
            ),
        )
        .await?;
        let title = self.export_title(&format!("đảng viên {label}, ngày {}", short(filter.on)));
        table::write(path, Some(&title), &header, &rows)?;
        Ok(rows.len())
    }

    /// Writes the tree under `org` on `on` to `path`, parents before children.
    pub async fn export_orgs(&self, org: &OrgCode, on: Date, path: &Path) -> Result<usize> {
        let mut tx = self.db.read().await?;
        let root = get(&mut tx, org, on).await?;
        let nodes = sorted_tree(tx.org_subtree(&root.path, on).await?);
        let codes: std::collections::HashMap<_, _> = nodes.iter().map(|n| (n.id, n.code.clone())).collect();
        // «Từ ngày» is the node's founding day, but never before its parent's (a cell moved
        // under a newer committee), so that the file imports parent first on any database.
        let founding = tx.org_founding_days().await?;
        let mut from: std::collections::HashMap<_, Date> = std::collections::HashMap::new();
        let mut rows: Vec<Vec<Out>> = Vec::with_capacity(nodes.len());
        for n in &nodes {
            let founded = founding.get(&n.id).copied().unwrap_or(n.validity.from);
            let start = n
                .parent
                .and_then(|p| from.get(&p))
                .map_or(founded, |p| (*p).max(founded));
            from.insert(n.id, start);
            rows.push(vec![
                Out::Text(n.code.to_string()),
                Out::Text(n.name.to_string()),
                Out::Text(n.kind.vi().to_string()),
                Out::Text(n.level.vi().to_string()),
                n.parent
                    .and_then(|p| codes.get(&p))
                    .map_or(Out::Empty, |c| Out::Text(c.to_string())),
                Out::Date(start),
            ]);
        }
        // Read before the audit line is written: holding one connection while waiting
        // for another can take the whole pool.
        drop(tx);
        self.audit_read(
            "export.orgs",
            &format!("org:{org}"),
            &format!("{} tổ chức, ngày {}", rows.len(), short(on)),
        )
        .await?;
        let title = self.export_title(&format!("tổ chức {org}, ngày {}", short(on)));
        table::write(path, Some(&title), &ORG_HEADERS, &rows)?;
        Ok(rows.len())
    }

    /// Creates the organizations listed in `path` (the columns of [`ORG_HEADERS`]), all or
    /// none. Parents must come before their children or exist already. Returns how many,
    /// or the problems found, by row.
    pub async fn import_orgs(&self, path: &Path) -> Result<std::result::Result<usize, Vec<crate::import::RowError>>> {
        let table = table::read(path)?;
        let mut errors = Vec::new();
        // The header is the first of the first 20 rows to name the four required columns;
        // title rows above it are skipped.
        let fold = dangbo_domain::name::fold;
        let found = table.rows.iter().take(20).position(|(_, cells)| {
            let header: Vec<String> = cells.iter().map(|c| fold(&c.text())).collect();
            ORG_HEADERS[..4].iter().all(|h| header.contains(&fold(h)))
        });
        let Some(start) = found else {
            return Ok(Err(vec![crate::import::RowError {
                row: 0,
                column: String::new(),
                problem: Invalid::inconsistent(
                    format!(
                        "Tệp tổ chức cần một dòng tiêu đề với các cột: {}",
                        ORG_HEADERS.join(", ")
                    ),
                    format!(
                        "An organization file needs a header row with the columns: {}",
                        ORG_HEADERS.join(", ")
                    ),
                ),
            }]));
        };
        let header: Vec<String> = table.rows[start].1.iter().map(|c| fold(&c.text())).collect();
        let idx: Vec<Option<usize>> = ORG_HEADERS
            .iter()
            .map(|h| header.iter().position(|x| *x == fold(h)))
            .collect();
        let mut tx = self.db.write().await?;
        let mut created = 0;
        for (row, cells) in &table.rows[start + 1..] {
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            let cell = |i: usize| idx[i].and_then(|c| cells.get(c)).cloned().unwrap_or(Cell::Empty);
            let mut err = |i: usize, problem: Invalid| {
                errors.push(crate::import::RowError {
                    row: *row,
                    column: ORG_HEADERS[i].into(),
                    problem,
                })
            };
            let code = OrgCode::parse(&cell(0).text()).map_err(|e| err(0, e)).ok();
            let name = OrgName::parse(&cell(1).text()).map_err(|e| err(1, e)).ok();
            let kind = OrgKind::parse_text(&cell(2).text())
                .ok_or_else(|| err(2, Invalid::OrgKind(cell(2).text())))
                .ok();
            let level = Level::parse_text(&cell(3).text())
                .ok_or_else(|| err(3, Invalid::Level(cell(3).text())))
                .ok();
            let parent_text = cell(4).text();
            let parent = if parent_text.is_empty() {
                Some(None)
            } else {
                OrgCode::parse(&parent_text).map(Some).map_err(|e| err(4, e)).ok()
            };
            let from = match cell(5) {
                Cell::Date(n) | Cell::Number(n) => from_spreadsheet_serial(n).map_err(|e| err(5, e)).ok(),
                c if c.is_blank() => {
                    err(5, Invalid::Missing);
                    None
                }
                c => parse_date(&c.text()).map_err(|e| err(5, e)).ok(),
            };
            if let (Some(code), Some(name), Some(kind), Some(level), Some(parent), Some(from)) =
                (code, name, kind, level, parent, from)
            {
                let new = NewOrg {
                    code,
                    name,
                    kind,
                    level,
                    parent,
                };
                match crate::orgs::create_in(&mut tx, &new, from, "import").await {
                    Ok(_) => created += 1,
                    Err(e @ (AppError::Rejected { .. } | AppError::NotFound { .. })) => {
                        errors.push(crate::import::RowError {
                            row: *row,
                            column: ORG_HEADERS[if matches!(e, AppError::NotFound { .. }) { 4 } else { 0 }].into(),
                            problem: Invalid::inconsistent(e.message(Lang::Vi), e.message(Lang::En)),
                        })
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        self.audit(
            &mut tx,
            "import.orgs",
            &format!("file:{}", path.display()),
            &format!("{created} tổ chức"),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(created))
    }
}
