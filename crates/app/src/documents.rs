//! Issued documents: registering them with a parsed number, attaching their files
//! (checked for size and type), their targets, and the follow-up tasks they give.

use crate::access::{Action, Caller, scope_roots, within};
use crate::{App, AppError, Result};
use dangbo_domain::date::{parse_date, parse_deadline, short};
use dangbo_domain::document::DocumentNumber;
use dangbo_domain::indicator::Indicator;
use dangbo_domain::org::{Level, OrgCode};
use dangbo_domain::{Date, Invalid};
use dangbo_store::{AttachmentRow, DocumentRow, TargetRow, TaskRow};
use sha2::Digest;

/// The largest file attached to a document or a learning report.
pub const MAX_FILE: usize = 20 * 1024 * 1024;

/// A document as typed in a form or on the command line.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    /// Number with symbol, `116-NQ/TU`.
    pub number: String,
    /// The issuing body in words.
    pub issued_by: String,
    /// The registering organization's code.
    pub org: String,
    /// The day, `dd/mm/yyyy`.
    pub issued_on: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Groups of solutions, one per line.
    pub solutions: String,
    /// The kind's code (`law`, `resolution`) where the number leaves it unsaid, as
    /// `202/2025/QH15` does; empty otherwise.
    pub kind: String,
}

/// A target as typed in the document's form.
#[derive(Debug, Clone, Default)]
pub struct TargetInput {
    /// A computed indicator's code, or empty for one the organizations report.
    pub indicator: String,
    /// The target as the document words it.
    pub label: String,
    /// `ge`, `le` or `between`.
    pub comparison: String,
    /// The value, or the lower bound (`10` or `10,5`).
    pub value: String,
    /// The upper bound, for `between`.
    pub value_to: String,
    /// The deadline, `dd/mm/yyyy`.
    pub deadline: String,
    /// The levels' codes.
    pub levels: Vec<String>,
    /// For appointments and rotations: the code of the organization whose standing
    /// committee manages the cadres counted; empty for all.
    pub managed_by: String,
}

/// A document with what hangs from it.
#[derive(Debug, Clone)]
pub struct DocumentView {
    /// The document.
    pub doc: DocumentRow,
    /// Its parsed number.
    pub number: DocumentNumber,
    /// Its files.
    pub files: Vec<AttachmentRow>,
    /// Its targets.
    pub targets: Vec<TargetRow>,
    /// Its follow-up tasks, with the assignee's name.
    pub tasks: Vec<(TaskRow, String)>,
}

fn required(name: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::field(name, Invalid::Missing));
    }
    if v.chars().count() > max {
        return Err(AppError::rejected(
            format!("{name}: dài quá {max} ký tự"),
            format!("{name}: longer than {max} characters"),
        ));
    }
    Ok(v.to_string())
}

/// The type of a file from its first bytes: PDF, or DOCX (a ZIP holding
/// `word/document.xml`). Anything else is refused, whatever its name says.
pub fn sniff(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if content.starts_with(b"PK\x03\x04") && content.windows(17).any(|w| w == b"word/document.xml") {
        return Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    }
    None
}

/// A file name safe to show and to offer for download: no folders, no control
/// characters, at most 120 characters.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() { "tep".into() } else { cleaned }
}

