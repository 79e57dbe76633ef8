//! Nominations and their secret ballots. What is stored of a vote is described in the
//! migration `0005_ballots.sql`: code hashes with no holder, cast ballots with no voter.
//! Nothing here writes a time, a person or an account next to a code or a cast ballot.

use crate::rows::{corrupt, date};
use crate::{Result, Tx};
use dangbo_domain::Date;
use dangbo_domain::ballot::{BallotKind, Base, Frozen, Share, Totals};
use dangbo_domain::member::{Gender, PersonId};
use dangbo_domain::org::OrgId;

/// A nomination: an organization's sequence of ballots, for a planning list if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NominationRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The organization.
    pub org_id: OrgId,
    /// The planning list it nominates for, if any.
    pub plan_list_id: Option<i64>,
    /// What it is for: "Giới thiệu quy hoạch Ban Chấp hành nhiệm kỳ 2025-2030".
    pub title: String,
}

/// A ballot: one step of a nomination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The nomination.
    pub nomination_id: i64,
    /// Its place in the sequence, from 1.
    pub step: i64,
    /// The conference that votes, in words: "Hội nghị cán bộ chủ chốt".
    pub name: String,
    /// The conference whose invitations and attendance give who is convened and present.
    pub conference_id: Option<i64>,
    /// `electronic` or `paper`.
    pub mode: String,
    /// What the voter does.
    pub kind: BallotKind,
    /// What percentages are taken of.
    pub base: Base,
    /// The share to reach.
    pub threshold: Share,
    /// The quorum of a confidence vote, if any.
    pub quorum: Option<Share>,
    /// `draft`, `open`, `closed` or `locked`.
    pub status: String,
    /// Frozen at opening: convened.
    pub convened: i64,
    /// Frozen at opening: present.
    pub present: i64,
    /// Ballots issued, returned and valid.
    pub totals: Totals,
    /// The SHA-256 of the locked results, entered in the audit chain.
    pub result_hash: Option<String>,
}

impl BallotRow {
    /// The settings frozen at opening.
    pub fn frozen(&self) -> Frozen {
        Frozen {
            convened: self.convened.max(0) as u64,
            present: self.present.max(0) as u64,
            base: self.base,
            threshold: self.threshold,
            quorum: self.quorum,
        }
    }
}

/// A candidate on a ballot paper, with what the rule checks need and the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRow {
    /// Who.
    pub person: PersonId,
    /// Full name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Date of birth.
    pub birth: Date,
    /// Place on the paper, from 1.
    pub ordinal: i64,
    /// Votes for, once counted.
    pub agree: Option<i64>,
    /// Votes against, once counted.
    pub disagree: Option<i64>,
}

const BALLOT_COLS: &str = "id, nomination_id, step, name, conference_id, mode, kind, max_choices, base, threshold, \
     quorum, status, convened, present, issued, returned, valid, result_hash";

/// A ballot from its row; more columns than sqlx maps to a tuple, so read by position.
fn ballot(r: &sqlx::any::AnyRow) -> Result<BallotRow> {
    use sqlx::Row;
    let kind_code: String = r.try_get(6)?;
    let kind =
        BallotKind::from_code(&kind_code, r.try_get(7)?).ok_or_else(|| corrupt("ballot", "kind", kind_code.clone()))?;
    let base_code: String = r.try_get(8)?;
    let base = Base::from_code(&base_code).ok_or_else(|| corrupt("ballot", "base", base_code.clone()))?;
    let share =
        |column: &'static str, code: String| Share::from_code(&code).ok_or_else(|| corrupt("ballot", column, code));
    let threshold = share("threshold", r.try_get(9)?)?;
    let quorum = r
        .try_get::<Option<String>, _>(10)?
        .map(|q| share("quorum", q))
        .transpose()?;
    let n = |i: usize| -> Result<u64> { Ok(r.try_get::<i64, _>(i)?.max(0) as u64) };
    Ok(BallotRow {
        id: r.try_get(0)?,
        nomination_id: r.try_get(1)?,
        step: r.try_get(2)?,
        name: r.try_get(3)?,
        conference_id: r.try_get(4)?,
        mode: r.try_get(5)?,
        kind,
        base,
        threshold,
        quorum,
        status: r.try_get(11)?,
        convened: r.try_get(12)?,
        present: r.try_get(13)?,
        totals: Totals {
            issued: n(14)?,
            returned: n(15)?,
            valid: n(16)?,
        },
        result_hash: r.try_get(17)?,
    })
}

