//! Cadre planning lists and their entries. An entry is closed when its cadre is taken out
//! of the plan, never deleted, so the plan of any past day can be read back.

use crate::rows::{corrupt, d, date, opt_date};
use crate::{Result, Tx, unique};
use dangbo_domain::Date;
use dangbo_domain::cadre::Term;
use dangbo_domain::member::{Gender, PersonId};
use dangbo_domain::org::OrgId;
use dangbo_domain::planning::{PlanEntry, RemovalReason};

/// A planning list: an organization's plan for a body or a title in a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanListRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The organization.
    pub org_id: OrgId,
    /// The term planned for.
    pub term: Term,
    /// `body:<kind>` or `title:<title>`.
    pub target: String,
    /// A body's prescribed size, or a title's number of seats.
    pub size: i64,
}

/// An entry of a plan with what the checks need to know of its cadre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntryRow {
    /// Row id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Date of birth.
    pub birth: Date,
    /// The entry and its history.
    pub entry: PlanEntry<PersonId>,
}

type ListTuple = (i64, i64, i64, i64, i64, String, i64);
const LIST_COLS: &str = "id, org_id, term_ordinal, term_from, term_to, target, size";

fn list(r: ListTuple) -> Result<PlanListRow> {
    let term = Term::new(r.2 as u16, r.3 as i16, r.4 as i16)
        .map_err(|_| corrupt("plan_list", "term", format!("{} {}-{}", r.2, r.3, r.4)))?;
    Ok(PlanListRow {
        id: r.0,
        org_id: OrgId(r.1),
        term,
        target: r.5,
        size: r.6,
    })
}

impl Tx {
    /// Records a planning list; one per organization, term and body or title.
    pub async fn insert_plan_list(&mut self, l: &PlanListRow, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO plan_list (org_id, term_ordinal, term_from, term_to, target, size, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(l.org_id.0)
        .bind(i64::from(l.term.ordinal))
        .bind(i64::from(l.term.from_year))
        .bind(i64::from(l.term.to_year))
        .bind(&l.target)
        .bind(l.size)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| unique(e, || format!("{} {}", l.target, l.term.label_vi())))?;
        Ok(id)
    }

    /// A planning list.
    pub async fn plan_list(&mut self, id: i64) -> Result<Option<PlanListRow>> {
        let r: Option<ListTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LIST_COLS} FROM plan_list WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.inner)
        .await?;
        r.map(list).transpose()
    }

    /// The planning lists of an organization, newest term first.
    pub async fn plan_lists_of(&mut self, org: OrgId) -> Result<Vec<PlanListRow>> {
        let rows: Vec<ListTuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LIST_COLS} FROM plan_list WHERE org_id = $1 ORDER BY term_ordinal DESC, target"
        )))
        .bind(org.0)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(list).collect()
    }

    /// Every entry of a list, past and present, in the Vietnamese order of names.
    pub async fn plan_entries(&mut self, list: i64) -> Result<Vec<PlanEntryRow>> {
        type R = (
            i64,
            i64,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<R> = sqlx::query_as(
            "SELECT e.id, e.person_id, p.full_name, p.gender, p.birth_date, e.added_on, e.added_by, \
             e.removed_on, e.reason, e.removed_by \
             FROM plan_entry e JOIN person p ON p.id = e.person_id WHERE e.list_id = $1 ORDER BY p.sort_key, e.id",
        )
        .bind(list)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| {
                let removed = match (opt_date("plan_entry", "removed_on", r.7.as_deref())?, r.8) {
                    (Some(on), Some(reason)) => Some((
                        on,
                        RemovalReason::from_code(&reason).ok_or_else(|| corrupt("plan_entry", "reason", &reason))?,
                        r.9.unwrap_or_default(),
                    )),
                    _ => None,
                };
                Ok(PlanEntryRow {
                    id: r.0,
                    name: r.2,
                    gender: Gender::from_code(&r.3).ok_or_else(|| corrupt("person", "gender", &r.3))?,
                    birth: date("person", "birth_date", &r.4)?,
                    entry: PlanEntry {
                        person: PersonId(r.1),
                        added_on: date("plan_entry", "added_on", &r.5)?,
                        added_by: r.6,
                        removed,
                    },
                })
            })
            .collect()
    }

    /// Adds a cadre to a plan from a day, by a decision.
    pub async fn insert_plan_entry(
        &mut self,
        list: i64,
        person: PersonId,
        on: Date,
        decision: &str,
        at: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO plan_entry (list_id, person_id, added_on, added_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(list)
        .bind(person.0)
        .bind(d(on))
        .bind(decision)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// Takes a cadre out of a plan: closes their open entry from a day, with the reason
    /// and the decision.
    pub async fn close_plan_entry(
        &mut self,
        entry: i64,
        on: Date,
        reason: RemovalReason,
        decision: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE plan_entry SET removed_on = $2, reason = $3, removed_by = $4 WHERE id = $1 AND removed_on IS NULL",
        )
        .bind(entry)
        .bind(d(on))
        .bind(reason.code())
        .bind(decision)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}
