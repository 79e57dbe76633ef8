//! The two databases: how to open each, its own migrations, and its backup.

use crate::{Result, StoreError, Tx};
use dangbo_domain::name::SORT_KEY_VERSION;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, AssertSqlSafe, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (WAL, foreign keys on).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The meta key under which the version of the stored name keys is kept.
const NAME_KEY_VERSION: &str = "name_key_version";

/// FNV-1a over a migration's text: enough to notice an edited migration.
fn checksum(sql: &str) -> String {
    let hash = sql.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const SQLITE_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "registry",
        sql: include_str!("../migrations/sqlite/0001_registry.sql"),
    },
    Migration {
        version: 2,
        name: "accounts",
        sql: include_str!("../migrations/sqlite/0002_accounts.sql"),
    },
    Migration {
        version: 3,
        name: "dissemination",
        sql: include_str!("../migrations/sqlite/0003_dissemination.sql"),
    },
    Migration {
        version: 4,
        name: "planning",
        sql: include_str!("../migrations/sqlite/0004_planning.sql"),
    },
    Migration {
        version: 5,
        name: "ballots",
        sql: include_str!("../migrations/sqlite/0005_ballots.sql"),
    },
    Migration {
        version: 6,
        name: "rule sets",
        sql: include_str!("../migrations/sqlite/0006_rule_sets.sql"),
    },
    Migration {
        version: 7,
        name: "reports",
        sql: include_str!("../migrations/sqlite/0007_reports.sql"),
    },
    Migration {
        version: 8,
        name: "articles",
        sql: include_str!("../migrations/sqlite/0008_articles.sql"),
    },
    Migration {
        version: 9,
        name: "indicator values",
        sql: include_str!("../migrations/sqlite/0009_indicator_values.sql"),
    },
    Migration {
        version: 10,
        name: "managed by",
        sql: include_str!("../migrations/sqlite/0010_managed_by.sql"),
    },
    Migration {
        version: 11,
        name: "name search",
        sql: include_str!("../migrations/sqlite/0011_name_search.sql"),
    },
    Migration {
        version: 12,
        name: "registry version",
        sql: include_str!("../migrations/sqlite/0012_registry_version.sql"),
    },
    Migration {
        version: 13,
        name: "second factor",
        sql: include_str!("../migrations/sqlite/0013_second_factor.sql"),
    },
    Migration {
        version: 14,
        name: "session seen",
        sql: include_str!("../migrations/sqlite/0014_session_seen.sql"),
    },
    Migration {
        version: 15,
        name: "failure address",
        sql: include_str!("../migrations/sqlite/0015_failure_address.sql"),
    },
    Migration {
        version: 16,
        name: "search in name order",
        sql: include_str!("../migrations/sqlite/0016_search_in_name_order.sql"),
    },
    Migration {
        version: 17,
        name: "roster",
        sql: include_str!("../migrations/sqlite/0017_roster.sql"),
    },
];

