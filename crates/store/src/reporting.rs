//! The reporting regime: requests, the submissions of the organizations asked (with a
//! version, for optimistic locking), and reminders.

use crate::rows::{d, date};
use crate::{Result, Tx};
use dangbo_domain::Date;
use dangbo_domain::org::OrgId;

/// A request for a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The organization asking.
    pub org_id: OrgId,
    /// What it asks for.
    pub title: String,
    /// The period reported on.
    pub period: (Date, Date),
    /// The last day to submit.
    pub deadline: Date,
    /// The fields, stored (`dangbo_domain::report::fields_text`).
    pub fields: String,
    /// Who asked.
    pub created_by: String,
}

/// An organization's submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    /// The request.
    pub request_id: i64,
    /// The organization answering.
    pub org_id: OrgId,
    /// The answers, stored (`dangbo_domain::report::answers_text`).
    pub answers: String,
    /// `pending`, `draft` or `submitted`.
    pub status: String,
    /// Raised by every save.
    pub version: i64,
    /// Who saved last, and when.
    pub updated: Option<(String, String)>,
    /// When it was submitted.
    pub submitted_at: Option<String>,
}

type ReqTuple = (i64, i64, String, String, String, String, String, String);
const REQ_COLS: &str = "id, org_id, title, period_from, period_to, deadline, fields, created_by";

fn request(r: ReqTuple) -> Result<RequestRow> {
    Ok(RequestRow {
        id: r.0,
        org_id: OrgId(r.1),
        title: r.2,
        period: (
            date("report_request", "period_from", &r.3)?,
            date("report_request", "period_to", &r.4)?,
        ),
        deadline: date("report_request", "deadline", &r.5)?,
        fields: r.6,
        created_by: r.7,
    })
}

type SubTuple = (
    i64,
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);
const SUB_COLS: &str = "request_id, org_id, answers, status, version, updated_by, updated_at, submitted_at";

fn submission(r: SubTuple) -> SubmissionRow {
    SubmissionRow {
        request_id: r.0,
        org_id: OrgId(r.1),
        answers: r.2,
        status: r.3,
        version: r.4,
        updated: r.5.zip(r.6),
        submitted_at: r.7,
    }
}

impl Tx {
    /// Records a request and asks `orgs` for their submissions.
    pub async fn insert_report_request(&mut self, r: &RequestRow, orgs: &[OrgId], at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO report_request (org_id, title, period_from, period_to, deadline, fields, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(r.org_id.0)
        .bind(&r.title)
        .bind(d(r.period.0))
        .bind(d(r.period.1))
        .bind(d(r.deadline))
        .bind(&r.fields)
        .bind(&r.created_by)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        for o in orgs {
            sqlx::query("INSERT INTO report_submission (request_id, org_id) VALUES ($1, $2)")
                .bind(id)
                .bind(o.0)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(id)
    }

    /// A request.
    pub async fn report_request(&mut self, id: i64) -> Result<Option<RequestRow>> {
        let r: Option<ReqTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {REQ_COLS} FROM report_request WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.inner)
        .await?;
        r.map(request).transpose()
    }

    /// The requests an organization made, newest first.
    pub async fn report_requests_by(&mut self, org: OrgId) -> Result<Vec<RequestRow>> {
        let rows: Vec<ReqTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {REQ_COLS} FROM report_request WHERE org_id = $1 ORDER BY id DESC"
        )))
        .bind(org.0)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(request).collect()
    }

    /// The requests an organization was asked, newest first, with its submission's status.
    pub async fn report_requests_to(&mut self, org: OrgId) -> Result<Vec<(RequestRow, String)>> {
        type R = (i64, i64, String, String, String, String, String, String, String);
        let rows: Vec<R> = sqlx::query_as(
            "SELECT r.id, r.org_id, r.title, r.period_from, r.period_to, r.deadline, r.fields, r.created_by, s.status \
             FROM report_submission s JOIN report_request r ON r.id = s.request_id \
             WHERE s.org_id = $1 ORDER BY r.id DESC",
        )
        .bind(org.0)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| Ok((request((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7))?, r.8)))
            .collect()
    }

    /// The submissions of a request.
    pub async fn submissions(&mut self, request: i64) -> Result<Vec<SubmissionRow>> {
        let rows: Vec<SubTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB_COLS} FROM report_submission WHERE request_id = $1"
        )))
        .bind(request)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(submission).collect())
    }

    /// One organization's submission.
    pub async fn submission(&mut self, request: i64, org: OrgId) -> Result<Option<SubmissionRow>> {
        let r: Option<SubTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUB_COLS} FROM report_submission WHERE request_id = $1 AND org_id = $2"
        )))
        .bind(request)
        .bind(org.0)
        .fetch_optional(&mut *self.inner)
        .await?;
        Ok(r.map(submission))
    }

    /// Saves a submission if it is still at `version`; whether it was (another save in
    /// between makes it fail, and nothing is written). `stamp` is who saves, and when.
    pub async fn save_submission(
        &mut self,
        request: i64,
        org: OrgId,
        version: i64,
        answers: &str,
        submit: bool,
        stamp: (&str, &str),
    ) -> Result<bool> {
        let (by, at) = stamp;
        let done = sqlx::query(
            "UPDATE report_submission SET answers = $4, version = version + 1, updated_by = $5, updated_at = $6, \
             status = CASE WHEN $7 = 1 THEN 'submitted' WHEN status = 'submitted' THEN 'submitted' ELSE 'draft' END, \
             submitted_at = CASE WHEN $7 = 1 THEN $6 ELSE submitted_at END \
             WHERE request_id = $1 AND org_id = $2 AND version = $3",
        )
        .bind(request)
        .bind(org.0)
        .bind(version)
        .bind(answers)
        .bind(by)
        .bind(at)
        .bind(i64::from(submit))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a reminder sent to an organization.
    pub async fn insert_reminder(&mut self, request: i64, org: OrgId, at: &str, by: &str) -> Result<()> {
        sqlx::query("INSERT INTO report_reminder (request_id, org_id, sent_at, sent_by) VALUES ($1, $2, $3, $4)")
            .bind(request)
            .bind(org.0)
            .bind(at)
            .bind(by)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The reminders of a request: organization and when, oldest first.
    pub async fn reminders(&mut self, request: i64) -> Result<Vec<(OrgId, String)>> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT org_id, sent_at FROM report_reminder WHERE request_id = $1 ORDER BY sent_at")
                .bind(request)
                .fetch_all(&mut *self.inner)
                .await?;
        Ok(rows.into_iter().map(|(o, a)| (OrgId(o), a)).collect())
    }
}
