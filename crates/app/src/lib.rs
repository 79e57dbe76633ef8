//! The use cases of dangbo: what a command or a request does, written once against the
//! storage API. Each use case validates its input fully before it writes, writes in one
//! transaction, and records the change in the audit log in that same transaction.

pub mod access;
pub mod accounts;
pub mod articles;
pub mod audit;
pub mod ballots;
pub mod clock;
pub mod conferences;
pub mod demo;
mod demo_events;
pub mod documents;
pub mod error;
pub mod export;
pub mod generate;
pub mod import;
pub mod indicators;
pub mod members;
pub mod orgs;
pub mod paper;
pub mod paperwork;
pub mod passwords;
pub mod planning;
pub mod reporting;
mod rng;
pub mod signing;
pub mod study;
pub mod summary;
pub mod table;
pub mod totp;

pub use clock::Clock;
pub use error::AppError;

use dangbo_store::Db;

/// The application: a database, a clock and the name of whoever is acting.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub db: Db,
    /// Where "today" comes from.
    pub clock: Clock,
    /// Who is acting, for the audit log: `cli:root`, later a user name.
    pub actor: String,
    /// The head counts of subtrees computed so far, shared by every clone.
    summaries: std::sync::Arc<summary::Summaries>,
    /// The points of conferences whose live figures were read, shared by every clone.
    points: std::sync::Arc<conferences::KeptPoints>,
    /// Audit lines of reads waiting to be written, shared by every clone.
    read_audit: std::sync::Arc<audit::ReadAudit>,
}

/// Results of use cases.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl App {
    /// An application over `db`, acting as `actor`.
    pub fn new(db: Db, clock: Clock, actor: impl Into<String>) -> App {
        App {
            db,
            clock,
            actor: actor.into(),
            summaries: Default::default(),
            points: Default::default(),
            read_audit: Default::default(),
        }
    }

    /// Writes an audit line in `tx`, stamped with the clock's time.
    pub(crate) async fn audit(
        &self,
        tx: &mut dangbo_store::Tx,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        tx.audit(&self.clock.timestamp(), &self.actor, action, subject, detail)
            .await?;
        Ok(())
    }

    /// Refuses a change dated after today: dangbo records what has happened. (A change
    /// recorded for a future day would block every correction dated before it.)
    pub(crate) fn not_future(&self, on: dangbo_domain::Date) -> Result<()> {
        let today = self.clock.today();
        if on <= today {
            return Ok(());
        }
        let (d, t) = (dangbo_domain::date::short(on), dangbo_domain::date::short(today));
        Err(AppError::rejected(
            format!("Ngày {d} ở sau hôm nay ({t}): chỉ ghi nhận những thay đổi đã diễn ra"),
            format!("{d} is after today ({t}): only changes that have happened are recorded"),
        ))
    }

    /// Records in the audit log an action done outside the use cases, such as a backup.
    pub async fn record(&self, action: &str, subject: &str, detail: &str) -> Result<()> {
        self.audit_read(action, subject, detail).await
    }

    /// Writes an audit line for a read of personal data, which is done in a read snapshot
    /// and must not hold the write lock while it runs. The data is handed out only once
    /// the line is stored. Lines of concurrent reads are written together, in one
    /// transaction ([`audit::ReadAudit`]).
    pub(crate) async fn audit_read(&self, action: &str, subject: &str, detail: &str) -> Result<()> {
        self.read_audit
            .append(
                &self.db,
                dangbo_store::AuditLine {
                    at: self.clock.timestamp(),
                    actor: self.actor.clone(),
                    action: action.into(),
                    subject: subject.into(),
                    detail: detail.into(),
                },
            )
            .await
    }
}

/// Lowercase hexadecimal of bytes: hashes, tokens and ids as stored.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `N` random bytes from the operating system. Should it fail, the caller is asked to try
/// again: a code or an id is never made from anything weaker.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| {
        AppError::rejected(
            "Máy chủ không tạo được mã ngẫu nhiên, hãy thử lại",
            "The server could not make a random code, try again",
        )
    })?;
    Ok(b)
}
