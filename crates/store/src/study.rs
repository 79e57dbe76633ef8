//! Study campaigns: the members in scope, how each has studied (at a conference, at a
//! make-up session, by self-study), coverage rolled up the tree, and learning reports.

use crate::rows::{d, date, opt_date, valid_on};
use crate::{Result, Tx};
use dangbo_domain::Date;
use dangbo_domain::member::PersonId;
use dangbo_domain::org::{OrgId, OrgPath};
use sqlx::AssertSqlSafe;
use std::collections::{HashMap, HashSet};

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The root of its subtree.
    pub org_id: OrgId,
    /// Title.
    pub title: String,
    /// First day; the members in scope are counted on it.
    pub starts_on: Date,
    /// The deadline for studying.
    pub ends_on: Date,
    /// The deadline for learning reports, if reports are asked for.
    pub report_due: Option<Date>,
    /// Whether exempted members count in the denominator.
    pub exempt_counted: bool,
    /// The grades of learning reports, best first.
    pub grades: Vec<String>,
}

/// Coverage of one organization's subtree in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// The organization.
    pub org_id: OrgId,
    /// Members in scope (exempted ones included).
    pub members: i64,
    /// Of them, exempted from party activities.
    pub exempt: i64,
    /// Members who have studied (exempted ones included).
    pub studied: i64,
    /// Exempted members who have studied.
    pub studied_exempt: i64,
}

/// A member of a campaign's scope, with how they studied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyRow {
    /// The person.
    pub person_id: PersonId,
    /// Full name.
    pub name: String,
    /// Their organization on the first day.
    pub org_id: OrgId,
    /// That organization's path on the first day.
    pub path: String,
    /// Exempted from party activities.
    pub exempt: bool,
    /// `conference`, `makeup` or `self`, once studied.
    pub how: Option<String>,
    /// When.
    pub on: Option<Date>,
}

/// A learning report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// The person.
    pub person_id: PersonId,
    /// Full name.
    pub name: String,
    /// Their organization in the campaign.
    pub org_id: OrgId,
    /// The text.
    pub body: String,
    /// A file, if one was attached.
    pub attachment_id: Option<i64>,
    /// When it was submitted (timestamp).
    pub submitted_at: String,
    /// The grade, once assessed.
    pub grade: Option<String>,
    /// The assessor's comment.
    pub comment: Option<String>,
    /// Who assessed it.
    pub assessed_by: Option<String>,
}

/// A make-up session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeupRow {
    /// Row id.
    pub id: i64,
    /// The organization (usually a cell) that holds it.
    pub org_id: OrgId,
    /// The day.
    pub held_on: Date,
    /// Where.
    pub place: String,
    /// A note.
    pub note: String,
    /// How many attended (or, while scheduled, are expected).
    pub attendees: i64,
    /// Whether it has been held (false while it is only scheduled).
    pub held: bool,
}

type CampaignTuple = (i64, i64, String, String, String, Option<String>, i64, String);
const CAMPAIGN_COLS: &str = "id, org_id, title, starts_on, ends_on, report_due, exempt_counted, grades";

fn campaign(r: CampaignTuple) -> Result<CampaignRow> {
    Ok(CampaignRow {
        id: r.0,
        org_id: OrgId(r.1),
        title: r.2,
        starts_on: date("campaign", "starts_on", &r.3)?,
        ends_on: date("campaign", "ends_on", &r.4)?,
        report_due: opt_date("campaign", "report_due", r.5.as_deref())?,
        exempt_counted: r.6 == 1,
        grades: r.7.split('|').filter(|g| !g.is_empty()).map(str::to_string).collect(),
    })
}

impl Tx {
    /// Records a campaign.
    pub async fn insert_campaign(&mut self, c: &CampaignRow, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO campaign (org_id, title, starts_on, ends_on, report_due, exempt_counted, grades, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(c.org_id.0)
        .bind(&c.title)
        .bind(d(c.starts_on))
        .bind(d(c.ends_on))
        .bind(c.report_due.map(d))
        .bind(i64::from(c.exempt_counted))
        .bind(c.grades.join("|"))
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// One campaign.
    pub async fn campaign(&mut self, id: i64) -> Result<Option<CampaignRow>> {
        let r: Option<CampaignTuple> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLS} FROM campaign WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.inner)
        .await?;
        r.map(campaign).transpose()
    }

