//! The audit log: writing the lines of reads together, searching it (administrators)
//! and verifying its hash chain.

use crate::access::{Action, Caller};
use crate::{App, AppError, Result};
use dangbo_store::{AuditBreak, AuditEntry, AuditLine, AuditQuery, Db};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

/// Whether a waiting line was stored: the error's text if its batch failed.
type Stored = std::result::Result<(), String>;

/// The audit lines of reads (a member's record, a list of names) waiting to be stored.
///
/// Every view of personal data writes its line before the data is handed out. Rather
/// than a write transaction (and a commit) per view, whoever takes the turn writes every
/// line waiting at that moment in one transaction and tells each reader that theirs is
/// stored; lines that arrive meanwhile wait for the next turn. A reader still answers only after its line is
/// committed, and if the batch fails, every reader in it gets an error.
#[derive(Default)]
pub(crate) struct ReadAudit {
    waiting: Mutex<Vec<(AuditLine, oneshot::Sender<Stored>)>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl ReadAudit {
    /// Stores `line` (with whatever else is waiting) and returns once it is committed.
    pub(crate) async fn append(&self, db: &Db, line: AuditLine) -> Result<()> {
        let (done, stored) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((line, done));
        let turn = self.turn.clone().lock_owned().await;
        let batch = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(PoisonError::into_inner));
        if !batch.is_empty() {
            // The batch is written by a task of its own, so that a reader who goes away
            // (a closed connection drops its request) does not abandon the others' lines.
            let db = db.clone();
            let _ = tokio::spawn(async move {
                let _turn = turn;
                let (lines, waiters): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
                let outcome = write(&db, &lines).await.map_err(|e| {
                    tracing::warn!("audit lines of reads not stored: {e}");
                    e.to_string()
                });
                for w in waiters {
                    let _ = w.send(outcome.clone());
                }
            })
            .await;
        }
        match stored.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(not_stored(&e)),
            Err(_) => Err(not_stored("")),
        }
    }
}

async fn write(db: &Db, lines: &[AuditLine]) -> Result<()> {
    let mut tx = db.append().await?;
    tx.audit_lines(lines).await?;
    tx.commit().await?;
    Ok(())
}

fn not_stored(why: &str) -> AppError {
    AppError::rejected(
        format!("Máy chủ chưa ghi được nhật ký truy cập nên chưa hiển thị dữ liệu, hãy thử lại ({why})"),
        format!("The server could not record the access in the audit log, so shows nothing; try again ({why})"),
    )
}

impl App {
    /// Audit lines matching `q`, newest first; administrators only.
    pub async fn audit_search(&self, caller: &Caller, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        if !caller.can(Action::Administer) {
            return Err(AppError::NotFound {
                vi: "Không có trang này".into(),
                what: "no such page".into(),
            });
        }
        let mut tx = self.db.read().await?;
        Ok(tx.audit_search(q).await?)
    }

    /// Walks the audit log's hash chain: how many lines it holds, or where it breaks.
    pub async fn verify_audit(&self) -> Result<std::result::Result<i64, AuditBreak>> {
        let mut tx = self.db.read().await?;
        Ok(tx.verify_audit().await?)
    }
}
