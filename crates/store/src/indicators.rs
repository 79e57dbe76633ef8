//! What the computed indicators count, read in one query each: the members of executive
//! committees at a level on a day, and the posts taken up in a period.

use crate::rows::{corrupt, d, date, valid_on};
use crate::{Result, Tx};
use dangbo_domain::Date;
use dangbo_domain::cadre::PositionSource;
use dangbo_domain::member::{Ethnicity, Gender, PersonId};
use dangbo_domain::org::{Level, OrgId, OrgPath};
use sqlx::AssertSqlSafe;

/// A seat of an executive committee on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitteeSeat {
    /// The organization whose committee it is.
    pub org: OrgId,
    /// Who holds it.
    pub person: PersonId,
    /// Their birth date.
    pub birth: Date,
    /// A woman.
    pub woman: bool,
    /// Of an ethnic minority.
    pub minority: bool,
}

/// A value an organization reported for a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedValue {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The target.
    pub target_id: i64,
    /// The organization reporting.
    pub org_id: OrgId,
    /// The period: first and last day.
    pub period: (Date, Date),
    /// Counted.
    pub num: i64,
    /// Out of.
    pub den: i64,
    /// A note.
    pub note: String,
    /// The evidence, a stored file.
    pub evidence_id: Option<i64>,
}

/// A post taken up: who, born when, on which day, how, and the level of its organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTaken {
    /// Who.
    pub person: PersonId,
    /// Their birth date.
    pub birth: Date,
    /// The day they took it up.
    pub on: Date,
    /// How.
    pub source: PositionSource,
    /// The level of the organization it belongs to, that day.
    pub level: Level,
}

impl Tx {
    /// The members of the executive committees (BCH) of the organizations at `level` in a
    /// subtree, in office on `on`: organization, person and birth date, each seat once.
    pub async fn committee_members(&mut self, subtree: &OrgPath, level: Level, on: Date) -> Result<Vec<CommitteeSeat>> {
        let (lo, hi) = subtree.subtree_range();
        let sql = format!(
            "SELECT DISTINCT b.org_id, po.person_id, p.birth_date, p.gender, p.ethnicity FROM body b \
             JOIN org_version v ON v.org_id = b.org_id AND {} \
             JOIN position po ON po.body_id = b.id AND {} \
             JOIN person p ON p.id = po.person_id \
             WHERE b.kind = 'executive' AND v.level = $2 AND v.path >= $3 AND v.path < $4",
            valid_on("v", 1),
            valid_on("po", 1)
        );
        let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(level.code())
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *self.inner)
            .await?;
        rows.into_iter()
            .map(|(o, p, b, g, e)| {
                Ok(CommitteeSeat {
                    org: OrgId(o),
                    person: PersonId(p),
                    birth: date("person", "birth_date", &b)?,
                    woman: g == Gender::Female.code(),
                    minority: Ethnicity::parse(&e).is_ok_and(Ethnicity::is_minority),
                })
            })
            .collect()
    }

    /// The posts taken up by appointment, designation or rotation from `from` to `to`
    /// (both included) in the organizations of a subtree, with each organization's level
    /// on the day; with `managed_by`, only the posts its standing committee manages.
    pub async fn posts_taken(
        &mut self,
        subtree: &OrgPath,
        from: Date,
        to: Date,
        managed_by: Option<OrgId>,
    ) -> Result<Vec<PostTaken>> {
        let (lo, hi) = subtree.subtree_range();
        let managed = if managed_by.is_some() {
            "AND po.managed_by = $5"
        } else {
            ""
        };
        let sql = format!(
            "SELECT po.person_id, p.birth_date, po.valid_from, po.source, v.level FROM position po \
             JOIN org_version v ON v.org_id = po.org_id AND v.valid_from <= po.valid_from \
             AND (v.valid_to IS NULL OR v.valid_to > po.valid_from) \
             JOIN person p ON p.id = po.person_id \
             WHERE po.valid_from >= $1 AND po.valid_from <= $2 \
             AND po.source IN ('appointment', 'designation', 'rotation') AND v.path >= $3 AND v.path < $4 {managed}"
        );
        let mut q = sqlx::query_as::<_, (i64, String, String, String, String)>(AssertSqlSafe(sql))
            .bind(d(from))
            .bind(d(to))
            .bind(lo)
            .bind(hi);
        if let Some(o) = managed_by {
            q = q.bind(o.0);
        }
        let rows = q.fetch_all(&mut *self.inner).await?;
        rows.into_iter()
            .map(|r| {
                Ok(PostTaken {
                    person: PersonId(r.0),
                    birth: date("person", "birth_date", &r.1)?,
                    on: date("position", "valid_from", &r.2)?,
                    source: PositionSource::from_code(&r.3)
                        .ok_or_else(|| corrupt("position", "source", r.3.clone()))?,
                    level: Level::from_code(&r.4).ok_or_else(|| corrupt("org_version", "level", r.4.clone()))?,
                })
            })
            .collect()
    }

    /// Records a reported value.
    pub async fn insert_reported_value(&mut self, v: &ReportedValue, by: &str, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO indicator_value (target_id, org_id, period_from, period_to, num, den, note, evidence_id, \
             reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(v.target_id)
        .bind(v.org_id.0)
        .bind(d(v.period.0))
        .bind(d(v.period.1))
        .bind(v.num)
        .bind(v.den)
        .bind(&v.note)
        .bind(v.evidence_id)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// The values reported for a target, oldest period first.
    pub async fn reported_values(&mut self, target: i64) -> Result<Vec<ReportedValue>> {
        type R = (i64, i64, i64, String, String, i64, i64, String, Option<i64>);
        let rows: Vec<R> = sqlx::query_as(
            "SELECT id, target_id, org_id, period_from, period_to, num, den, note, evidence_id FROM indicator_value \
             WHERE target_id = $1 ORDER BY period_to, id",
        )
        .bind(target)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ReportedValue {
                    id: r.0,
                    target_id: r.1,
                    org_id: OrgId(r.2),
                    period: (
                        date("indicator_value", "period_from", &r.3)?,
                        date("indicator_value", "period_to", &r.4)?,
                    ),
                    num: r.5,
                    den: r.6,
                    note: r.7,
                    evidence_id: r.8,
                })
            })
            .collect()
    }

    /// A target by its id.
    pub async fn target(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT document_id, indicator FROM document_target WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.inner)
                .await?,
        )
    }

    /// The organization that reported the value whose evidence is attachment `att`.
    pub async fn reported_value_org(&mut self, att: i64) -> Result<Option<OrgId>> {
        let r: Option<(i64,)> = sqlx::query_as("SELECT org_id FROM indicator_value WHERE evidence_id = $1")
            .bind(att)
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(r.map(|r| OrgId(r.0)))
    }
}
