//! Reading the audit log: searching it (administrators) and verifying its hash chain.

use crate::access::{Action, Caller};
use crate::{App, AppError, Result};
use dangbo_store::{AuditBreak, AuditEntry, AuditQuery};

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
