//! The reporting regime (chế độ báo cáo): an organization asks the organizations directly
//! under it for a report on a period by a deadline; each fills in the form (partly
//! pre-filled from dangbo's own figures) and submits; the requester sees who has
//! submitted and who is late, reminds them, and compiles the submissions into one table.
//! Two people editing one submission cannot overwrite each other: each save names the
//! version it started from, and a save from an older version is refused with who saved
//! in between.

use crate::access::{Action, Caller};
use crate::{App, AppError, Result};
use dangbo_domain::date::{parse_date, short, timestamp_short};
use dangbo_domain::org::{OrgCode, OrgId, OrgKind};
use dangbo_domain::report::{
    Field, FieldKind, Prefill, answers_text, check_answers, fields_text, parse_fields, stored_answers, stored_fields,
};
use dangbo_domain::{Date, Lang};
use dangbo_store::{OrgVersion, RequestRow, SubmissionRow};

/// A request as typed.
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    /// The organization asking.
    pub org: String,
    /// What it asks for.
    pub title: String,
    /// The period: first and last day.
    pub period_from: String,
    /// Last day of the period.
    pub period_to: String,
    /// The last day to submit.
    pub deadline: String,
    /// The fields, one per line (`dangbo_domain::report::parse_fields`).
    pub fields: String,
}

/// Where an organization's submission stands.
#[derive(Debug, Clone)]
pub struct SubmissionLine {
    /// The organization.
    pub org: OrgVersion,
    /// Its submission.
    pub submission: SubmissionRow,
    /// Not submitted and the deadline has passed.
    pub late: bool,
    /// The reminders sent to it.
    pub reminders: Vec<String>,
}

/// A request as its organization sees it.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The request.
    pub request: RequestRow,
    /// The organization asking.
    pub org: OrgVersion,
    /// Its fields.
    pub fields: Vec<Field>,
    /// The organizations asked.
    pub lines: Vec<SubmissionLine>,
}

impl RequestView {
    /// How many have submitted.
    pub fn submitted(&self) -> usize {
        self.lines.iter().filter(|l| l.submission.status == "submitted").count()
    }

    /// The submitted answers compiled: a row per organization that submitted, and the
    /// totals of the number fields (empty for text fields).
    pub fn compiled(&self) -> (Vec<(String, Vec<String>)>, Vec<String>) {
        let mut rows = Vec::new();
        let mut totals = vec![0u64; self.fields.len()];
        for l in self.lines.iter().filter(|l| l.submission.status == "submitted") {
            let answers = stored_answers(&l.submission.answers);
            let values: Vec<String> = self
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let v = answers
                        .iter()
                        .find(|(k, _)| *k == f.key)
                        .map_or("", |(_, v)| v.as_str());
                    if f.kind == FieldKind::Number {
                        totals[i] += v.parse::<u64>().unwrap_or(0);
                    }
                    v.to_string()
                })
                .collect();
            rows.push((l.org.name.to_string(), values));
        }
        let totals = self
            .fields
            .iter()
            .zip(totals)
            .map(|(f, t)| {
                if f.kind == FieldKind::Number {
                    dangbo_domain::number::thousands(t)
                } else {
                    String::new()
                }
            })
            .collect();
        (rows, totals)
    }
}

/// One organization's form.
#[derive(Debug, Clone)]
pub struct FormView {
    /// The request.
    pub request: RequestRow,
    /// The organization asking.
    pub requester: OrgVersion,
    /// The organization answering.
    pub org: OrgVersion,
    /// Each field with its value: as saved, or as dangbo fills it in.
    pub values: Vec<(Field, String)>,
    /// The submission as stored.
    pub submission: SubmissionRow,
    /// The reminders received.
    pub reminders: Vec<String>,
}

fn no_request(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có yêu cầu báo cáo số {id}"),
        what: format!("no report request number {id}"),
    }
}

fn day(label: &str, s: &str) -> Result<Date> {
    parse_date(s).map_err(|e| AppError::field(label, e))
}

