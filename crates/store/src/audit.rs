//! The audit log: append-only and hash-chained. Each line's hash covers the previous
//! line's hash and its own fields, and the newest hash is kept in `meta`, so an edited,
//! removed, inserted or reordered line breaks the chain that [`Tx::verify_audit`] walks.

use crate::{Backend, Result, Tx};
use sha2::{Digest, Sha256};

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub id: i64,
    /// When (`2026-11-21T09:30:00+07:00`).
    pub at: String,
    /// Who: `user:<name>`, `cli:<login>`.
    pub actor: String,
    /// What kind of action: `member.view`, `org.merge`, …
    pub action: String,
    /// What it was done to: `person:12`, `org:LS.KCQ`, …
    pub subject: String,
    /// Details, including values before and after a change.
    pub detail: String,
}

/// A line to append to the audit log (its place and hash are given when it is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    /// When (`2026-11-21T09:30:00+07:00`).
    pub at: String,
    /// Who: `user:<name>`, `cli:<login>`.
    pub actor: String,
    /// What kind of action.
    pub action: String,
    /// What it was done to.
    pub subject: String,
    /// Details.
    pub detail: String,
}

/// What to look for in the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Lines whose actor contains this.
    pub actor: Option<String>,
    /// Lines whose action starts with this.
    pub action: Option<String>,
    /// Lines whose subject contains this.
    pub subject: Option<String>,
    /// Only lines older than this id (for paging back).
    pub before: Option<i64>,
    /// At most this many lines, newest first.
    pub limit: i64,
}

/// Where the chain first breaks, if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditBreak {
    /// A line's id is not the one after its predecessor's: a line was removed or moved.
    Gap {
        /// The id expected.
        expected: i64,
        /// The id found.
        found: i64,
    },
    /// A line's stored hash does not match its content: it was edited or reordered.
    Hash {
        /// The line.
        id: i64,
    },
    /// The newest line is not the one the head records: lines were removed from the end.
    Head {
        /// The head recorded.
        recorded: String,
        /// The last line found.
        found: String,
    },
}

const HEAD: &str = "audit_head";
const AUDIT_LOCK: i64 = 7311;

