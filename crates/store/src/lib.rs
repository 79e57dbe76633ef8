//! Storage for dangbo: SQLite (embedded, the default) and PostgreSQL (one database for
//! many application instances), behind one API.
//!
//! Both backends run the same portable SQL through sqlx's `Any` driver, so there is one
//! implementation of every query and the contract tests hold it to the same behaviour on
//! both. What does differ lives in [`backend`]: connection settings, each backend's own
//! migrations, and backups. Dates are ISO text and names sort by a byte key computed in
//! the domain, so neither needs a database-specific type or collation.
//!
//! Every access goes through a [`Tx`]: [`Db::read`] gives a consistent snapshot, and
//! [`Db::write`] a transaction that applies all of its changes or none.

mod accounts;
mod articles;
mod audit;
pub mod backend;
mod ballots;
mod bulk;
mod conferences;
mod documents;
mod indicators;
mod inspect;
mod orgs;
mod people;
mod planning;
mod reporting;
mod rows;
mod study;

pub use accounts::{AccountRow, GrantRow, NewSession, SessionRow, TotpRow};
pub use articles::ArticleRow;
pub use audit::{AuditBreak, AuditEntry, AuditLine, AuditQuery};
pub use backend::{Backend, Db};
pub use ballots::{BallotRow, CandidateRow, NominationRow};
pub use bulk::BulkLoad;
pub use conferences::{
    AgendaRow, AmendmentRow, CheckinOutcome, CheckinRequest, CheckinStatus, ConferenceRow, Invitation, PointRow,
    TallyRow,
};
pub use documents::{AttachmentRow, DocumentRow, TargetRow, TaskRow};
pub use indicators::{CommitteeSeat, PostTaken, ReportedValue};
pub use orgs::{NewOrgVersion, OrgVersion};
pub use people::{
    BodyRow, FactsGroup, MemberFacts, MemberFilter, MemberView, MembershipRow, NewPerson, PersonRow, PlacementRow,
    PositionRow, Total,
};
pub use planning::{PlanEntryRow, PlanListRow};
pub use reporting::{RequestRow, SubmissionRow};
pub use study::{CampaignRow, Coverage, MakeupRow, ReportRow, StudyRow};

use sqlx::{Any, Transaction};

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("{0}")]
    Database(#[from] sqlx::Error),
    /// A stored value does not parse: the database was changed outside dangbo.
    #[error("corrupt value in {table}.{column}: {value:?}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// The value found.
        value: String,
    },
    /// The file is not an SQLite database (or is damaged).
    #[error("not a database: {0}")]
    NotADatabase(String),
    /// A uniqueness rule was broken (a code, a card number or a citizen ID already used).
    #[error("already exists: {0}")]
    Duplicate(String),
    /// The database was written by a newer dangbo, or is not a dangbo database.
    #[error("schema: {0}")]
    Schema(String),
}

/// Storage results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One transaction: a read snapshot or a unit of writes. Dropping it without
/// [`Tx::commit`] rolls back.
pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
    /// Whether people, placements or organizations were written: the commit then moves
    /// the registry's version on ([`Tx::registry_version`]).
    registry_changed: bool,
    /// Tests: every name taken as common, or as not ([`Tx::take_names_as_common_for_tests`]).
    names_common: Option<bool>,
    /// Within a bulk load ([`Tx::begin_bulk_load`]): the rosters are built at its end.
    rosters_held: bool,
}

impl Tx {
    fn new(inner: Transaction<'static, Any>, backend: Backend) -> Tx {
        Tx {
            inner,
            backend,
            registry_changed: false,
            names_common: None,
            rosters_held: false,
        }
    }

    /// Makes the writes durable.
    pub async fn commit(mut self) -> Result<()> {
        if self.registry_changed {
            // Last, so that PostgreSQL holds this one row's lock only while committing.
            sqlx::query("UPDATE registry_version SET version = version + 1 WHERE id = 1")
                .execute(&mut *self.inner)
                .await?;
        }
        self.inner.commit().await?;
        Ok(())
    }