impl Tx {
    /// Records a nomination.
    pub async fn insert_nomination(&mut self, n: &NominationRow, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO nomination (org_id, plan_list_id, title, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(n.org_id.0)
        .bind(n.plan_list_id)
        .bind(&n.title)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// A nomination.
    pub async fn nomination(&mut self, id: i64) -> Result<Option<NominationRow>> {
        let r: Option<(i64, i64, Option<i64>, String)> =
            sqlx::query_as("SELECT id, org_id, plan_list_id, title FROM nomination WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(r.map(|r| NominationRow {
            id: r.0,
            org_id: OrgId(r.1),
            plan_list_id: r.2,
            title: r.3,
        }))
    }

    /// The nominations of an organization, newest first.
    pub async fn nominations_of(&mut self, org: OrgId) -> Result<Vec<NominationRow>> {
        let rows: Vec<(i64, i64, Option<i64>, String)> =
            sqlx::query_as("SELECT id, org_id, plan_list_id, title FROM nomination WHERE org_id = $1 ORDER BY id DESC")
                .bind(org.0)
                .fetch_all(&mut *self.inner)
                .await?;
        Ok(rows
            .into_iter()
            .map(|r| NominationRow {
                id: r.0,
                org_id: OrgId(r.1),
                plan_list_id: r.2,
                title: r.3,
            })
            .collect())
    }