/// The chained hash of a line, in hex.
fn chain(prev: &str, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &e.id.to_string(),
        &e.at,
        &e.actor,
        &e.action,
        &e.subject,
        &e.detail,
    ] {
        h.update(part.len().to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

type EntryTuple = (i64, String, String, String, String, String, Option<String>);

fn entry(t: EntryTuple) -> (AuditEntry, Option<String>) {
    (
        AuditEntry {
            id: t.0,
            at: t.1,
            actor: t.2,
            action: t.3,
            subject: t.4,
            detail: t.5,
        },
        t.6,
    )
}

impl Tx {
    /// Appends a line to the audit log, in this transaction: the change and its record
    /// are kept or lost together.
    pub async fn audit(&mut self, at: &str, actor: &str, action: &str, subject: &str, detail: &str) -> Result<()> {
        self.audit_lines(&[AuditLine {
            at: at.into(),
            actor: actor.into(),
            action: action.into(),
            subject: subject.into(),
            detail: detail.into(),
        }])
        .await
    }

    /// Appends lines to the audit log in order, in this transaction. Appends are
    /// serialized (on PostgreSQL by an advisory lock held to the end of the transaction)
    /// so the chain stays one line.
    pub async fn audit_lines(&mut self, lines: &[AuditLine]) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(AUDIT_LOCK)
                .execute(&mut *self.inner)
                .await?;
        }
        let last: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *self.inner)
                .await?;
        let (mut id, mut hash) = last.map_or((0, String::new()), |(id, h)| (id, h.unwrap_or_default()));
        for line in lines {
            id += 1;
            let e = AuditEntry {
                id,
                at: line.at.clone(),
                actor: line.actor.clone(),
                action: line.action.clone(),
                subject: line.subject.clone(),
                detail: line.detail.clone(),
            };
            hash = chain(&hash, &e);
            sqlx::query(
                "INSERT INTO audit_log (id, at, actor, action, subject, detail, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(e.id)
            .bind(e.at)
            .bind(e.actor)
            .bind(e.action)
            .bind(e.subject)
            .bind(e.detail)
            .bind(&hash)
            .execute(&mut *self.inner)
            .await?;
        }
        self.set_meta(HEAD, &format!("{id}:{hash}")).await
    }

    /// The audit lines about a subject, oldest first: (at, actor, action, detail).
    pub async fn audit_for(&mut self, subject: &str) -> Result<Vec<(String, String, String, String)>> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT at, actor, action, detail FROM audit_log WHERE subject = $1 ORDER BY id")
                .bind(subject)
                .fetch_all(&mut *self.inner)
                .await?;
        Ok(rows)
    }

    /// Audit lines matching `q`, newest first.
    pub async fn audit_search(&mut self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut sql = String::from("SELECT id, at, actor, action, subject, detail, hash FROM audit_log WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        let mut add = |sql: &mut String, cond: &str, v: String| {
            binds.push(v);
            sql.push_str(&cond.replace('?', &format!("${}", binds.len())));
        };
        if let Some(a) = q.actor.as_deref().filter(|s| !s.is_empty()) {
            add(
                &mut sql,
                " AND actor LIKE ? ESCAPE '\\'",
                format!("%{}%", escape_like(a)),
            );
        }
        if let Some(a) = q.action.as_deref().filter(|s| !s.is_empty()) {
            add(
                &mut sql,
                " AND action LIKE ? ESCAPE '\\'",
                format!("{}%", escape_like(a)),
            );
        }
        if let Some(s) = q.subject.as_deref().filter(|s| !s.is_empty()) {
            add(
                &mut sql,
                " AND subject LIKE ? ESCAPE '\\'",
                format!("%{}%", escape_like(s)),
            );
        }
        if let Some(b) = q.before {
            sql.push_str(&format!(" AND id < {b}"));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", q.limit.clamp(1, 1000)));
        let mut query = sqlx::query_as::<_, EntryTuple>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&mut *self.inner).await?;
        Ok(rows.into_iter().map(|r| entry(r).0).collect())
    }

    /// Walks the whole chain. Returns how many lines it holds, or where it first breaks.
    pub async fn verify_audit(&mut self) -> Result<std::result::Result<i64, AuditBreak>> {
        let mut prev = String::new();
        let mut expected = 1;
        loop {
            let rows: Vec<EntryTuple> = sqlx::query_as(
                "SELECT id, at, actor, action, subject, detail, hash FROM audit_log WHERE id >= $1 ORDER BY id LIMIT 5000",
            )
            .bind(expected)
            .fetch_all(&mut *self.inner)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let (e, stored) = entry(r);
                if e.id != expected {
                    return Ok(Err(AuditBreak::Gap { expected, found: e.id }));
                }
                let hash = chain(&prev, &e);
                if stored.as_deref() != Some(hash.as_str()) {
                    return Ok(Err(AuditBreak::Hash { id: e.id }));
                }
                prev = hash;
                expected += 1;
            }
        }
        let found = if expected == 1 {
            String::new()
        } else {
            format!("{}:{prev}", expected - 1)
        };
        let recorded = self.meta(HEAD).await?.unwrap_or_default();
        if recorded != found {
            return Ok(Err(AuditBreak::Head { recorded, found }));
        }
        Ok(Ok(expected - 1))
    }

    /// Chains lines written before the chain existed (databases from before migration 2).
    pub(crate) async fn seal_audit(&mut self) -> Result<()> {
        let (unsealed,): (i64,) = sqlx::query_as("SELECT count(*) FROM audit_log WHERE hash IS NULL")
            .fetch_one(&mut *self.inner)
            .await?;
        if unsealed == 0 {
            return Ok(());
        }
        let rows: Vec<EntryTuple> =
            sqlx::query_as("SELECT id, at, actor, action, subject, detail, hash FROM audit_log ORDER BY id")
                .fetch_all(&mut *self.inner)
                .await?;
        let mut prev = String::new();
        for (n, r) in rows.into_iter().enumerate() {
            let (mut e, _) = entry(r);
            let old = e.id;
            e.id = i64::try_from(n).unwrap_or(i64::MAX) + 1;
            let hash = chain(&prev, &e);
            sqlx::query("UPDATE audit_log SET id = $1, hash = $2 WHERE id = $3")
                .bind(e.id)
                .bind(&hash)
                .bind(old)
                .execute(&mut *self.inner)
                .await?;
            self.set_meta(HEAD, &format!("{}:{hash}", e.id)).await?;
            prev = hash;
        }
        Ok(())
    }

    /// Runs one statement against the audit log; only for the tests that prove
    /// tampering is detected.
    #[doc(hidden)]
    pub async fn tamper_audit_for_tests(&mut self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