impl App {
    /// Asks the organizations directly under `input.org` for a report.
    pub async fn create_report_request(&self, caller: &Caller, input: &RequestInput) -> Result<i64> {
        let code = OrgCode::parse(&input.org).map_err(|e| AppError::field("Tổ chức", e))?;
        let today = self.clock.today();
        let org = self.org_for(caller, Action::Report, &code, today).await?;
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 300 {
            return Err(AppError::rejected(
                "Nhập tên báo cáo (không quá 300 ký tự)",
                "Type the report's title (at most 300 characters)",
            ));
        }
        let from = day("Từ ngày", &input.period_from)?;
        let to = day("Đến ngày", &input.period_to)?;
        let deadline = day("Hạn nộp", &input.deadline)?;
        if from > to {
            return Err(AppError::rejected(
                "Kỳ báo cáo: ngày bắt đầu phải trước ngày kết thúc",
                "The period must start before it ends",
            ));
        }
        if deadline < today {
            return Err(AppError::rejected(
                format!("Hạn nộp {} đã qua", short(deadline)),
                format!("The deadline {} has passed", short(deadline)),
            ));
        }
        let fields = parse_fields(&input.fields).map_err(|m| AppError::rejected(m.clone(), m))?;
        let mut tx = self.db.write().await?;
        let asked: Vec<OrgId> = tx.org_children(org.id, today).await?.iter().map(|o| o.id).collect();
        if asked.is_empty() {
            return Err(AppError::rejected(
                format!("{} không có tổ chức trực thuộc để yêu cầu báo cáo", org.name),
                format!("{} has no organizations under it to ask", org.name),
            ));
        }
        let row = RequestRow {
            id: 0,
            org_id: org.id,
            title: title.to_string(),
            period: (from, to),
            deadline,
            fields: fields_text(&fields),
            created_by: self.actor.clone(),
        };
        let id = tx.insert_report_request(&row, &asked, &self.clock.timestamp()).await?;
        self.audit(
            &mut tx,
            "report.request",
            &format!("report:{id}"),
            &format!(
                "{}: {title}, hạn {} ({} tổ chức)",
                org.code,
                short(deadline),
                asked.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The requests an organization made, and those it was asked (with its status).
    pub async fn report_requests(
        &self,
        caller: &Caller,
        org: &OrgCode,
    ) -> Result<(OrgVersion, Vec<RequestRow>, Vec<(RequestRow, String)>)> {
        let org = self.org_for(caller, Action::Report, org, self.clock.today()).await?;
        let mut tx = self.db.read().await?;
        let made = tx.report_requests_by(org.id).await?;
        let asked = tx.report_requests_to(org.id).await?;
        Ok((org, made, asked))
    }

    /// A request with every organization's submission, for its organization's office.
    pub async fn report_request(&self, caller: &Caller, id: i64) -> Result<RequestView> {
        let today = self.clock.today();
        let mut tx = self.db.read().await?;
        let request = tx.report_request(id).await?.ok_or_else(|| no_request(id))?;
        let code = tx.org_code_of(request.org_id).await?.ok_or_else(|| no_request(id))?;
        drop(tx);
        let org = self
            .org_for(caller, Action::Report, &code, today)
            .await
            .map_err(|_| no_request(id))?;
        let mut tx = self.db.read().await?;
        let reminders = tx.reminders(id).await?;
        let mut lines = Vec::new();
        for s in tx.submissions(id).await? {
            // The organization as it was on the day asked, if it has gone since.
            let version = match tx.org_by_id(s.org_id, today).await? {
                Some(v) => Some(v),
                None => tx.org_by_id(s.org_id, request.period.1).await?,
            };
            let Some(o) = version else { continue };
            lines.push(SubmissionLine {
                late: s.status != "submitted" && today > request.deadline,
                reminders: reminders
                    .iter()
                    .filter(|(r, _)| *r == s.org_id)
                    .map(|(_, at)| timestamp_short(at))
                    .collect(),
                org: o,
                submission: s,
            });
        }
        lines.sort_by(|a, b| a.org.name.as_str().cmp(b.org.name.as_str()));
        Ok(RequestView {
            fields: stored_fields(&request.fields),
            request,
            org,
            lines,
        })
    }

    /// The form of `org` for request `id`: its answers as saved, or dangbo's own
    /// figures where the field asks for them and nothing is saved yet.
    pub async fn report_form(&self, caller: &Caller, id: i64, org: &OrgCode) -> Result<FormView> {
        let today = self.clock.today();
        let responder = self
            .org_for(caller, Action::Report, org, today)
            .await
            .map_err(|_| no_request(id))?;
        let mut tx = self.db.read().await?;
        let request = tx.report_request(id).await?.ok_or_else(|| no_request(id))?;
        let submission = tx.submission(id, responder.id).await?.ok_or_else(|| no_request(id))?;
        let requester = tx
            .org_by_id(request.org_id, today)
            .await?
            .ok_or_else(|| no_request(id))?;
        let reminders = tx
            .reminders(id)
            .await?
            .into_iter()
            .filter(|(o, _)| *o == responder.id)
            .map(|(_, at)| timestamp_short(&at))
            .collect();
        drop(tx);
        let saved = stored_answers(&submission.answers);
        let fields = stored_fields(&request.fields);
        let mut values = Vec::new();
        for f in fields {
            let v = match saved.iter().find(|(k, _)| *k == f.key) {
                Some((_, v)) => v.clone(),
                None if submission.version == 0 => self.prefill(&responder, f.prefill, request.period.1).await?,
                None => String::new(),
            };
            values.push((f, v));
        }
        Ok(FormView {
            request,
            requester,
            org: responder,
            values,
            submission,
            reminders,
        })
    }

    /// What dangbo knows for a field of `org` at the end of the period.
    async fn prefill(&self, org: &OrgVersion, what: Prefill, on: Date) -> Result<String> {
        if what == Prefill::None {
            return Ok(String::new());
        }
        let tree = self.tree(Some(&org.code), on).await.unwrap_or_default();
        Ok(match what {
            Prefill::People => tree.first().map_or(0, |n| n.people),
            Prefill::Cells => tree
                .iter()
                .filter(|n| matches!(n.org.kind, OrgKind::BaseCell | OrgKind::SubordinateCell))
                .count() as u64,
            Prefill::None => 0,
        }
        .to_string())
    }

    /// Saves `org`'s answers to request `id`, from the version the form was opened at;
    /// submits them if `submit`. A save made in between is not overwritten: the caller is
    /// told who saved and when, and nothing changes.
    pub async fn save_report(
        &self,
        caller: &Caller,
        id: i64,
        org: &OrgCode,
        version: i64,
        answers: &[(String, String)],
        submit: bool,
    ) -> Result<()> {
        let form = self.report_form(caller, id, org).await?;
        let fields: Vec<Field> = form.values.iter().map(|(f, _)| f.clone()).collect();
        let checked = check_answers(&fields, answers, Lang::Vi).map_err(|m| AppError::rejected(m.clone(), m))?;
        if submit
            && let Some((f, _)) = fields
                .iter()
                .zip(&checked)
                .find(|(f, (_, v))| f.kind == FieldKind::Number && v.is_empty())
        {
            return Err(AppError::rejected(
                format!("Nộp báo cáo: còn thiếu «{}»", f.label),
                format!("To submit, fill in «{}»", f.label),
            ));
        }
        let mut tx = self.db.write().await?;
        let now = self.clock.timestamp();
        if !tx
            .save_submission(
                id,
                form.org.id,
                version,
                &answers_text(&checked),
                submit,
                (&self.actor, &now),
            )
            .await?
        {
            let current = tx.submission(id, form.org.id).await?;
            let who = current
                .and_then(|s| s.updated)
                .map(|(by, at)| {
                    let who = by.strip_prefix("user:").unwrap_or(&by).to_string();
                    format!("{who} lúc {}", timestamp_short(&at))
                })
                .unwrap_or_default();
            return Err(AppError::rejected(
                format!(
                    "Báo cáo này vừa được người khác lưu ({who}) sau khi đồng chí mở. Nội dung của đồng chí chưa được lưu: hãy mở lại báo cáo, xem nội dung mới rồi sửa tiếp."
                ),
                format!(
                    "Someone else saved this report ({who}) after you opened it. Your changes were not saved: open it again, read theirs, and edit from there."
                ),
            ));
        }
        self.audit(
            &mut tx,
            if submit { "report.submit" } else { "report.save" },
            &format!("report:{id}"),
            &format!("{} phiên bản {}", form.org.code, version + 1),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reminds the organizations that have not submitted (or only `only`). How many.
    pub async fn remind(&self, caller: &Caller, id: i64, only: Option<&OrgCode>) -> Result<usize> {
        let v = self.report_request(caller, id).await?;
        let targets: Vec<&SubmissionLine> = v
            .lines
            .iter()
            .filter(|l| l.submission.status != "submitted")
            .filter(|l| only.is_none_or(|c| l.org.code == *c))
            .collect();
        if targets.is_empty() {
            return Err(AppError::rejected(
                "Không có tổ chức nào cần nhắc: tất cả đã nộp",
                "Nobody to remind: all have submitted",
            ));
        }
        let mut tx = self.db.write().await?;
        let now = self.clock.timestamp();
        for l in &targets {
            tx.insert_reminder(id, l.org.id, &now, &self.actor).await?;
        }
        let codes: Vec<String> = targets.iter().map(|l| l.org.code.to_string()).collect();
        self.audit(&mut tx, "report.remind", &format!("report:{id}"), &codes.join(", "))
            .await?;
        tx.commit().await?;
        Ok(targets.len())
    }

    /// Writes the compiled submissions to `path` (`.xlsx` or `.csv`): one row per
    /// organization that submitted, then the totals. Audited. Returns how many rows.
    pub async fn export_compiled(&self, caller: &Caller, id: i64, path: &std::path::Path) -> Result<usize> {
        use crate::table::Out;
        let v = self.report_request(caller, id).await?;
        let (rows, totals) = v.compiled();
        let mut header = vec!["Tổ chức"];
        header.extend(v.fields.iter().map(|f| f.label.as_str()));
        let mut out: Vec<Vec<Out>> = rows
            .iter()
            .map(|(name, values)| {
                std::iter::once(Out::Text(name.clone()))
                    .chain(values.iter().map(|v| Out::Text(v.clone())))
                    .collect()
            })
            .collect();
        out.push(
            std::iter::once(Out::Text("Tổng cộng".into()))
                .chain(totals.iter().map(|t| Out::Text(t.clone())))
                .collect(),
        );
        let title = self.export_title(&format!("báo cáo số {id}"));
        crate::table::write(path, Some(&title), &header, &out)?;
        self.audit_read(
            "report.export",
            &format!("report:{id}"),
            &format!("{} dòng", rows.len()),
        )
        .await?;
        Ok(rows.len())
    }
}
