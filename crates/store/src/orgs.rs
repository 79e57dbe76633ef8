//! Organization versions: the tree as it stood on any day.

use crate::rows::{corrupt, d, date, opt_date, valid_on};
use crate::{Result, Tx, unique};
use dangbo_domain::org::{Level, OrgCode, OrgId, OrgKind, OrgName, OrgPath};
use dangbo_domain::{Date, Validity};
use sqlx::AssertSqlSafe;

/// One version of an organization: its name, kind, level and place in the tree over a
/// range of days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgVersion {
    /// The row id of this version.
    pub version_id: i64,
    /// The organization.
    pub id: OrgId,
    /// Its code.
    pub code: OrgCode,
    /// Its name in this version.
    pub name: OrgName,
    /// Its kind.
    pub kind: OrgKind,
    /// Its level.
    pub level: Level,
    /// Its parent, if not a root.
    pub parent: Option<OrgId>,
    /// Its path in this version.
    pub path: OrgPath,
    /// The days this version is valid.
    pub validity: Validity,
    /// What made this version: `create`, `rename`, `move`, `merge`, `split`, ….
    pub change: String,
    /// What ended it, once ended: `rename`, `move`, `dissolve`, `merge:<code>`,
    /// `split:<code>,<code>`.
    pub ended_by: Option<String>,
}

/// A new version to record.
#[derive(Debug, Clone)]
pub struct NewOrgVersion {
    /// The organization.
    pub id: OrgId,
    /// Its parent.
    pub parent: Option<OrgId>,
    /// Its name.
    pub name: OrgName,
    /// Its kind.
    pub kind: OrgKind,
    /// Its level.
    pub level: Level,
    /// Its path.
    pub path: OrgPath,
    /// First day of validity.
    pub from: Date,
    /// What made it.
    pub change: String,
}

impl NewOrgVersion {
    /// The id of the organization just below the root on its path (see [`OrgPath::top`]).
    pub(crate) fn top(&self) -> Option<i64> {
        self.path.top().map(|o| o.0)
    }
}

type Row = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

const SELECT: &str = "SELECT v.id, v.org_id, o.code, v.name, v.kind, v.level, v.parent_id, v.path, \
     v.valid_from, v.valid_to, v.change, v.ended_by FROM org_version v JOIN org o ON o.id = v.org_id";

fn decode(r: Row) -> Result<OrgVersion> {
    let t = "org_version";
    Ok(OrgVersion {
        version_id: r.0,
        id: OrgId(r.1),
        code: OrgCode::parse(&r.2).map_err(|_| corrupt("org", "code", &r.2))?,
        name: OrgName::parse(&r.3).map_err(|_| corrupt(t, "name", &r.3))?,
        kind: OrgKind::from_code(&r.4).ok_or_else(|| corrupt(t, "kind", &r.4))?,
        level: Level::from_code(&r.5).ok_or_else(|| corrupt(t, "level", &r.5))?,
        parent: r.6.map(OrgId),
        path: OrgPath::parse(&r.7).ok_or_else(|| corrupt(t, "path", &r.7))?,
        validity: Validity {
            from: date(t, "valid_from", &r.8)?,
            to: opt_date(t, "valid_to", r.9.as_deref())?,
        },
        change: r.10,
        ended_by: r.11,
    })
}

impl Tx {
    async fn org_rows(&mut self, sql: String, binds: Vec<String>) -> Result<Vec<OrgVersion>> {
        let mut q = sqlx::query_as::<_, Row>(AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        q.fetch_all(&mut *self.inner).await?.into_iter().map(decode).collect()
    }

    /// Registers a new organization code and returns its id.
    pub async fn insert_org(&mut self, code: &OrgCode) -> Result<OrgId> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO org (code) VALUES ($1) RETURNING id")
            .bind(code.as_str())
            .fetch_one(&mut *self.inner)
            .await
            .map_err(|e| unique(e, || code.to_string()))?;
        Ok(OrgId(id))
    }

