//! Many rows per statement: the shared helper, and bulk loading for a generated registry
//! (ids reserved ahead; organizations, their versions with the ends history gave them,
//! and positions; the people's indexes built once at the end).

use crate::people::{bind_err, placeholders};
use crate::rows::d;
use crate::{Backend, NewOrgVersion, PositionRow, Result, Tx};
use dangbo_domain::Date;
use dangbo_domain::org::{OrgCode, OrgId};
use sqlx::any::AnyArguments;
use sqlx::{Arguments, AssertSqlSafe};

/// Rows per multi-row INSERT: large enough to amortize a statement, small enough for
/// SQLite's parameter limit.
const BATCH: usize = 1000;

/// The tables a registry's people fill, whose secondary indexes a bulk load builds at
/// its end.
const PEOPLE_TABLES: &str = "'person', 'membership', 'placement', 'roster'";

/// SQLite's page cache for a bulk load's connection (KiB): the unique indexes kept up
/// row by row (citizen ids, card numbers) are written in no order.
const BULK_CACHE_KIB: i64 = 1 << 20;

/// The page cache every SQLite connection has otherwise (KiB), as the pool sets it.
pub(crate) const CACHE_KIB: i64 = 16 * 1024;

/// What a bulk load set aside, to be built at its end ([`Tx::end_bulk_load`]).
#[must_use]
pub struct BulkLoad {
    /// The dropped indexes' definitions.
    indexes: Vec<String>,
}

impl BulkLoad {
    /// How many indexes [`Tx::end_bulk_load`] builds.
    pub fn indexes(&self) -> usize {
        self.indexes.len()
    }
}