    /// A number that grows with every committed change to people, memberships,
    /// placements or organizations: what was computed from the registry at one version
    /// still holds while it has not moved.
    pub async fn registry_version(&mut self) -> Result<i64> {
        let (v,): (i64,) = sqlx::query_as("SELECT version FROM registry_version WHERE id = 1")
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(v)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Marks migration 1 as applied from another text; only for the contract tests.
    #[doc(hidden)]
    pub async fn tamper_migration_checksum_for_tests(&mut self) -> Result<()> {
        sqlx::query("UPDATE dangbo_migrations SET checksum = 'x' WHERE version = 1")
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Reads a value from the meta table.
    pub async fn meta(&mut self, key: &str) -> Result<Option<String>> {
        let v: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(v.map(|(v,)| v))
    }

    /// Reads a value from the meta table, storing `value` first if there is none (two
    /// processes racing both end up with the first one stored).
    pub async fn meta_or_insert(&mut self, key: &str, value: &str) -> Result<String> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&mut *self.inner)
            .await?;
        Ok(self.meta(key).await?.unwrap_or_else(|| value.to_string()))
    }

    /// Tells every process listening on `channel` ([`Db::listen`]) once this transaction
    /// commits; nothing on SQLite.
    pub async fn notify(&mut self, channel: &str, payload: &str) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Writes a value to the meta table.
    pub async fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

/// Maps a unique-constraint violation to [`StoreError::Duplicate`].
pub(crate) fn unique(err: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what()),
        _ => StoreError::Database(err),
    }
}

pub mod testing {
    //! Fresh databases for tests: an SQLite file in a temporary directory, or a new
    //! PostgreSQL database on the server named by `DANGBO_TEST_POSTGRES`.

    use crate::{Db, Result};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A database for one test; the PostgreSQL one is dropped with it (best effort).
    pub struct TestDb {
        /// The database.
        pub db: Db,
        /// Its URL or path.
        pub url: String,
        _dir: Option<std::path::PathBuf>,
        admin: Option<(String, String)>,
    }

    /// A fresh, migrated SQLite database in its own temporary directory.
    pub async fn sqlite() -> Result<TestDb> {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "dangbo-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| crate::StoreError::Schema(e.to_string()))?;
        let url = dir.join("test.db").display().to_string();
        let db = Db::open(&url).await?;
        db.migrate().await?;
        Ok(TestDb {
            db,
            url,
            _dir: Some(dir),
            admin: None,
        })
    }

    /// A fresh, migrated PostgreSQL database, if `DANGBO_TEST_POSTGRES` names a server
    /// (for example `postgres://postgres@127.0.0.1:5432/test`).
    pub async fn postgres() -> Result<Option<TestDb>> {
        static N: AtomicU32 = AtomicU32::new(0);
        let Ok(admin_url) = std::env::var("DANGBO_TEST_POSTGRES") else {
            return Ok(None);
        };
        let name = format!("dangbo_t_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let admin = Db::open(&admin_url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
            .execute(&admin.pool)
            .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin.pool)
            .await?;
        admin.close().await;
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
        let url = format!("{base}/{name}");
        let db = Db::open(&url).await?;
        db.migrate().await?;
        Ok(Some(TestDb {
            db,
            url,
            _dir: None,
            admin: Some((admin_url, name)),
        }))
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            if let Some(dir) = &self._dir {
                let _ = std::fs::remove_dir_all(dir);
            }
            if let Some((admin_url, name)) = self.admin.take() {
                // Dropping needs a connection of its own, outside any runtime being torn down.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio_rt() else { return };
                    rt.block_on(async move {
                        if let Ok(admin) = Db::open(&admin_url).await {
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(&admin.pool)
                            .await;
                            admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }

    fn tokio_rt() -> std::io::Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    }
}