const POSTGRES_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "registry",
        sql: include_str!("../migrations/postgres/0001_registry.sql"),
    },
    Migration {
        version: 2,
        name: "accounts",
        sql: include_str!("../migrations/postgres/0002_accounts.sql"),
    },
    Migration {
        version: 3,
        name: "dissemination",
        sql: include_str!("../migrations/postgres/0003_dissemination.sql"),
    },
    Migration {
        version: 4,
        name: "planning",
        sql: include_str!("../migrations/postgres/0004_planning.sql"),
    },
    Migration {
        version: 5,
        name: "ballots",
        sql: include_str!("../migrations/postgres/0005_ballots.sql"),
    },
    Migration {
        version: 6,
        name: "rule sets",
        sql: include_str!("../migrations/postgres/0006_rule_sets.sql"),
    },
    Migration {
        version: 7,
        name: "reports",
        sql: include_str!("../migrations/postgres/0007_reports.sql"),
    },
    Migration {
        version: 8,
        name: "articles",
        sql: include_str!("../migrations/postgres/0008_articles.sql"),
    },
    Migration {
        version: 9,
        name: "indicator values",
        sql: include_str!("../migrations/postgres/0009_indicator_values.sql"),
    },
    Migration {
        version: 10,
        name: "managed by",
        sql: include_str!("../migrations/postgres/0010_managed_by.sql"),
    },
    Migration {
        version: 11,
        name: "name search",
        sql: include_str!("../migrations/postgres/0011_name_search.sql"),
    },
    Migration {
        version: 12,
        name: "registry version",
        sql: include_str!("../migrations/postgres/0012_registry_version.sql"),
    },
    Migration {
        version: 13,
        name: "second factor",
        sql: include_str!("../migrations/postgres/0013_second_factor.sql"),
    },
    Migration {
        version: 14,
        name: "session seen",
        sql: include_str!("../migrations/postgres/0014_session_seen.sql"),
    },
    Migration {
        version: 15,
        name: "failure address",
        sql: include_str!("../migrations/postgres/0015_failure_address.sql"),
    },
    Migration {
        version: 16,
        name: "search in name order",
        sql: include_str!("../migrations/postgres/0016_search_in_name_order.sql"),
    },
    Migration {
        version: 17,
        name: "roster",
        sql: include_str!("../migrations/postgres/0017_roster.sql"),
    },
    Migration {
        version: 18,
        name: "search with ids",
        sql: include_str!("../migrations/postgres/0018_search_with_ids.sql"),
    },
];

/// An open database: a pool of connections and the backend it speaks to.
#[derive(Clone)]
pub struct Db {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// The server's URL, for a PostgreSQL database (to LISTEN on a connection of its own).
    url: Option<String>,
}