/// The registered documents named in a form field, by number, separated by commas,
/// semicolons or lines (`43-NQ/TW, 116-NQ/TU`). Where two documents share a number, the
/// newest is taken.
pub(crate) async fn by_numbers(tx: &mut dangbo_store::Tx, text: &str) -> Result<Vec<i64>> {
    let all = tx.documents(None).await?;
    let mut ids = Vec::new();
    for n in text.split([',', '\n', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        let number = DocumentNumber::parse(n).map_err(|e| AppError::field("Văn bản", e))?;
        let found = all.iter().find(|d| d.number == number.to_string()).ok_or_else(|| {
            AppError::rejected(
                format!("Chưa có văn bản {number} trong hệ thống: hãy nhập văn bản trước"),
                format!("Document {number} is not registered yet: register it first"),
            )
        })?;
        ids.push(found.id);
    }
    Ok(ids)
}

impl App {
    /// Registers a document. The number must parse; the registering organization must
    /// be within the caller's scope.
    pub async fn register_document(&self, caller: &Caller, input: &DocumentInput) -> Result<i64> {
        // Where first: outside the caller's scope, nothing else is said.
        let code = OrgCode::parse(&input.org).map_err(|e| AppError::field("Tổ chức", e))?;
        let today = self.clock.today();
        let org = self.org_for(caller, Action::Disseminate, &code, today).await?;
        let mut number = DocumentNumber::parse(&input.number).map_err(|e| AppError::field("Số, ký hiệu", e))?;
        match input.kind.trim() {
            "" => {}
            k if number.kind_unsaid() && matches!(k, "law" | "resolution") => {
                number.kind = dangbo_domain::document::DocKind::from_code(k).unwrap_or(number.kind);
            }
            _ if number.kind_unsaid() => {
                return Err(AppError::rejected(
                    "Số này của Quốc hội là luật hoặc nghị quyết: chọn một trong hai",
                    "A National Assembly number is a law or a resolution: choose one",
                ));
            }
            _ => {
                return Err(AppError::rejected(
                    format!("Số «{number}» đã ghi loại văn bản; không chọn loại riêng"),
                    format!("The number «{number}» already says its kind; choose none"),
                ));
            }
        }
        let issued_on = parse_date(&input.issued_on).map_err(|e| AppError::field("Ngày ban hành", e))?;
        self.not_future(issued_on)?;
        let title = required("Trích yếu", &input.title, 500)?;
        let issued_by = required("Cơ quan ban hành", &input.issued_by, 200)?;
        let summary = input.summary.trim().to_string();
        let solutions = input.solutions.trim().to_string();
        let row = DocumentRow {
            id: 0,
            number: number.to_string(),
            kind: number.kind.code().to_string(),
            issuer: number.issuer.clone(),
            issued_by,
            org_id: org.id,
            issued_on,
            title,
            summary,
            solutions,
        };
        let mut tx = self.db.write().await?;
        let id = tx.insert_document(&row, &self.clock.timestamp()).await?;
        self.audit(
            &mut tx,
            "document.register",
            &format!("document:{id}"),
            &format!("{} ngày {} — {}", row.number, short(issued_on), row.title),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every document registered, newest first. Documents are not personal data: every
    /// signed-in user may read them.
    pub async fn documents(&self) -> Result<Vec<DocumentRow>> {
        let mut tx = self.db.read().await?;
        Ok(tx.documents(None).await?)
    }

    /// One document with its files, targets and tasks.
    pub async fn document(&self, id: i64) -> Result<DocumentView> {
        let mut tx = self.db.read().await?;
        let doc = tx.document(id).await?.ok_or_else(|| no_document(id))?;
        let number = DocumentNumber::parse(&doc.number).map_err(|_| {
            AppError::Store(dangbo_store::StoreError::Corrupt {
                table: "document",
                column: "number",
                value: doc.number.clone(),
            })
        })?;
        let files = tx.document_files(id).await?;
        let targets = tx.targets(id).await?;
        let today = self.clock.today();
        let mut tasks = Vec::new();
        for t in tx.tasks(Some(id), None, None).await? {
            let name = tx
                .org_by_id(t.org_id, today)
                .await?
                .map(|o| o.name.to_string())
                .unwrap_or_default();
            tasks.push((t, name));
        }
        Ok(DocumentView {
            doc,
            number,
            files,
            targets,
            tasks,
        })
    }

    /// Checks that the caller may change what belongs to document `id`.
    async fn document_for(&self, caller: &Caller, id: i64) -> Result<DocumentRow> {
        let mut tx = self.db.read().await?;
        let doc = tx.document(id).await?.ok_or_else(|| no_document(id))?;
        let today = self.clock.today();
        let roots = scope_roots(&mut tx, caller, Action::Disseminate, today).await?;
        let org = tx.org_by_id(doc.org_id, today).await?;
        if !caller.can(Action::Disseminate) || !org.is_some_and(|o| within(&roots, &o.path)) {
            return Err(no_document(id));
        }
        Ok(doc)
    }

    /// Attaches a PDF or DOCX file to a document.
    pub async fn attach_document_file(&self, caller: &Caller, id: i64, filename: &str, content: &[u8]) -> Result<i64> {
        let doc = self.document_for(caller, id).await?;
        let att = self.checked_attachment(filename, content)?;
        let mut tx = self.db.write().await?;
        let att_id = tx.insert_attachment(&att, content).await?;
        tx.attach_to_document(doc.id, att_id).await?;
        self.audit(
            &mut tx,
            "document.attach",
            &format!("document:{id}"),
            &format!("{} ({} byte, {})", att.filename, att.size, att.sha256),
        )
        .await?;
        tx.commit().await?;
        Ok(att_id)
    }

    /// Checks a file's size and type, and describes it for storing.
    pub(crate) fn checked_attachment(&self, filename: &str, content: &[u8]) -> Result<AttachmentRow> {
        if content.is_empty() {
            return Err(AppError::rejected("Tệp rỗng", "The file is empty"));
        }
        if content.len() > MAX_FILE {
            return Err(AppError::rejected(
                format!("Tệp lớn quá {} MiB", MAX_FILE / 1024 / 1024),
                format!("The file is larger than {} MiB", MAX_FILE / 1024 / 1024),
            ));
        }
        let Some(content_type) = sniff(content) else {
            return Err(AppError::rejected(
                "Chỉ nhận tệp PDF hoặc Word (.docx); nội dung tệp này không phải hai dạng đó",
                "Only PDF or Word (.docx) files are accepted; this file's content is neither",
            ));
        };
        Ok(AttachmentRow {
            id: 0,
            filename: clean_filename(filename),
            content_type: content_type.to_string(),
            size: content.len() as i64,
            sha256: crate::hex(&sha2::Sha256::digest(content)),
            uploaded_at: self.clock.timestamp(),
            uploaded_by: self.actor.clone(),
        })
    }

    /// A stored file, for download by whoever may read the document or report it
    /// belongs to (checked by the caller of this function).
    pub async fn attachment(&self, id: i64) -> Result<(AttachmentRow, Vec<u8>)> {
        let mut tx = self.db.read().await?;
        tx.attachment(id).await?.ok_or_else(|| AppError::NotFound {
            vi: format!("Không có tệp số {id}"),
            what: format!("no file number {id}"),
        })
    }

    /// Whether attachment `att` belongs to document `doc`.
    pub async fn document_has_file(&self, doc: i64, att: i64) -> Result<bool> {
        let mut tx = self.db.read().await?;
        Ok(tx.document_files(doc).await?.iter().any(|f| f.id == att))
    }

    /// Records a target typed in the document's form, after the next one in order.
    pub async fn add_target_typed(&self, caller: &Caller, id: i64, input: &TargetInput) -> Result<i64> {
        let doc = self.document_for(caller, id).await?;
        let number = |name: &str, s: &str| -> Result<Option<f64>> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    AppError::rejected(
                        format!("{name}: «{s}» không phải là một số"),
                        format!("{name}: «{s}» is not a number"),
                    )
                })
        };
        let value = number("Giá trị", &input.value)?.ok_or_else(|| AppError::field("Giá trị", Invalid::Missing))?;
        let value_to = number("Giá trị trên", &input.value_to)?;
        let deadline = parse_date(&input.deadline).map_err(|e| AppError::field("Thời hạn", e))?;
        let managed_by = match input.managed_by.trim() {
            "" => None,
            code => {
                let code = OrgCode::parse(code).map_err(|e| AppError::field("Diện quản lý", e))?;
                Some(
                    self.org_for(caller, Action::Disseminate, &code, self.clock.today())
                        .await?
                        .id,
                )
            }
        };
        let mut tx = self.db.read().await?;
        let seq = tx.targets(doc.id).await?.iter().map(|t| t.seq).max().unwrap_or(0) + 1;
        drop(tx);
        let row = TargetRow {
            id: 0,
            document_id: doc.id,
            seq,
            indicator: match input.indicator.trim() {
                "" => "reported".into(),
                code => code.into(),
            },
            label: input.label.trim().into(),
            comparison: input.comparison.trim().into(),
            value,
            value_to,
            unit: "%".into(),
            deadline,
            levels: input.levels.iter().map(|l| l.trim()).collect::<Vec<_>>().join(","),
            managed_by,
        };
        self.add_target(caller, id, &row).await
    }

    /// Records a target of a document, once its parts are checked.
    pub async fn add_target(&self, caller: &Caller, id: i64, target: &TargetRow) -> Result<i64> {
        let doc = self.document_for(caller, id).await?;
        if !matches!(target.comparison.as_str(), "ge" | "le" | "between")
            || (target.comparison == "between") != target.value_to.is_some()
        {
            return Err(AppError::rejected(
                "So sánh phải là ≥, ≤ hoặc «trong khoảng» (khi đó cần hai giá trị)",
                "The comparison must be ≥, ≤ or between (which needs two values)",
            ));
        }
        let label = required("Nội dung chỉ tiêu", &target.label, 500)?;
        let percent = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if !percent(target.value) || !target.value_to.is_none_or(|t| percent(t) && t > target.value) {
            return Err(AppError::rejected(
                "Giá trị chỉ tiêu là một tỷ lệ từ 0 đến 100%, và giá trị trên phải lớn hơn giá trị dưới",
                "A target's value is a share from 0 to 100%, and the upper bound must exceed the lower",
            ));
        }
        let code = target.indicator.as_str();
        let computed = Indicator::from_code(code);
        if computed.is_none()
            && (code.is_empty()
                || code.len() > 40
                || !code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
        {
            return Err(AppError::rejected(
                format!("Không có chỉ tiêu «{code}»"),
                format!("There is no indicator «{code}»"),
            ));
        }
        let levels: Vec<&str> = target
            .levels
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if levels.is_empty() || levels.iter().any(|l| Level::from_code(l).is_none()) {
            return Err(AppError::rejected(
                "Chọn ít nhất một cấp áp dụng chỉ tiêu",
                "Choose at least one level the target applies to",
            ));
        }
        if target.managed_by.is_some()
            && !matches!(
                computed,
                Some(Indicator::YoungAppointmentShare | Indicator::RotationShare)
            )
        {
            return Err(AppError::rejected(
                "Diện quản lý chỉ dùng cho chỉ tiêu bổ nhiệm và luân chuyển cán bộ",
                "Whose cadres count applies only to the appointment and rotation targets",
            ));
        }
        let target = TargetRow {
            label,
            levels: levels.join(","),
            ..target.clone()
        };
        let mut tx = self.db.write().await?;
        let row = TargetRow {
            document_id: doc.id,
            ..target.clone()
        };
        let tid = tx.insert_target(&row).await?;
        self.audit(&mut tx, "document.target", &format!("document:{id}"), &row.label)
            .await?;
        tx.commit().await?;
        Ok(tid)
    }

    /// Gives a follow-up task to an organization in the caller's scope, for a document
    /// or a conference. The deadline may be a day or a quarter (`Q1/2024`).
    pub async fn add_task(
        &self,
        caller: &Caller,
        document: Option<i64>,
        conference: Option<i64>,
        org: &str,
        title: &str,
        due: &str,
    ) -> Result<i64> {
        if let Some(d) = document {
            self.document_for(caller, d).await?;
        }
        if let Some(c) = conference {
            self.conference_owned(caller, c, Action::Disseminate).await?;
        }
        let title = required("Nhiệm vụ", title, 500)?;
        let due_on = parse_deadline(due).map_err(|e| AppError::field("Thời hạn", e))?;
        let code = OrgCode::parse(org).map_err(|e| AppError::field("Giao cho", e))?;
        let today = self.clock.today();
        let org = self
            .org_for(caller, Action::Disseminate, &code, today)
            .await
            .map_err(AppError::typed)?;
        let mut tx = self.db.write().await?;
        let row = TaskRow {
            id: 0,
            document_id: document,
            conference_id: conference,
            org_id: org.id,
            title,
            due_on,
            status: "open".into(),
            done_on: None,
        };
        let id = tx.insert_task(&row, &self.clock.timestamp()).await?;
        self.audit(
            &mut tx,
            "task.create",
            &format!("task:{id}"),
            &format!("{} → {} hạn {}", row.title, org.code, short(due_on)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks a task done or cancelled (or open again).
    pub async fn set_task_status(&self, caller: &Caller, id: i64, status: &str) -> Result<()> {
        let today = self.clock.today();
        let mut tx = self.db.write().await?;
        let task = tx.task(id).await?.ok_or_else(|| no_task(id))?;
        let roots = scope_roots(&mut tx, caller, Action::Disseminate, today).await?;
        let org = tx.org_by_id(task.org_id, today).await?;
        if !caller.can(Action::Disseminate) || !org.is_some_and(|o| within(&roots, &o.path)) {
            return Err(no_task(id));
        }
        if !matches!(status, "open" | "done" | "cancelled") {
            return Err(AppError::rejected("Trạng thái không hợp lệ", "Unknown status"));
        }
        tx.set_task_status(id, status, (status == "done").then_some(today))
            .await?;
        self.audit(
            &mut tx,
            "task.status",
            &format!("task:{id}"),
            &format!("{} → {status}", task.status),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tasks of the organizations in the caller's scope, with the assignee's name;
    /// open ones past their deadline are the overdue list.
    pub async fn tasks_for(&self, caller: &Caller) -> Result<Vec<(TaskRow, String)>> {
        let today = self.clock.today();
        let mut tx = self.db.read().await?;
        let roots = scope_roots(&mut tx, caller, Action::Browse, today).await?;
        let rows = match &roots {
            None => tx.tasks(None, None, None).await?,
            Some(roots) => {
                let mut all = Vec::new();
                for r in roots {
                    all.extend(tx.tasks(None, None, Some((&r.path, today))).await?);
                }
                all
            }
        };
        let mut out = Vec::new();
        for t in rows {
            let name = tx
                .org_by_id(t.org_id, today)
                .await?
                .map(|o| o.name.to_string())
                .unwrap_or_default();
            out.push((t, name));
        }
        Ok(out)
    }
}

/// Whether a task is overdue on a day.
pub fn overdue(task: &TaskRow, today: Date) -> bool {
    task.status == "open" && task.due_on < today
}

fn no_document(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có văn bản số {id}"),
        what: format!("no document number {id}"),
    }
}

fn no_task(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có nhiệm vụ số {id}"),
        what: format!("no task number {id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_content() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert!(sniff(b"PK\x03\x04....word/document.xml....").is_some());
        assert_eq!(sniff(b"PK\x03\x04 a zip of something else"), None);
        assert_eq!(sniff(b"<script>alert(1)</script>"), None);
    }

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\tmp\\Nghị quyết 116.pdf"), "Nghị quyết 116.pdf");
        assert_eq!(clean_filename("..."), "tep");
        assert_eq!(clean_filename("a<b>\".pdf"), "ab.pdf");
    }
}
