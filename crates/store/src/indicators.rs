//! What the computed indicators count, read in one query each: the members of executive
//! committees at a level on a day, and the posts taken up in a period.

use crate::rows::{corrupt, d, date, valid_on};
use crate::{Result, Tx};
use dangbo_domain::Date;
use dangbo_domain::cadre::PositionSource;
use dangbo_domain::member::PersonId;
use dangbo_domain::org::{Level, OrgId, OrgPath};
use sqlx::AssertSqlSafe;

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
    pub async fn committee_members(
        &mut self,
        subtree: &OrgPath,
        level: Level,
        on: Date,
    ) -> Result<Vec<(OrgId, PersonId, Date)>> {
        let (lo, hi) = subtree.subtree_range();
        let sql = format!(
            "SELECT DISTINCT b.org_id, po.person_id, p.birth_date FROM body b \
             JOIN org_version v ON v.org_id = b.org_id AND {} \
             JOIN position po ON po.body_id = b.id AND {} \
             JOIN person p ON p.id = po.person_id \
             WHERE b.kind = 'executive' AND v.level = $2 AND v.path >= $3 AND v.path < $4",
            valid_on("v", 1),
            valid_on("po", 1)
        );
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(level.code())
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *self.inner)
            .await?;
        rows.into_iter()
            .map(|(o, p, b)| Ok((OrgId(o), PersonId(p), date("person", "birth_date", &b)?)))
            .collect()
    }

    /// The posts taken up by appointment, designation or rotation from `from` to `to`
    /// (both included) in the organizations of a subtree, with each organization's level
    /// on the day.
    pub async fn posts_taken(&mut self, subtree: &OrgPath, from: Date, to: Date) -> Result<Vec<PostTaken>> {
        let (lo, hi) = subtree.subtree_range();
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT po.person_id, p.birth_date, po.valid_from, po.source, v.level FROM position po \
             JOIN org_version v ON v.org_id = po.org_id AND v.valid_from <= po.valid_from \
             AND (v.valid_to IS NULL OR v.valid_to > po.valid_from) \
             JOIN person p ON p.id = po.person_id \
             WHERE po.valid_from >= $1 AND po.valid_from <= $2 \
             AND po.source IN ('appointment', 'designation', 'rotation') AND v.path >= $3 AND v.path < $4",
        )
        .bind(d(from))
        .bind(d(to))
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *self.inner)
        .await?;
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
}