    /// The id registered for a code, whether or not it has versions.
    pub async fn org_id_of(&mut self, code: &OrgCode) -> Result<Option<OrgId>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM org WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(row.map(|(id,)| OrgId(id)))
    }

    /// The code registered for an id.
    pub async fn org_code_of(&mut self, id: OrgId) -> Result<Option<OrgCode>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT code FROM org WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *self.inner)
            .await?;
        row.map(|(c,)| OrgCode::parse(&c).map_err(|_| crate::rows::corrupt("org", "code", &c)))
            .transpose()
    }

    /// Records a version of an organization, valid from `v.from` on.
    pub async fn insert_org_version(&mut self, v: &NewOrgVersion) -> Result<()> {
        self.registry_changed = true;
        let before = self.last_id("org_version").await?;
        sqlx::query(
            "INSERT INTO org_version (org_id, valid_from, valid_to, parent_id, name, name_key, kind, level, path, depth, change, top_id) \
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(v.id.0)
        .bind(d(v.from))
        .bind(v.parent.map(|p| p.0))
        .bind(v.name.as_str())
        .bind(dangbo_domain::name::fold(v.name.as_str()))
        .bind(v.kind.code())
        .bind(v.level.code())
        .bind(v.path.as_str())
        .bind(v.path.depth() as i64)
        .bind(v.change.as_str())
        .bind(v.top())
        .execute(&mut *self.inner)
        .await?;
        // Moved under another top (a restructure), its people join that top's roster.
        self.add_to_rosters("v.id", before).await
    }

    /// Ends a version on day `on` (it is no longer valid from that day), saying what ended
    /// it. A version that
    /// would end on the day it began never held on any day, and is removed instead; the
    /// audit log still tells what was done.
    pub async fn end_org_version(&mut self, version_id: i64, on: Date, ended_by: &str) -> Result<()> {
        self.registry_changed = true;
        sqlx::query("DELETE FROM org_version WHERE id = $1 AND valid_from = $2 AND valid_to IS NULL")
            .bind(version_id)
            .bind(d(on))
            .execute(&mut *self.inner)
            .await?;
        sqlx::query("UPDATE org_version SET valid_to = $1, ended_by = $3 WHERE id = $2 AND valid_to IS NULL")
            .bind(d(on))
            .bind(version_id)
            .bind(ended_by)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The version of the organization with `code` valid on `on`.
    pub async fn org_by_code(&mut self, code: &OrgCode, on: Date) -> Result<Option<OrgVersion>> {
        let sql = format!("{SELECT} WHERE o.code = $1 AND {}", valid_on("v", 2));
        Ok(self.org_rows(sql, vec![code.to_string(), d(on)]).await?.pop())
    }

    /// The version of organization `id` valid on `on`.
    pub async fn org_by_id(&mut self, id: OrgId, on: Date) -> Result<Option<OrgVersion>> {
        let sql = format!("{SELECT} WHERE v.org_id = $1 AND {}", valid_on("v", 2));
        let q = sqlx::query_as::<_, Row>(AssertSqlSafe(sql)).bind(id.0).bind(d(on));
        q.fetch_optional(&mut *self.inner).await?.map(decode).transpose()
    }

    /// Every version of the organization with `code`, oldest first.
    pub async fn org_history(&mut self, code: &OrgCode) -> Result<Vec<OrgVersion>> {
        let sql = format!("{SELECT} WHERE o.code = $1 ORDER BY v.valid_from, v.id");
        self.org_rows(sql, vec![code.to_string()]).await
    }

    /// The organizations valid on `on` with `path` as or under their path: the node and
    /// everything beneath it, in path order.
    pub async fn org_subtree(&mut self, path: &OrgPath, on: Date) -> Result<Vec<OrgVersion>> {
        let (lo, hi) = path.subtree_range();
        let sql = format!(
            "{SELECT} WHERE v.path >= $1 AND v.path < $2 AND {} ORDER BY v.path",
            valid_on("v", 3)
        );
        self.org_rows(sql, vec![lo, hi, d(on)]).await
    }

    /// The organizations valid on `on` in the subtree at `path` down to `depth` (a root is
    /// 1), in path order.
    pub async fn org_subtree_to(&mut self, path: &OrgPath, on: Date, depth: usize) -> Result<Vec<OrgVersion>> {
        let (lo, hi) = path.subtree_range();
        let sql = format!(
            "{SELECT} WHERE v.path >= $1 AND v.path < $2 AND {} AND v.depth <= $4 ORDER BY v.path",
            valid_on("v", 3)
        );
        let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(lo)
            .bind(hi)
            .bind(d(on))
            .bind(depth as i64)
            .fetch_all(&mut *self.inner)
            .await?;
        rows.into_iter().map(decode).collect()
    }

    /// The children of `id` valid on `on`, by name.
    pub async fn org_children(&mut self, id: OrgId, on: Date) -> Result<Vec<OrgVersion>> {
        let sql = format!(
            "{SELECT} WHERE v.parent_id = $1 AND {} ORDER BY v.name_key",
            valid_on("v", 2)
        );
        let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.0)
            .bind(d(on))
            .fetch_all(&mut *self.inner)
            .await?;
        rows.into_iter().map(decode).collect()
    }

    /// The roots of the forest valid on `on`.
    pub async fn org_roots(&mut self, on: Date) -> Result<Vec<OrgVersion>> {
        let sql = format!(
            "{SELECT} WHERE v.parent_id IS NULL AND {} ORDER BY v.name_key",
            valid_on("v", 1)
        );
        self.org_rows(sql, vec![d(on)]).await
    }

    /// How many organizations a subtree holds on `on` below its root, and how many of
    /// them are cells, counted in the database.
    pub async fn subtree_size(&mut self, path: &OrgPath, on: Date) -> Result<(u64, u64)> {
        let (lo, hi) = path.subtree_range();
        let sql = format!(
            "SELECT count(*), CAST(COALESCE(sum(CASE WHEN v.kind IN ('{}', '{}') THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM org_version v WHERE v.path >= $2 AND v.path < $3 AND {}",
            OrgKind::SubordinateCell.code(),
            OrgKind::BaseCell.code(),
            valid_on("v", 1)
        );
        let (n, cells): (i64, i64) = sqlx::query_as(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(lo)
            .bind(hi)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(((n - 1).max(0) as u64, cells.max(0) as u64))
    }

    /// Organizations valid on `on` whose folded name is exactly `name_key`.
    pub async fn org_by_name_key(&mut self, name_key: &str, on: Date) -> Result<Vec<OrgVersion>> {
        let sql = format!(
            "{SELECT} WHERE v.name_key = $1 AND {} ORDER BY v.path",
            valid_on("v", 2)
        );
        self.org_rows(sql, vec![name_key.to_string(), d(on)]).await
    }

    /// The latest days after `on` on which something changed that a restructuring of
    /// organization `id` (at `path`) dated `on` would contradict: (the tree under it: an
    /// organization's version began or ended; the organization itself: a placement or a
    /// position in it began or ended). A change dated before either would rewrite what
    /// was recorded after it.
    pub async fn changes_after(&mut self, id: OrgId, path: &OrgPath, on: Date) -> Result<(Option<Date>, Option<Date>)> {
        let (lo, hi) = path.subtree_range();
        let tree = "SELECT max(x.d) FROM (\
             SELECT valid_from AS d FROM org_version WHERE path >= $1 AND path < $2 \
             UNION ALL SELECT valid_to FROM org_version WHERE path >= $1 AND path < $2) x WHERE x.d > $3";
        let (tree,): (Option<String>,) = sqlx::query_as(tree)
            .bind(lo)
            .bind(hi)
            .bind(d(on))
            .fetch_one(&mut *self.inner)
            .await?;
        let people = "SELECT max(x.d) FROM (\
             SELECT valid_from AS d FROM placement WHERE org_id = $1 \
             UNION ALL SELECT valid_to FROM placement WHERE org_id = $1 \
             UNION ALL SELECT valid_from FROM position WHERE org_id = $1 \
             UNION ALL SELECT valid_to FROM position WHERE org_id = $1) x WHERE x.d > $2";
        let (people,): (Option<String>,) = sqlx::query_as(people)
            .bind(id.0)
            .bind(d(on))
            .fetch_one(&mut *self.inner)
            .await?;
        Ok((
            opt_date("org_version", "valid_from", tree.as_deref())?,
            opt_date("placement", "valid_from", people.as_deref())?,
        ))
    }

    /// The day each organization was founded (its first version began).
    pub async fn org_founding_days(&mut self) -> Result<std::collections::HashMap<OrgId, Date>> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT org_id, min(valid_from) FROM org_version GROUP BY org_id")
                .fetch_all(&mut *self.inner)
                .await?;
        rows.into_iter()
            .map(|(id, from)| Ok((OrgId(id), date("org_version", "valid_from", &from)?)))
            .collect()
    }

    /// The number of organizations ever recorded.
    pub async fn org_count(&mut self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM org")
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n)
    }
}
