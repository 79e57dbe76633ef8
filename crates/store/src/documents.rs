//! Issued documents, the files attached to them, their targets and follow-up tasks.

use crate::rows::{d, date, opt_date, valid_on};
use crate::{Result, Tx, unique};
use dangbo_domain::Date;
use dangbo_domain::org::{OrgId, OrgPath};
use sqlx::AssertSqlSafe;

/// A document as stored. The number's parts are kept as the domain parsed them.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    /// Row id.
    pub id: i64,
    /// The canonical number with symbol (`116-NQ/TU`).
    pub number: String,
    /// The kind's stable code.
    pub kind: String,
    /// The issuer part of the symbol (`TU`).
    pub issuer: String,
    /// The issuing body in words.
    pub issued_by: String,
    /// The organization that registered it.
    pub org_id: OrgId,
    /// The day it was issued.
    pub issued_on: Date,
    /// Its title.
    pub title: String,
    /// Its summary.
    pub summary: String,
    /// Its groups of solutions, as text.
    pub solutions: String,
}

/// A file kept in the database, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    /// Row id.
    pub id: i64,
    /// The file name as uploaded (shown, never used as a path).
    pub filename: String,
    /// The checked content type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// When it was stored.
    pub uploaded_at: String,
    /// Who stored it.
    pub uploaded_by: String,
}

/// A target of a document, as data.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The document.
    pub document_id: i64,
    /// Its order in the document.
    pub seq: i64,
    /// The indicator's stable code.
    pub indicator: String,
    /// The target as the document words it.
    pub label: String,
    /// `ge`, `le` or `between`.
    pub comparison: String,
    /// The value (the lower bound for `between`).
    pub value: f64,
    /// The upper bound for `between`.
    pub value_to: Option<f64>,
    /// The unit (`%`).
    pub unit: String,
    /// By when.
    pub deadline: Date,
    /// The levels it applies to, comma-separated codes.
    pub levels: String,
    /// For the indicators of posts: only the posts managed by this organization's
    /// standing committee count.
    pub managed_by: Option<OrgId>,
}

/// A follow-up task given to an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    /// Row id.
    pub id: i64,
    /// The document it follows up, if any.
    pub document_id: Option<i64>,
    /// The conference that gave it, if any.
    pub conference_id: Option<i64>,
    /// The organization it is assigned to.
    pub org_id: OrgId,
    /// What is to be done.
    pub title: String,
    /// The deadline.
    pub due_on: Date,
    /// `open`, `done` or `cancelled`.
    pub status: String,
    /// When it was done.
    pub done_on: Option<Date>,
}

type DocTuple = (i64, String, String, String, String, i64, String, String, String, String);
const DOC_COLS: &str = "id, number, kind, issuer, issued_by, org_id, issued_on, title, summary, solutions";

fn doc(r: DocTuple) -> Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.0,
        number: r.1,
        kind: r.2,
        issuer: r.3,
        issued_by: r.4,
        org_id: OrgId(r.5),
        issued_on: date("document", "issued_on", &r.6)?,
        title: r.7,
        summary: r.8,
        solutions: r.9,
    })
}

type TaskTuple = (
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    String,
    String,
    String,
    Option<String>,
);

fn task(r: TaskTuple) -> Result<TaskRow> {
    Ok(TaskRow {
        id: r.0,
        document_id: r.1,
        conference_id: r.2,
        org_id: OrgId(r.3),
        title: r.4,
        due_on: date("task", "due_on", &r.5)?,
        status: r.6,
        done_on: opt_date("task", "done_on", r.7.as_deref())?,
    })
}

type AttachmentTuple = (i64, String, String, i64, String, String, String);

fn attachment(r: AttachmentTuple) -> AttachmentRow {
    AttachmentRow {
        id: r.0,
        filename: r.1,
        content_type: r.2,
        size: r.3,
        sha256: r.4,
        uploaded_at: r.5,
        uploaded_by: r.6,
    }
}

