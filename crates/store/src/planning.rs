//! Cadre planning lists and their entries. An entry is closed when its cadre is taken out
//! of the plan, never deleted, so the plan of any past day can be read back.

use crate::rows::{corrupt, d, date, opt_date};
use crate::{Result, Tx, unique};
use dangbo_domain::Date;
use dangbo_domain::cadre::Term;
use dangbo_domain::member::{Ethnicity, Gender, PersonId};
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
    /// Of an ethnic minority.
    pub minority: bool,
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
            String,
        );
        let rows: Vec<R> = sqlx::query_as(
            "SELECT e.id, e.person_id, p.full_name, p.gender, p.birth_date, e.added_on, e.added_by, \
             e.removed_on, e.reason, e.removed_by, p.ethnicity \
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
                    minority: Ethnicity::parse(&r.10).is_ok_and(Ethnicity::is_minority),
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

    /// Who is planned for what in an organization's lists of a term on a day: person and
    /// the list's target, for the check of titles per cadre.
    pub async fn planned_targets(
        &mut self,
        org: OrgId,
        term_ordinal: u16,
        on: Date,
    ) -> Result<Vec<(PersonId, String)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT e.person_id, l.target FROM plan_entry e JOIN plan_list l ON l.id = e.list_id \
             WHERE l.org_id = $1 AND l.term_ordinal = $2 AND e.added_on <= $3 \
             AND (e.removed_on IS NULL OR e.removed_on > $3)",
        )
        .bind(org.0)
        .bind(i64::from(term_ordinal))
        .bind(d(on))
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(p, t)| (PersonId(p), t)).collect())
    }

    /// The planning rule sets stored by administrators: source, first day, parameters
    /// (`key=value` lines), the keys not confirmed, and a note.
    pub async fn rule_sets(&mut self) -> Result<Vec<(String, Date, String, String, String)>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT source, in_force_from, params, unconfirmed, note FROM rule_set ORDER BY in_force_from",
        )
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| Ok((r.0, date("rule_set", "in_force_from", &r.1)?, r.2, r.3, r.4)))
            .collect()
    }

    /// Stores a rule set, replacing the one of the same source.
    pub async fn save_rule_set(
        &mut self,
        source: &str,
        from: Date,
        params: &str,
        unconfirmed: &str,
        note: &str,
        at: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO rule_set (source, in_force_from, params, unconfirmed, note, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source) DO UPDATE SET in_force_from = $2, params = $3, \
             unconfirmed = $4, note = $5, updated_at = $6",
        )
        .bind(source)
        .bind(d(from))
        .bind(params)
        .bind(unconfirmed)
        .bind(note)
        .bind(at)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Whether any rule set is stored.
    pub async fn has_stored_rule_sets(&mut self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rule_set")
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n > 0)
    }

    /// Deletes a stored rule set (when an administrator renames it).
    pub async fn delete_rule_set(&mut self, source: &str) -> Result<()> {
        sqlx::query("DELETE FROM rule_set WHERE source = $1")
            .bind(source)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}