    /// Every campaign, newest first.
    pub async fn campaigns(&mut self) -> Result<Vec<CampaignRow>> {
        let rows: Vec<CampaignTuple> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLS} FROM campaign ORDER BY starts_on DESC, id DESC"
        )))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(campaign).collect()
    }

    /// The campaigns a person is in the scope of, with how they studied.
    pub async fn campaigns_of(&mut self, person: PersonId) -> Result<Vec<(CampaignRow, Option<String>)>> {
        let cols = CAMPAIGN_COLS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        type T = (
            i64,
            i64,
            String,
            String,
            String,
            Option<String>,
            i64,
            String,
            Option<String>,
        );
        let rows: Vec<T> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {cols}, m.studied_how FROM campaign_member m JOIN campaign c ON c.id = m.campaign_id \
             WHERE m.person_id = $1 ORDER BY c.starts_on DESC"
        )))
        .bind(person.0)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| Ok((campaign((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7))?, r.8)))
            .collect()
    }

    /// Links documents to a campaign.
    pub async fn add_campaign_documents(&mut self, campaign: i64, docs: &[i64]) -> Result<()> {
        for doc in docs {
            sqlx::query(
                "INSERT INTO campaign_document (campaign_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(campaign)
            .bind(*doc)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// The documents of a campaign.
    pub async fn campaign_documents(&mut self, campaign: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT document_id FROM campaign_document WHERE campaign_id = $1 ORDER BY document_id")
                .bind(campaign)
                .fetch_all(&mut *self.inner)
                .await?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// Links a conference to a campaign: attending it counts as studying.
    pub async fn link_campaign_conference(&mut self, campaign: i64, conference: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO campaign_conference (campaign_id, conference_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(campaign)
        .bind(conference)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The conferences linked to a campaign.
    pub async fn campaign_conferences(&mut self, campaign: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT conference_id FROM campaign_conference WHERE campaign_id = $1 ORDER BY conference_id",
        )
        .bind(campaign)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// The campaigns a conference is linked to.
    pub async fn campaigns_of_conference(&mut self, conference: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT campaign_id FROM campaign_conference WHERE conference_id = $1")
            .bind(conference)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// Brings the campaign's scope up to date with the registry: the members placed in
    /// the subtree on the first day (admitted by then) are in; those no longer there and
    /// not yet studied are out. Returns how many are in scope.
    pub async fn refresh_campaign_members(&mut self, campaign: i64, root: &OrgPath, on: Date) -> Result<i64> {
        let (lo, hi) = root.subtree_range();
        let scope = format!(
            "SELECT pl.person_id FROM org_version v JOIN placement pl ON pl.org_id = v.org_id AND {} \
             JOIN person p ON p.id = pl.person_id AND p.kind = 'member' \
             JOIN membership m ON m.person_id = p.id AND m.admitted_on <= $1 \
             WHERE {} AND v.path >= $2 AND v.path < $3",
            valid_on("pl", 1),
            valid_on("v", 1)
        );
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM campaign_member WHERE campaign_id = $4 AND studied_how IS NULL AND person_id NOT IN ({scope})"
        )))
        .bind(d(on))
        .bind(&lo)
        .bind(&hi)
        .bind(campaign)
        .execute(&mut *self.inner)
        .await?;
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO campaign_member (campaign_id, person_id, org_id, path, exempt) \
             SELECT $4, pl.person_id, pl.org_id, v.path, m.exempt FROM org_version v \
             JOIN placement pl ON pl.org_id = v.org_id AND {} \
             JOIN person p ON p.id = pl.person_id AND p.kind = 'member' \
             JOIN membership m ON m.person_id = p.id AND m.admitted_on <= $1 \
             WHERE {} AND v.path >= $2 AND v.path < $3 \
             ON CONFLICT (campaign_id, person_id) DO NOTHING",
            valid_on("pl", 1),
            valid_on("v", 1)
        )))
        .bind(d(on))
        .bind(&lo)
        .bind(&hi)
        .bind(campaign)
        .execute(&mut *self.inner)
        .await?;
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM campaign_member WHERE campaign_id = $1")
            .bind(campaign)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n)
    }

    /// Marks as studied at a conference every member of the campaign who attended it and
    /// had not studied yet. Returns how many were marked.
    pub async fn apply_conference_study(&mut self, campaign: i64, conference: i64, on: Date) -> Result<u64> {
        let r = sqlx::query(
            "UPDATE campaign_member SET studied_how = 'conference', studied_on = $3, studied_ref = $2 \
             WHERE campaign_id = $1 AND studied_how IS NULL \
             AND person_id IN (SELECT person_id FROM attendee WHERE conference_id = $2)",
        )
        .bind(campaign)
        .bind(conference)
        .bind(d(on))
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected())
    }

    /// Takes back the study a conference credited to a person in one campaign, when their
    /// attendance was removed. Returns whether anything changed.
    pub async fn revoke_conference_study(&mut self, campaign: i64, conference: i64, person: PersonId) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE campaign_member SET studied_how = NULL, studied_on = NULL, studied_ref = NULL \
             WHERE campaign_id = $3 AND person_id = $1 AND studied_how = 'conference' AND studied_ref = $2",
        )
        .bind(person.0)
        .bind(conference)
        .bind(campaign)
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Marks a member as having studied, if they had not; returns whether they were
    /// newly marked. `None` when the person is not in the campaign's scope.
    pub async fn mark_studied(
        &mut self,
        campaign: i64,
        person: PersonId,
        how: &str,
        on: Date,
        reference: Option<i64>,
    ) -> Result<Option<bool>> {
        let r = sqlx::query(
            "UPDATE campaign_member SET studied_how = $3, studied_on = $4, studied_ref = $5 \
             WHERE campaign_id = $1 AND person_id = $2 AND studied_how IS NULL",
        )
        .bind(campaign)
        .bind(person.0)
        .bind(how)
        .bind(d(on))
        .bind(reference)
        .execute(&mut *self.inner)
        .await?;
        if r.rows_affected() > 0 {
            return Ok(Some(true));
        }
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM campaign_member WHERE campaign_id = $1 AND person_id = $2")
                .bind(campaign)
                .bind(person.0)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(exists.map(|_| false))
    }

    /// Recomputes a campaign's coverage rolled up the tree: each organization of the
    /// scope counts the members of its whole subtree. Returns how many rows it wrote.
    pub async fn rebuild_campaign_tally(&mut self, campaign: i64, root: &OrgPath) -> Result<usize> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT path, exempt, count(*), sum(CASE WHEN studied_how IS NULL THEN 0 ELSE 1 END) \
             FROM campaign_member WHERE campaign_id = $1 GROUP BY path, exempt",
        )
        .bind(campaign)
        .fetch_all(&mut *self.inner)
        .await?;
        let root_ids = root.ids();
        let skip = root_ids.len().saturating_sub(1);
        let mut tally: HashMap<OrgId, (Option<OrgId>, Coverage)> = HashMap::new();
        for (path, exempt, n, studied) in rows {
            let Some(path) = OrgPath::parse(&path) else { continue };
            let ids = path.ids();
            for (i, id) in ids.iter().enumerate().skip(skip) {
                let parent = if i > skip { Some(ids[i - 1]) } else { None };
                let (_, c) = tally.entry(*id).or_insert((
                    parent,
                    Coverage {
                        org_id: *id,
                        members: 0,
                        exempt: 0,
                        studied: 0,
                        studied_exempt: 0,
                    },
                ));
                c.members += n;
                c.studied += studied;
                if exempt == 1 {
                    c.exempt += n;
                    c.studied_exempt += studied;
                }
            }
        }
        sqlx::query("DELETE FROM campaign_tally WHERE campaign_id = $1")
            .bind(campaign)
            .execute(&mut *self.inner)
            .await?;
        let rows: Vec<_> = tally.iter().collect();
        for chunk in rows.chunks(500) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = i * 7;
                    format!(
                        "(${},${},${},${},${},${},${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5,
                        b + 6,
                        b + 7
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO campaign_tally (campaign_id, org_id, parent_id, members, exempt, studied, studied_exempt) VALUES {}",
                values.join(",")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, (parent, c)) in chunk {
                q = q
                    .bind(campaign)
                    .bind(id.0)
                    .bind(parent.map(|p| p.0))
                    .bind(c.members)
                    .bind(c.exempt)
                    .bind(c.studied)
                    .bind(c.studied_exempt);
            }
            q.execute(&mut *self.inner).await?;
        }
        Ok(tally.len())
    }

    /// Counts a member as studied (`by` 1) or no longer studied (`by` -1) in the coverage
    /// of every organization above them.
    pub async fn bump_campaign_tally(&mut self, campaign: i64, person: PersonId, by: i64) -> Result<()> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT path, exempt FROM campaign_member WHERE campaign_id = $1 AND person_id = $2")
                .bind(campaign)
                .bind(person.0)
                .fetch_optional(&mut *self.inner)
                .await?;
        let Some((path, exempt)) = row else { return Ok(()) };
        let ids = OrgPath::parse(&path).map(|p| p.ids()).unwrap_or_default();
        for id in ids {
            sqlx::query(
                "UPDATE campaign_tally SET studied = studied + $4, studied_exempt = studied_exempt + $3 \
                 WHERE campaign_id = $1 AND org_id = $2",
            )
            .bind(campaign)
            .bind(id.0)
            .bind(exempt * by)
            .bind(by)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// The coverage of one organization's subtree.
    pub async fn coverage(&mut self, campaign: i64, org: OrgId) -> Result<Option<Coverage>> {
        let r: Option<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT org_id, members, exempt, studied, studied_exempt FROM campaign_tally WHERE campaign_id = $1 AND org_id = $2",
        )
        .bind(campaign)
        .bind(org.0)
        .fetch_optional(&mut *self.inner)
        .await?;
        Ok(r.map(cov))
    }

    /// The coverage of the children of an organization in the campaign's scope.
    pub async fn coverage_children(&mut self, campaign: i64, org: OrgId) -> Result<Vec<Coverage>> {
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT org_id, members, exempt, studied, studied_exempt FROM campaign_tally \
             WHERE campaign_id = $1 AND parent_id = $2",
        )
        .bind(campaign)
        .bind(org.0)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(cov).collect())
    }

    /// The members of a subtree in a campaign, with how they studied; `pending_only`
    /// keeps those who have not studied yet.
    pub async fn study_list(&mut self, campaign: i64, subtree: &OrgPath, pending_only: bool) -> Result<Vec<StudyRow>> {
        let (lo, hi) = subtree.subtree_range();
        type R = (i64, String, i64, i64, Option<String>, Option<String>, String);
        let rows: Vec<R> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT m.person_id, p.full_name, m.org_id, m.exempt, m.studied_how, m.studied_on, m.path \
             FROM campaign_member m JOIN person p ON p.id = m.person_id \
             WHERE m.campaign_id = $1 AND m.path >= $2 AND m.path < $3 {} ORDER BY p.sort_key",
            if pending_only { "AND m.studied_how IS NULL" } else { "" }
        )))
        .bind(campaign)
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StudyRow {
                    person_id: PersonId(r.0),
                    name: r.1,
                    org_id: OrgId(r.2),
                    path: r.6,
                    exempt: r.3 == 1,
                    how: r.4,
                    on: opt_date("campaign_member", "studied_on", r.5.as_deref())?,
                })
            })
            .collect()
    }

    /// Records a make-up session.
    pub async fn insert_makeup(&mut self, campaign: i64, m: &MakeupRow, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO makeup_session (campaign_id, org_id, held_on, place, note, held, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(campaign)
        .bind(m.org_id.0)
        .bind(d(m.held_on))
        .bind(&m.place)
        .bind(&m.note)
        .bind(i64::from(m.held))
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// The people of a make-up session (expected, while it is scheduled).
    pub async fn makeup_attendees(&mut self, session: i64) -> Result<Vec<(PersonId, String)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT a.person_id, p.full_name FROM makeup_attendee a JOIN person p ON p.id = a.person_id \
             WHERE a.session_id = $1 ORDER BY p.sort_key",
        )
        .bind(session)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(i, n)| (PersonId(i), n)).collect())
    }

    /// Marks a scheduled make-up session as held, keeping as its attendees only `present`.
    pub async fn hold_makeup(&mut self, session: i64, present: &[PersonId]) -> Result<()> {
        let keep: HashSet<i64> = present.iter().map(|p| p.0).collect();
        for (p, _) in self.makeup_attendees(session).await? {
            if !keep.contains(&p.0) {
                sqlx::query("DELETE FROM makeup_attendee WHERE session_id = $1 AND person_id = $2")
                    .bind(session)
                    .bind(p.0)
                    .execute(&mut *self.inner)
                    .await?;
            }
        }
        sqlx::query("UPDATE makeup_session SET held = 1 WHERE id = $1")
            .bind(session)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records who attended a make-up session.
    pub async fn add_makeup_attendee(&mut self, session: i64, person: PersonId) -> Result<()> {
        sqlx::query("INSERT INTO makeup_attendee (session_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(session)
            .bind(person.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The make-up sessions of a campaign held in a subtree.
    pub async fn makeups(&mut self, campaign: i64) -> Result<Vec<MakeupRow>> {
        let rows: Vec<(i64, i64, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT s.id, s.org_id, s.held_on, s.place, s.note, \
             (SELECT count(*) FROM makeup_attendee a WHERE a.session_id = s.id), s.held \
             FROM makeup_session s WHERE s.campaign_id = $1 ORDER BY s.held_on, s.id",
        )
        .bind(campaign)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(MakeupRow {
                    id: r.0,
                    org_id: OrgId(r.1),
                    held_on: date("makeup_session", "held_on", &r.2)?,
                    place: r.3,
                    note: r.4,
                    attendees: r.5,
                    held: r.6 == 1,
                })
            })
            .collect()
    }

    /// Records that a member opened a document of a campaign; returns the documents
    /// they have opened so far.
    pub async fn record_opened(
        &mut self,
        campaign: i64,
        person: PersonId,
        document: i64,
        at: &str,
    ) -> Result<Vec<i64>> {
        sqlx::query(
            "INSERT INTO self_study (campaign_id, person_id, document_id, opened_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(campaign)
        .bind(person.0)
        .bind(document)
        .bind(at)
        .execute(&mut *self.inner)
        .await?;
        self.opened(campaign, person).await
    }

    /// The documents of a campaign a member has opened.
    pub async fn opened(&mut self, campaign: i64, person: PersonId) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT document_id FROM self_study WHERE campaign_id = $1 AND person_id = $2 ORDER BY document_id",
        )
        .bind(campaign)
        .bind(person.0)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// Stores or replaces a member's learning report (an assessed one is not replaced:
    /// returns false).
    pub async fn submit_report(
        &mut self,
        campaign: i64,
        person: PersonId,
        body: &str,
        attachment: Option<i64>,
        at: &str,
    ) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO learning_report (campaign_id, person_id, body, attachment_id, submitted_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (campaign_id, person_id) DO UPDATE SET body = excluded.body, \
             attachment_id = COALESCE(excluded.attachment_id, learning_report.attachment_id), submitted_at = excluded.submitted_at \
             WHERE learning_report.grade IS NULL",
        )
        .bind(campaign)
        .bind(person.0)
        .bind(body)
        .bind(attachment)
        .bind(at)
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Assesses a learning report; false if there is none.
    pub async fn assess_report(
        &mut self,
        campaign: i64,
        person: PersonId,
        grade: &str,
        comment: &str,
        by: &str,
        at: &str,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE learning_report SET grade = $3, comment = $4, assessed_by = $5, assessed_at = $6 \
             WHERE campaign_id = $1 AND person_id = $2",
        )
        .bind(campaign)
        .bind(person.0)
        .bind(grade)
        .bind(comment)
        .bind(by)
        .bind(at)
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The learning reports of a campaign from a subtree's members.
    pub async fn reports(&mut self, campaign: i64, subtree: &OrgPath) -> Result<Vec<ReportRow>> {
        let (lo, hi) = subtree.subtree_range();
        type R = (
            i64,
            String,
            i64,
            String,
            Option<i64>,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<R> = sqlx::query_as(
            "SELECT r.person_id, p.full_name, m.org_id, r.body, r.attachment_id, r.submitted_at, r.grade, r.comment, r.assessed_by \
             FROM learning_report r JOIN campaign_member m ON m.campaign_id = r.campaign_id AND m.person_id = r.person_id \
             JOIN person p ON p.id = r.person_id \
             WHERE r.campaign_id = $1 AND m.path >= $2 AND m.path < $3 ORDER BY p.sort_key",
        )
        .bind(campaign)
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ReportRow {
                person_id: PersonId(r.0),
                name: r.1,
                org_id: OrgId(r.2),
                body: r.3,
                attachment_id: r.4,
                submitted_at: r.5,
                grade: r.6,
                comment: r.7,
                assessed_by: r.8,
            })
            .collect())
    }

    /// For the coverage benchmark: records as attendees of `conference` the members of a
    /// campaign whose id ends in a digit below `tenths`.
    #[doc(hidden)]
    pub async fn attend_for_benchmark(&mut self, conference: i64, campaign: i64, tenths: i64) -> Result<u64> {
        let r = sqlx::query(
            "INSERT INTO attendee (conference_id, person_id, point_id, request_id, category, base_id, at) \
             SELECT $1, person_id, 0, 'bench', 'member', NULL, '' FROM campaign_member \
             WHERE campaign_id = $2 AND person_id % 10 < $3",
        )
        .bind(conference)
        .bind(campaign)
        .bind(tenths)
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected())
    }

    /// Whether a person is in a campaign's scope, and their path there.
    pub async fn campaign_member_path(&mut self, campaign: i64, person: PersonId) -> Result<Option<String>> {
        let r: Option<(String,)> =
            sqlx::query_as("SELECT path FROM campaign_member WHERE campaign_id = $1 AND person_id = $2")
                .bind(campaign)
                .bind(person.0)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(r.map(|(p,)| p))
    }
}

fn cov(r: (i64, i64, i64, i64, i64)) -> Coverage {
    Coverage {
        org_id: OrgId(r.0),
        members: r.1,
        exempt: r.2,
        studied: r.3,
        studied_exempt: r.4,
    }
}