impl Tx {
    /// Reserves `n` fresh ids of `table` (`person`, `org`), so that batches can be inserted
    /// with known ids.
    pub(crate) async fn reserve_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        match self.backend {
            // The write transaction holds SQLite's only write lock, so max(id) is ours.
            Backend::Sqlite => {
                let sql = format!("SELECT max(id) FROM {table}");
                let (max,): (Option<i64>,) = sqlx::query_as(AssertSqlSafe(sql)).fetch_one(&mut *self.inner).await?;
                let start = max.unwrap_or(0) + 1;
                Ok((start..start + n as i64).collect())
            }
            Backend::Postgres => {
                let sql =
                    format!("SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)");
                let ids: Vec<(i64,)> = sqlx::query_as(AssertSqlSafe(sql))
                    .bind(n as i64)
                    .fetch_all(&mut *self.inner)
                    .await?;
                Ok(ids.into_iter().map(|(i,)| i).collect())
            }
        }
    }

    /// Reserves `n` fresh organization ids.
    pub async fn reserve_org_ids(&mut self, n: usize) -> Result<Vec<OrgId>> {
        Ok(self.reserve_ids("org", n).await?.into_iter().map(OrgId).collect())
    }

    /// Inserts `rows` many to a statement: `sql` is the statement with `{values}` where
    /// the rows go, each row binds `cols` values with `bind`, and `what` names the unique
    /// key in the message when a row is already there.
    pub(crate) async fn insert_many<T>(
        &mut self,
        sql: &str,
        cols: usize,
        what: &str,
        rows: &[T],
        bind: impl Fn(&mut AnyArguments, &T) -> std::result::Result<(), sqlx::error::BoxDynError>,
    ) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let statement = sql.replace("{values}", &placeholders(self.backend, chunk.len(), cols));
            let mut args = AnyArguments::default();
            for row in chunk {
                bind(&mut args, row).map_err(bind_err)?;
            }
            sqlx::query_with(AssertSqlSafe(statement), args)
                .execute(&mut *self.inner)
                .await
                .map_err(|e| crate::unique(e, || what.to_string()))?;
        }
        Ok(())
    }

    /// Registers organization codes under reserved ids.
    pub async fn insert_orgs(&mut self, rows: &[(OrgId, &OrgCode)]) -> Result<()> {
        self.insert_many(
            "INSERT INTO org (id, code) VALUES {values}",
            2,
            "org code",
            rows,
            |args, (id, code)| {
                args.add(id.0)?;
                args.add(code.as_str().to_string())
            },
        )
        .await
    }

    /// Records versions of organizations, each with its end (the day and what ended it)
    /// when history has closed it.
    pub async fn insert_org_versions(&mut self, rows: &[(&NewOrgVersion, Option<(Date, &str)>)]) -> Result<()> {
        self.registry_changed = true;
        let before = self.last_id("org_version").await?;
        let head = "INSERT INTO org_version (org_id, valid_from, valid_to, parent_id, name, name_key, kind, level, path, \
                    depth, change, ended_by, top_id) VALUES {values}";
        self.insert_many(head, 13, "org_version", rows, |args, (v, end)| {
            args.add(v.id.0)?;
            args.add(d(v.from))?;
            args.add(end.map(|(to, _)| d(to)))?;
            args.add(v.parent.map(|p| p.0))?;
            args.add(v.name.as_str().to_string())?;
            args.add(dangbo_domain::name::fold(v.name.as_str()))?;
            args.add(v.kind.code())?;
            args.add(v.level.code())?;
            args.add(v.path.as_str().to_string())?;
            args.add(v.path.depth() as i64)?;
            args.add(v.change.clone())?;
            args.add(end.map(|(_, by)| by.to_string()))?;
            args.add(v.top())
        })
        .await?;
        // The people already placed in these organizations join their tops' rosters.
        self.add_to_rosters("v.id", before).await
    }

    /// Readies this transaction to load a whole registry's people: the secondary indexes
    /// of their tables are dropped (unique ones stay: they are constraints), the rosters
    /// wait, and on SQLite the connection gets a large page cache. Rows then go in one
    /// after another instead of into every index at random places, and the index builds
    /// at the end sort once. All of it is this transaction's: a load cut short leaves
    /// the database as it was, indexes included.
    pub async fn begin_bulk_load(&mut self) -> Result<BulkLoad> {
        let sql = match self.backend {
            Backend::Sqlite => format!(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({PEOPLE_TABLES}) \
                 AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name"
            ),
            Backend::Postgres => format!(
                "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
                 AND tablename IN ({PEOPLE_TABLES}) AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY indexname"
            ),
        };
        let found: Vec<(String, String)> = sqlx::query_as(AssertSqlSafe(sql)).fetch_all(&mut *self.inner).await?;
        for (name, _) in &found {
            sqlx::raw_sql(AssertSqlSafe(format!("DROP INDEX {name}")))
                .execute(&mut *self.inner)
                .await?;
        }
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql(AssertSqlSafe(format!("PRAGMA cache_size = -{BULK_CACHE_KIB}")))
                .execute(&mut *self.inner)
                .await?;
        }
        self.rosters_held = true;
        Ok(BulkLoad {
            indexes: found.into_iter().map(|(_, def)| def).collect(),
        })
    }

    /// Ends a bulk load: fills the rosters, then builds the dropped indexes, calling
    /// `built` after each.
    pub async fn end_bulk_load(&mut self, load: BulkLoad, mut built: impl FnMut()) -> Result<()> {
        self.rosters_held = false;
        self.add_to_rosters("pl.id", 0).await?;
        if self.backend == Backend::Postgres {
            sqlx::raw_sql("SET LOCAL maintenance_work_mem = '512MB'")
                .execute(&mut *self.inner)
                .await?;
        }
        for def in &load.indexes {
            sqlx::raw_sql(AssertSqlSafe(def.clone()))
                .execute(&mut *self.inner)
                .await?;
            built();
        }
        if self.backend == Backend::Sqlite {
            sqlx::raw_sql(AssertSqlSafe(format!("PRAGMA cache_size = -{CACHE_KIB}")))
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// The highest id of `table` (0 when empty): rows inserted after it have higher ones.
    pub(crate) async fn last_id(&mut self, table: &'static str) -> Result<i64> {
        let (id,): (Option<i64>,) = sqlx::query_as(AssertSqlSafe(format!("SELECT max(id) FROM {table}")))
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(id.unwrap_or(0))
    }

    /// Records positions, many rows per statement.
    pub async fn insert_positions(&mut self, rows: &[PositionRow]) -> Result<()> {
        let head = "INSERT INTO position (person_id, org_id, body_id, title, source, valid_from, valid_to, managed_by) VALUES {values}";
        self.insert_many(head, 8, "position", rows, |args, p| {
            args.add(p.person_id.0)?;
            args.add(p.org_id.0)?;
            args.add(p.body_id.map(|b| b.0))?;
            args.add(p.title.as_str().to_string())?;
            args.add(p.source.code())?;
            args.add(d(p.validity.from))?;
            args.add(p.validity.to.map(d))?;
            args.add(p.managed_by.map(|o| o.0))
        })
        .await
    }
}
