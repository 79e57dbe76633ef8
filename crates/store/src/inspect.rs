//! Reading the database as an administrator holding it would: its tables, their columns
//! and every stored value as text. For the tests that look for what must not be stored
//! (a link between voter and ballot) and that count from the raw rows.

use crate::{Result, Tx};

impl Tx {
    /// The columns of a table, in their order.
    pub async fn columns_of(&mut self, table: &str) -> Result<Vec<String>> {
        let sql = match self.backend {
            crate::Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
            crate::Backend::Postgres => {
                "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position"
            }
        };
        let rows: Vec<(String,)> = sqlx::query_as(sql).bind(table).fetch_all(&mut *self.inner).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Every value of every row of a table as text, in the order the database returns
    /// them without being asked for one: for the tests that look for links in what is
    /// stored.
    pub async fn dump_for_tests(&mut self, table: &str) -> Result<Vec<Vec<String>>> {
        use sqlx::Row;
        let cols = self.columns_of(table).await?;
        if cols.is_empty() {
            return Ok(Vec::new());
        }
        let select: Vec<String> = cols
            .iter()
            .map(|c| match self.backend {
                // A file's bytes, as hexadecimal: they are not text.
                crate::Backend::Sqlite => {
                    format!("CASE WHEN typeof({c}) = 'blob' THEN hex({c}) ELSE CAST({c} AS TEXT) END")
                }
                crate::Backend::Postgres => format!("CAST({c} AS TEXT)"),
            })
            .collect();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM {table}",
            select.join(", ")
        )))
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (0..r.columns().len())
                    .map(|i| r.try_get::<Option<String>, _>(i).ok().flatten().unwrap_or_default())
                    .collect()
            })
            .collect())
    }

    /// The names of every table, for the tests that look for links in what is stored.
    pub async fn tables_for_tests(&mut self) -> Result<Vec<String>> {
        let sql = match self.backend {
            crate::Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            crate::Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
            }
        };
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *self.inner).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The definition of every index the schema made (not those the database makes for
    /// a table's keys), by name: for the tests of a bulk load, which drops some and builds
    /// them again.
    pub async fn indexes_for_tests(&mut self) -> Result<Vec<(String, String)>> {
        let sql = match self.backend {
            crate::Backend::Sqlite => {
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
            }
            crate::Backend::Postgres => {
                "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
            }
        };
        Ok(sqlx::query_as(sql).fetch_all(&mut *self.inner).await?)
    }
}