impl Db {
    /// Opens `target`: a `postgres://` or `postgresql://` URL, or else the path of an
    /// SQLite file (an `sqlite:` prefix is accepted), created if it does not exist.
    pub async fn open(target: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            let options = AnyConnectOptions::from_str(target)?;
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        // Statements are prepared once per connection and PostgreSQL
                        // would switch to a generic plan after five runs; but how many
                        // rows a path range or a date selects is what the plan depends
                        // on, so plan each run for its own values (planning is cheap).
                        conn.execute("SET plan_cache_mode = force_custom_plan").await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await?;
            return Ok(Db {
                pool,
                backend: Backend::Postgres,
                url: Some(target.to_string()),
            });
        }
        let path = target
            .strip_prefix("sqlite://")
            .or_else(|| target.strip_prefix("sqlite:"))
            .unwrap_or(target);
        let path = path.split('?').next().unwrap_or(path).to_string();
        let options = AnyConnectOptions::from_str(&format!("sqlite://{path}?mode=rwc"))?;
        // One connection first: a file that is not an SQLite database fails here at once,
        // instead of the pool retrying until its timeout.
        {
            use sqlx::Connection;
            let mut probe = sqlx::AnyConnection::connect_with(&options).await?;
            let check = sqlx::query("SELECT count(*) FROM sqlite_master")
                .execute(&mut probe)
                .await;
            let _ = probe.close().await;
            if let Err(sqlx::Error::Database(e)) = &check {
                return Err(StoreError::NotADatabase(format!("{path}: {}", e.message())));
            }
            check?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            // A file's connection does not go away under us; pinging it on every acquire
            // was a round trip to its thread for each transaction.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // busy_timeout waits for a writer instead of failing; synchronous=NORMAL
                    // is safe with WAL (a power cut may lose the last commits, never corrupt).
                    // 16 MiB of page cache per connection, and large sorts spill to a
                    // temporary file: the server of a nation stays within 500 MiB (the
                    // operating system's file cache keeps the database's hot pages).
                    let pragmas = format!(
                        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                         PRAGMA cache_size = -{};",
                        crate::bulk::CACHE_KIB
                    );
                    conn.execute(AssertSqlSafe(pragmas)).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode = WAL").fetch_one(&pool).await?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Schema(format!("SQLite refused WAL mode ({mode})")));
        }
        Ok(Db {
            pool,
            backend: Backend::Sqlite,
            url: None,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Calls `on_message` with the payload of every notification on `channel` sent by
    /// any process sharing this PostgreSQL database ([`Tx::notify`]), reconnecting after
    /// a failure; returns at once on SQLite, which has one process.
    pub async fn listen(&self, channel: &str, on_message: impl Fn(&str) + Send + 'static) {
        let Some(url) = self.url.clone() else { return };
        loop {
            match sqlx::postgres::PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if listener.listen(channel).await.is_ok() {
                        while let Ok(n) = listener.recv().await {
                            on_message(n.payload());
                        }
                    }
                }
                Err(e) => tracing_free_log(&e.to_string()),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// A read snapshot.
    pub async fn read(&self) -> Result<Tx> {
        Ok(Tx::new(self.pool.begin().await?, self.backend))
    }

    /// A write transaction. It takes the database's write lock at once (SQLite:
    /// `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock), so writers run
    /// one after another and what a use case checked still holds when it writes.
    ///
    /// (Queueing SQLite's writers at a mutex of the process before `BEGIN IMMEDIATE`, so
    /// that none sleeps in SQLite's busy handler holding a connection, was tried: the
    /// audited member list served fewer requests, 356 against 459 a second.)
    pub async fn write(&self) -> Result<Tx> {
        match self.backend {
            Backend::Sqlite => Ok(Tx::new(self.pool.begin_with("BEGIN IMMEDIATE").await?, self.backend)),
            Backend::Postgres => {
                let mut inner = self.pool.begin().await?;
                // One writer at a time, as on SQLite: every use case checks, then writes,
                // and two checks must not both pass before either writes (two crossed
                // moves would otherwise make a cycle). Readers are not blocked.
                sqlx::query("SELECT pg_advisory_xact_lock(7310)")
                    .execute(&mut *inner)
                    .await?;
                Ok(Tx::new(inner, self.backend))
            }
        }
    }

    /// A transaction for appending to the audit log alone. On PostgreSQL it does not wait
    /// for the writers' lock (an appended line cannot break what a writer checked), so
    /// reading personal data is not held up by a long import; SQLite has one writer lock,
    /// and waits for it (up to its busy timeout).
    pub async fn append(&self) -> Result<Tx> {
        match self.backend {
            Backend::Sqlite => self.write().await,
            Backend::Postgres => Ok(Tx::new(self.pool.begin().await?, self.backend)),
        }
    }

    /// Applies the migrations this database has not seen yet, each in its own
    /// transaction, and recomputes the stored name keys if they were made by another
    /// version of the sort-key algorithm. Returns how many migrations were applied.
    pub async fn migrate(&self) -> Result<usize> {
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS dangbo_migrations \
             (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        let done: Vec<(i64, String)> = sqlx::query_as("SELECT version, checksum FROM dangbo_migrations")
            .fetch_all(&self.pool)
            .await?;
        let latest = migrations.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some((v, _)) = done.iter().find(|(v, _)| *v > latest) {
            return Err(StoreError::Schema(format!(
                "the database has migration {v}, newer than this dangbo knows ({latest})"
            )));
        }
        // A migration, once applied anywhere, is never edited: a changed one would leave
        // databases that ran the old text with a schema this code does not expect.
        for (v, sum) in &done {
            if let Some(m) = migrations.iter().find(|m| m.version == *v)
                && checksum(m.sql) != *sum
            {
                return Err(StoreError::Schema(format!(
                    "migration {v} ({}) was changed after this database applied it; add a new migration instead",
                    m.name
                )));
            }
        }
        let mut applied = 0;
        for m in migrations.iter().filter(|m| !done.iter().any(|(v, _)| *v == m.version)) {
            let mut tx = self.write().await?;
            sqlx::raw_sql(AssertSqlSafe(m.sql)).execute(&mut *tx.inner).await?;
            sqlx::query("INSERT INTO dangbo_migrations (version, name, checksum) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(checksum(m.sql))
                .execute(&mut *tx.inner)
                .await?;
            tx.commit().await?;
            applied += 1;
        }
        let mut tx = self.write().await?;
        if tx.meta(NAME_KEY_VERSION).await?.as_deref() != Some(SORT_KEY_VERSION) {
            tx.recompute_name_keys().await?;
            tx.set_meta(NAME_KEY_VERSION, SORT_KEY_VERSION).await?;
        }
        tx.seal_audit().await?;
        tx.commit().await?;
        Ok(applied)
    }

    /// Refreshes the planner's statistics. After a bulk load the planner otherwise
    /// guesses a subtree holds a handful of rows and picks plans that read them all.
    pub async fn analyze(&self) -> Result<()> {
        sqlx::raw_sql("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// After loading a whole registry: [`Db::analyze`], and on PostgreSQL a vacuum first,
    /// which marks the loaded pages visible to all; until then (or until autovacuum comes
    /// round) a search's index-only scans read a table page for every match.
    pub async fn settle(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::raw_sql("VACUUM").execute(&self.pool).await?;
        }
        self.analyze().await
    }

    /// Whether the schema is in place (used to tell an empty database from a loaded one).
    pub async fn is_migrated(&self) -> Result<bool> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT count(*) FROM sqlite_master WHERE name = 'dangbo_migrations'",
            Backend::Postgres => "SELECT count(*) FROM pg_tables WHERE tablename = 'dangbo_migrations'",
        };
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    /// Writes a consistent copy of an SQLite database to `dest` while it stays in use
    /// (`VACUUM INTO` reads one snapshot). PostgreSQL is backed up with `pg_dump`.
    pub async fn backup_sqlite(&self, dest: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Schema(
                "VACUUM INTO is for SQLite; use pg_dump for PostgreSQL".into(),
            ));
        }
        sqlx::query("VACUUM INTO $1").bind(dest).execute(&self.pool).await?;
        Ok(())
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok(())` when it answers `ok`.
    pub async fn check_integrity(&self) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check").fetch_all(&self.pool).await?;
        match rows.as_slice() {
            [(ok,)] if ok == "ok" => Ok(()),
            _ => Err(StoreError::Schema(format!(
                "integrity check failed: {}",
                rows.iter().map(|(r,)| r.as_str()).collect::<Vec<_>>().join("; ")
            ))),
        }
    }

    /// Closes every connection (and, on SQLite, checkpoints the WAL into the file).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A failure to listen is retried every second; it is reported on stderr once per try.
fn tracing_free_log(msg: &str) {
    eprintln!("dangbo: LISTEN failed, retrying: {msg}");
}

impl Db {
    /// The reference for the import benchmark: inserts rows of text cells as they are into
    /// a bare table, in one transaction, with the same multi-row statements the store uses.
    #[doc(hidden)]
    pub async fn raw_insert_benchmark(&self, rows: &[Vec<&str>]) -> Result<()> {
        use sqlx::Arguments;
        let width = rows.first().map_or(0, Vec::len);
        let cols: Vec<String> = (0..width).map(|i| format!("c{i} TEXT")).collect();
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE TABLE IF NOT EXISTS raw_bench ({})",
            cols.join(", ")
        )))
        .execute(&self.pool)
        .await?;
        let mut tx = self.write().await?;
        for chunk in rows.chunks(250) {
            let sql = format!(
                "INSERT INTO raw_bench VALUES {}",
                crate::people::placeholders(self.backend, chunk.len(), width)
            );
            let mut args = sqlx::any::AnyArguments::default();
            for cell in chunk.iter().flatten() {
                args.add(cell.to_string())
                    .map_err(|e| StoreError::Database(sqlx::Error::Encode(e)))?;
            }
            sqlx::query_with(AssertSqlSafe(sql), args)
                .execute(&mut *tx.inner)
                .await?;
        }
        tx.commit().await
    }
}