impl Tx {
    /// Registers a document; its number and day must not be registered yet.
    pub async fn insert_document(&mut self, doc: &DocumentRow, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO document (number, kind, issuer, issued_by, org_id, issued_on, title, summary, solutions, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&doc.number)
        .bind(&doc.kind)
        .bind(&doc.issuer)
        .bind(&doc.issued_by)
        .bind(doc.org_id.0)
        .bind(d(doc.issued_on))
        .bind(&doc.title)
        .bind(&doc.summary)
        .bind(&doc.solutions)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| unique(e, || format!("{} ({})", doc.number, dangbo_domain::date::short(doc.issued_on))))?;
        Ok(id)
    }

    /// Changes what was recorded of a document (not its registering organization).
    pub async fn update_document(&mut self, doc: &DocumentRow) -> Result<()> {
        sqlx::query(
            "UPDATE document SET number = $2, kind = $3, issuer = $4, issued_by = $5, issued_on = $6, \
             title = $7, summary = $8, solutions = $9 WHERE id = $1",
        )
        .bind(doc.id)
        .bind(&doc.number)
        .bind(&doc.kind)
        .bind(&doc.issuer)
        .bind(&doc.issued_by)
        .bind(d(doc.issued_on))
        .bind(&doc.title)
        .bind(&doc.summary)
        .bind(&doc.solutions)
        .execute(&mut *self.inner)
        .await
        .map_err(|e| unique(e, || doc.number.clone()))?;
        Ok(())
    }

    /// One document.
    pub async fn document(&mut self, id: i64) -> Result<Option<DocumentRow>> {
        let r: Option<DocTuple> =
            sqlx::query_as(AssertSqlSafe(format!("SELECT {DOC_COLS} FROM document WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *self.inner)
                .await?;
        r.map(doc).transpose()
    }

    /// Documents, newest first; `ids` limits them to a set when given.
    pub async fn documents(&mut self, ids: Option<&[i64]>) -> Result<Vec<DocumentRow>> {
        let rows: Vec<DocTuple> = match ids {
            None => {
                sqlx::query_as(AssertSqlSafe(format!(
                    "SELECT {DOC_COLS} FROM document ORDER BY issued_on DESC, id DESC"
                )))
                .fetch_all(&mut *self.inner)
                .await?
            }
            Some([]) => Vec::new(),
            Some(ids) => {
                let mut q = sqlx::query_as(AssertSqlSafe(format!(
                    "SELECT {DOC_COLS} FROM document WHERE id IN ({}) ORDER BY issued_on DESC, id DESC",
                    list(1, ids.len())
                )));
                for id in ids {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut *self.inner).await?
            }
        };
        rows.into_iter().map(doc).collect()
    }

    /// Stores a file and returns its id.
    pub async fn insert_attachment(&mut self, a: &AttachmentRow, content: &[u8]) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO attachment (filename, content_type, size, sha256, content, uploaded_at, uploaded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&a.filename)
        .bind(&a.content_type)
        .bind(a.size)
        .bind(&a.sha256)
        .bind(content.to_vec())
        .bind(&a.uploaded_at)
        .bind(&a.uploaded_by)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// A stored file with its content.
    pub async fn attachment(&mut self, id: i64) -> Result<Option<(AttachmentRow, Vec<u8>)>> {
        type R = (i64, String, String, i64, String, String, String, Vec<u8>);
        let r: Option<R> = sqlx::query_as(
            "SELECT id, filename, content_type, size, sha256, uploaded_at, uploaded_by, content FROM attachment WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.inner)
        .await?;
        Ok(r.map(|r| (attachment((r.0, r.1, r.2, r.3, r.4, r.5, r.6)), r.7)))
    }

    /// Attaches a stored file to a document.
    pub async fn attach_to_document(&mut self, document: i64, attachment: i64) -> Result<()> {
        sqlx::query("INSERT INTO document_file (document_id, attachment_id) VALUES ($1, $2)")
            .bind(document)
            .bind(attachment)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The files of a document.
    pub async fn document_files(&mut self, document: i64) -> Result<Vec<AttachmentRow>> {
        let rows: Vec<AttachmentTuple> = sqlx::query_as(
            "SELECT a.id, a.filename, a.content_type, a.size, a.sha256, a.uploaded_at, a.uploaded_by \
             FROM document_file f JOIN attachment a ON a.id = f.attachment_id WHERE f.document_id = $1 ORDER BY a.id",
        )
        .bind(document)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(attachment).collect())
    }

    /// Records a target of a document.
    pub async fn insert_target(&mut self, t: &TargetRow) -> Result<i64> {
        // A missing upper bound is left to the column's default: sqlx's `Any` driver
        // sends a NULL float to PostgreSQL in a form it refuses ("incorrect binary data
        // format").
        let (cols, marks) = match t.value_to {
            Some(_) => (", value_to", ", $11"),
            None => ("", ""),
        };
        let sql = format!(
            "INSERT INTO document_target (document_id, seq, indicator, label, comparison, value, unit, deadline, levels, \
             managed_by{cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10{marks}) RETURNING id"
        );
        let mut q = sqlx::query_as::<_, (i64,)>(AssertSqlSafe(sql))
            .bind(t.document_id)
            .bind(t.seq)
            .bind(&t.indicator)
            .bind(&t.label)
            .bind(&t.comparison)
            .bind(t.value)
            .bind(&t.unit)
            .bind(d(t.deadline))
            .bind(&t.levels)
            .bind(t.managed_by.map(|o| o.0));
        if let Some(v) = t.value_to {
            q = q.bind(v);
        }
        let (id,) = q.fetch_one(&mut *self.inner).await?;
        Ok(id)
    }

    /// The targets of a document, in order.
    pub async fn targets(&mut self, document: i64) -> Result<Vec<TargetRow>> {
        type T = (
            i64,
            i64,
            i64,
            String,
            String,
            String,
            f64,
            Option<f64>,
            String,
            String,
            String,
            Option<i64>,
        );
        let rows: Vec<T> = sqlx::query_as(
            "SELECT id, document_id, seq, indicator, label, comparison, value, value_to, unit, deadline, levels, managed_by \
             FROM document_target WHERE document_id = $1 ORDER BY seq, id",
        )
        .bind(document)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(TargetRow {
                    id: r.0,
                    document_id: r.1,
                    seq: r.2,
                    indicator: r.3,
                    label: r.4,
                    comparison: r.5,
                    value: r.6,
                    value_to: r.7,
                    unit: r.8,
                    deadline: date("document_target", "deadline", &r.9)?,
                    levels: r.10,
                    managed_by: r.11.map(OrgId),
                })
            })
            .collect()
    }

    /// Gives a task to an organization.
    pub async fn insert_task(&mut self, t: &TaskRow, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO task (document_id, conference_id, org_id, title, due_on, status, done_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(t.document_id)
        .bind(t.conference_id)
        .bind(t.org_id.0)
        .bind(&t.title)
        .bind(d(t.due_on))
        .bind(&t.status)
        .bind(t.done_on.map(d))
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// One task.
    pub async fn task(&mut self, id: i64) -> Result<Option<TaskRow>> {
        let r: Option<TaskTuple> = sqlx::query_as(
            "SELECT id, document_id, conference_id, org_id, title, due_on, status, done_on FROM task WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.inner)
        .await?;
        r.map(task).transpose()
    }

    /// Sets a task's status.
    pub async fn set_task_status(&mut self, id: i64, status: &str, done_on: Option<Date>) -> Result<()> {
        sqlx::query("UPDATE task SET status = $2, done_on = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(done_on.map(d))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Tasks of a document or of a conference (`document`, `conference`), or those
    /// assigned to the organizations of a subtree on a day; by deadline.
    pub async fn tasks(
        &mut self,
        document: Option<i64>,
        conference: Option<i64>,
        subtree: Option<(&OrgPath, Date)>,
    ) -> Result<Vec<TaskRow>> {
        let cols = "t.id, t.document_id, t.conference_id, t.org_id, t.title, t.due_on, t.status, t.done_on";
        let rows: Vec<TaskTuple> = if let Some(doc) = document {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {cols} FROM task t WHERE t.document_id = $1 ORDER BY t.due_on, t.id"
            )))
            .bind(doc)
            .fetch_all(&mut *self.inner)
            .await?
        } else if let Some(conf) = conference {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {cols} FROM task t WHERE t.conference_id = $1 ORDER BY t.due_on, t.id"
            )))
            .bind(conf)
            .fetch_all(&mut *self.inner)
            .await?
        } else if let Some((path, on)) = subtree {
            let (lo, hi) = path.subtree_range();
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {cols} FROM task t JOIN org_version v ON v.org_id = t.org_id AND {} \
                 WHERE v.path >= $2 AND v.path < $3 ORDER BY t.due_on, t.id",
                valid_on("v", 1)
            )))
            .bind(d(on))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *self.inner)
            .await?
        } else {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {cols} FROM task t ORDER BY t.due_on, t.id"
            )))
            .fetch_all(&mut *self.inner)
            .await?
        };
        rows.into_iter().map(task).collect()
    }
}

/// `$start, $start+1, …` for an `IN (…)` list of `n` values.
pub(crate) fn list(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