    /// Records a ballot in draft, with its settings.
    pub async fn insert_ballot(&mut self, b: &BallotRow, at: &str) -> Result<i64> {
        // The row with the common settings, then this ballot's settings as any draft's.
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO ballot (nomination_id, step, name, mode, kind, base, threshold, created_at) \
             VALUES ($1, $2, $3, 'electronic', 'approve', 'convened', 'gt1/2', $4) RETURNING id",
        )
        .bind(b.nomination_id)
        .bind(b.step)
        .bind(&b.name)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        self.update_ballot(&BallotRow { id, ..b.clone() }).await?;
        Ok(id)
    }

    async fn ballots_where(&mut self, column: &str, id: i64) -> Result<Vec<BallotRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {BALLOT_COLS} FROM ballot WHERE {column} = $1 ORDER BY step"
        )))
        .bind(id)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.iter().map(ballot).collect()
    }

    /// A ballot.
    pub async fn ballot(&mut self, id: i64) -> Result<Option<BallotRow>> {
        Ok(self.ballots_where("id", id).await?.pop())
    }

    /// The ballots of a nomination, in their order.
    pub async fn ballots_of(&mut self, nomination: i64) -> Result<Vec<BallotRow>> {
        self.ballots_where("nomination_id", nomination).await
    }

    /// Changes a ballot's settings; only while it is a draft. Whether it changed.
    pub async fn update_ballot(&mut self, b: &BallotRow) -> Result<bool> {
        let (kind, max) = b.kind.code();
        let done = sqlx::query(
            "UPDATE ballot SET name = $2, conference_id = $3, mode = $4, kind = $5, max_choices = $6, base = $7, \
             threshold = $8, quorum = $9 WHERE id = $1 AND status = 'draft'",
        )
        .bind(b.id)
        .bind(&b.name)
        .bind(b.conference_id)
        .bind(&b.mode)
        .bind(kind)
        .bind(max)
        .bind(b.base.code())
        .bind(b.threshold.code())
        .bind(b.quorum.map(Share::code))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Names the vote-counting board of a ballot, replacing any before.
    pub async fn set_board(&mut self, ballot: i64, accounts: &[i64]) -> Result<()> {
        sqlx::query("DELETE FROM ballot_board WHERE ballot_id = $1")
            .bind(ballot)
            .execute(&mut *self.inner)
            .await?;
        for a in accounts {
            sqlx::query("INSERT INTO ballot_board (ballot_id, account_id) VALUES ($1, $2)")
                .bind(ballot)
                .bind(a)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// The vote-counting board: account id, sign-in name and name to show.
    pub async fn board(&mut self, ballot: i64) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.username, a.display_name FROM ballot_board b JOIN account a ON a.id = b.account_id \
             WHERE b.ballot_id = $1 ORDER BY a.username",
        )
        .bind(ballot)
        .fetch_all(&mut *self.inner)
        .await?)
    }

    /// Puts candidates on a ballot paper in this order, replacing any before.
    pub async fn set_candidates(&mut self, ballot: i64, people: &[PersonId]) -> Result<()> {
        sqlx::query("DELETE FROM ballot_candidate WHERE ballot_id = $1")
            .bind(ballot)
            .execute(&mut *self.inner)
            .await?;
        for (i, p) in people.iter().enumerate() {
            sqlx::query("INSERT INTO ballot_candidate (ballot_id, person_id, ordinal) VALUES ($1, $2, $3)")
                .bind(ballot)
                .bind(p.0)
                .bind(i as i64 + 1)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// The candidates of a ballot in the order of the paper.
    pub async fn candidates(&mut self, ballot: i64) -> Result<Vec<CandidateRow>> {
        type R = (i64, String, String, String, i64, Option<i64>, Option<i64>);
        let rows: Vec<R> = sqlx::query_as(
            "SELECT c.person_id, p.full_name, p.gender, p.birth_date, c.ordinal, c.agree, c.disagree \
             FROM ballot_candidate c JOIN person p ON p.id = c.person_id WHERE c.ballot_id = $1 ORDER BY c.ordinal",
        )
        .bind(ballot)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(CandidateRow {
                    person: PersonId(r.0),
                    name: r.1,
                    gender: Gender::from_code(&r.2).ok_or_else(|| corrupt("person", "gender", r.2.clone()))?,
                    birth: date("person", "birth_date", &r.3)?,
                    ordinal: r.4,
                    agree: r.5,
                    disagree: r.6,
                })
            })
            .collect()
    }

    /// Opens a draft ballot: freezes who is convened and who is present. Whether it opened.
    pub async fn open_ballot(&mut self, ballot: i64, convened: &[(PersonId, bool)]) -> Result<bool> {
        let present = convened.iter().filter(|(_, p)| *p).count() as i64;
        let done = sqlx::query(
            "UPDATE ballot SET status = 'open', convened = $2, present = $3 WHERE id = $1 AND status = 'draft'",
        )
        .bind(ballot)
        .bind(convened.len() as i64)
        .bind(present)
        .execute(&mut *self.inner)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        for (p, here) in convened {
            sqlx::query("INSERT INTO ballot_convened (ballot_id, person_id, present) VALUES ($1, $2, $3)")
                .bind(ballot)
                .bind(p.0)
                .bind(i64::from(*here))
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(true)
    }

    /// Who was convened, and whether present, as frozen: id and name, in name order.
    pub async fn convened(&mut self, ballot: i64) -> Result<Vec<(PersonId, String, bool)>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT c.person_id, p.full_name, c.present FROM ballot_convened c JOIN person p ON p.id = c.person_id \
             WHERE c.ballot_id = $1 ORDER BY p.sort_key",
        )
        .bind(ballot)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(i, n, p)| (PersonId(i), n, p != 0)).collect())
    }

    /// Stores the hashes of newly printed voting codes and counts them as issued.
    pub async fn insert_credentials(&mut self, ballot: i64, hashes: &[String]) -> Result<()> {
        for h in hashes {
            sqlx::query("INSERT INTO ballot_credential (hash, ballot_id) VALUES ($1, $2)")
                .bind(h)
                .bind(ballot)
                .execute(&mut *self.inner)
                .await?;
        }
        sqlx::query("UPDATE ballot SET issued = issued + $2 WHERE id = $1")
            .bind(ballot)
            .bind(hashes.len() as i64)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The ballot a code hash belongs to, and whether it is used.
    pub async fn credential(&mut self, hash: &str) -> Result<Option<(i64, bool)>> {
        let r: Option<(i64, i64)> = sqlx::query_as("SELECT ballot_id, used FROM ballot_credential WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(r.map(|(b, u)| (b, u != 0)))
    }

    /// Casts a ballot with a code: burns the code and stores the choices under a random
    /// id, in one step. False when the code is unknown, used, or its ballot not open.
    pub async fn cast(&mut self, ballot: i64, hash: &str, id: &str, choices: &str) -> Result<bool> {
        let burned = sqlx::query(
            "UPDATE ballot_credential SET used = 1 WHERE hash = $1 AND ballot_id = $2 AND used = 0 \
             AND EXISTS (SELECT 1 FROM ballot WHERE id = $2 AND status = 'open')",
        )
        .bind(hash)
        .bind(ballot)
        .execute(&mut *self.inner)
        .await?;
        if burned.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("INSERT INTO ballot_cast (ballot_id, id, choices) VALUES ($1, $2, $3)")
            .bind(ballot)
            .bind(id)
            .bind(choices)
            .execute(&mut *self.inner)
            .await?;
        Ok(true)
    }

    /// The choices of every ballot cast, in the order of their random ids.
    pub async fn casts(&mut self, ballot: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT choices FROM ballot_cast WHERE ballot_id = $1 ORDER BY id")
            .bind(ballot)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The hashes of the codes used, in their own order (for the list of receipts).
    pub async fn used_credentials(&mut self, ballot: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT hash FROM ballot_credential WHERE ballot_id = $1 AND used = 1 ORDER BY hash")
                .bind(ballot)
                .fetch_all(&mut *self.inner)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Closes an open ballot to voting. Whether it closed.
    ///
    /// On PostgreSQL, a table's heap keeps rows roughly in the order they were written,
    /// so the cast ballots and the used codes are rewritten in the order of their random
    /// keys (CLUSTER): at rest, nothing keeps the order in which ballots were cast.
    /// SQLite keeps them in key order already (WITHOUT ROWID).
    pub async fn close_ballot(&mut self, ballot: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE ballot SET status = 'closed' WHERE id = $1 AND status = 'open'")
            .bind(ballot)
            .execute(&mut *self.inner)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        if self.backend == crate::Backend::Postgres {
            for sql in [
                "CLUSTER ballot_cast USING ballot_cast_pkey",
                "CLUSTER ballot_credential USING ballot_credential_pkey",
            ] {
                sqlx::query(sql).execute(&mut *self.inner).await?;
            }
        }
        Ok(true)
    }

    /// Records the count of a closed ballot: totals and each candidate's counts.
    pub async fn set_count(&mut self, ballot: i64, totals: Totals, counts: &[(PersonId, u64, u64)]) -> Result<()> {
        sqlx::query("UPDATE ballot SET issued = $2, returned = $3, valid = $4 WHERE id = $1 AND status = 'closed'")
            .bind(ballot)
            .bind(totals.issued as i64)
            .bind(totals.returned as i64)
            .bind(totals.valid as i64)
            .execute(&mut *self.inner)
            .await?;
        for (p, agree, disagree) in counts {
            sqlx::query(
                "UPDATE ballot_candidate SET agree = $3, disagree = $4 WHERE ballot_id = $1 AND person_id = $2",
            )
            .bind(ballot)
            .bind(p.0)
            .bind(*agree as i64)
            .bind(*disagree as i64)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// Locks the results of a counted ballot with their hash. Whether it locked.
    pub async fn lock_ballot(&mut self, ballot: i64, hash: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE ballot SET status = 'locked', result_hash = $2 WHERE id = $1 AND status = 'closed'")
                .bind(ballot)
                .bind(hash)
                .execute(&mut *self.inner)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The people checked in at a conference.
    pub async fn attendees(&mut self, conference: i64) -> Result<Vec<PersonId>> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT person_id FROM attendee WHERE conference_id = $1")
            .bind(conference)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(|r| PersonId(r.0)).collect())
    }
}
