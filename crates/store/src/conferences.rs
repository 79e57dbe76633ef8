//! Conferences, their connection points and attendance: check-ins written in batches,
//! head counts, amendments, and the running totals the live page reads.

use crate::documents::list;
use crate::people::placeholders;
use crate::rows::{d, date, valid_on};
use crate::{Result, Tx, unique};
use dangbo_domain::Date;
use dangbo_domain::member::PersonId;
use dangbo_domain::org::{OrgId, OrgKind, OrgPath};
use sqlx::AssertSqlSafe;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A conference as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The organization whose office runs it.
    pub org_id: OrgId,
    /// Kind code.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Who convenes it, in words.
    pub organizer: String,
    /// The day.
    pub held_on: Date,
    /// The time it starts, `HH:MM`.
    pub starts_at: String,
    /// `in_person`, `online` or `hybrid`.
    pub format: String,
    /// Where the main point is.
    pub place: String,
    /// `planned`, `open` or `closed`.
    pub status: String,
    /// The conference it was copied from.
    pub copied_from: Option<i64>,
}

/// An item of a conference's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaRow {
    /// The topic.
    pub topic: String,
    /// Who presents it.
    pub presenter: String,
}

/// Who is invited: one of an organization's subtree, a body, or a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invitation {
    /// Everyone placed in the subtree of an organization.
    Subtree(OrgId),
    /// The members of a body (by its id).
    Body(i64),
    /// One person.
    Person(PersonId),
}

/// A connection point as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The conference.
    pub conference_id: i64,
    /// The point it relays.
    pub parent_id: Option<i64>,
    /// The host organization, if inside the tree.
    pub host_org_id: Option<OrgId>,
    /// The host's path on the conference day ('' outside the tree).
    pub host_path: String,
    /// The base organization of the host, if any.
    pub base_id: Option<OrgId>,
    /// The point's name.
    pub name: String,
    /// Where it is.
    pub place: String,
    /// The operator's account.
    pub operator_id: Option<i64>,
    /// The head count expected.
    pub expected: i64,
    /// `registered`, `tested`, `live` or `closed`.
    pub status: String,
    /// The code members type to check in here.
    pub join_code: String,
    /// Whether it has gone live at some time (a closed point may never have connected).
    pub connected: bool,
}

/// One check-in as a client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinRequest {
    /// The client's id for the request: a resent request carries the same one.
    pub request_id: String,
    /// The point.
    pub point_id: i64,
    /// What was scanned or typed: a party card number, or empty when `person` is set.
    pub code: String,
    /// The person, when the code named one directly (a signed QR, a ticked name, the
    /// member themself).
    pub person: Option<PersonId>,
    /// `scan`, `typed`, `list` or `self`.
    pub method: String,
    /// The account that sent it.
    pub by_account: Option<i64>,
}

/// What became of a check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckinStatus {
    /// The person is counted, at this point.
    Counted,
    /// The person was already counted at this point.
    Already,
    /// The person was already counted at another point, which is given.
    Conflict(i64),
    /// The code names nobody.
    Unknown,
    /// The point or the conference is closed: nothing was recorded.
    Closed,
}

/// The answer for one check-in request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinOutcome {
    /// The request.
    pub request_id: String,
    /// What became of it.
    pub status: CheckinStatus,
    /// The person and their full name, when known.
    pub person: Option<(PersonId, String)>,
}

/// The running totals of one point and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    /// The point.
    pub point_id: i64,
    /// `member`, `outstanding` or `guest`.
    pub category: String,
    /// Checked in by name.
    pub named: i64,
    /// Reported as a head count.
    pub counted: i64,
}

/// A correction of attendance or a head count report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentRow {
    /// The point.
    pub point_id: Option<i64>,
    /// The person concerned.
    pub person_id: Option<PersonId>,
    /// `headcount`, `remove` or `move`.
    pub action: String,
    /// The category concerned.
    pub category: Option<String>,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: String,
    /// Who.
    pub by: String,
}

type ConfTuple = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
);
const CONF_COLS: &str = "id, org_id, kind, title, organizer, held_on, starts_at, format, place, status, copied_from";

fn conf(r: ConfTuple) -> Result<ConferenceRow> {
    Ok(ConferenceRow {
        id: r.0,
        org_id: OrgId(r.1),
        kind: r.2,
        title: r.3,
        organizer: r.4,
        held_on: date("conference", "held_on", &r.5)?,
        starts_at: r.6,
        format: r.7,
        place: r.8,
        status: r.9,
        copied_from: r.10,
    })
}

type PointTuple = (
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    String,
    Option<i64>,
    String,
    String,
    Option<i64>,
    i64,
    String,
    String,
    i64,
);
const POINT_COLS: &str = "id, conference_id, parent_id, host_org_id, host_path, base_id, name, place, operator_id, expected, status, join_code, connected";

fn point(r: PointTuple) -> PointRow {
    PointRow {
        id: r.0,
        conference_id: r.1,
        parent_id: r.2,
        host_org_id: r.3.map(OrgId),
        host_path: r.4,
        base_id: r.5.map(OrgId),
        name: r.6,
        place: r.7,
        operator_id: r.8,
        expected: r.9,
        status: r.10,
        join_code: r.11,
        connected: r.12 != 0,
    }
}

impl Tx {
    /// Records a conference.
    pub async fn insert_conference(&mut self, c: &ConferenceRow, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO conference (org_id, kind, title, organizer, held_on, starts_at, format, place, status, copied_from, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(c.org_id.0)
        .bind(&c.kind)
        .bind(&c.title)
        .bind(&c.organizer)
        .bind(d(c.held_on))
        .bind(&c.starts_at)
        .bind(&c.format)
        .bind(&c.place)
        .bind(&c.status)
        .bind(c.copied_from)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// One conference.
    pub async fn conference(&mut self, id: i64) -> Result<Option<ConferenceRow>> {
        let r: Option<ConfTuple> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CONF_COLS} FROM conference WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.inner)
        .await?;
        r.map(conf).transpose()
    }

    /// Every conference, newest first.
    pub async fn conferences(&mut self) -> Result<Vec<ConferenceRow>> {
        let rows: Vec<ConfTuple> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CONF_COLS} FROM conference ORDER BY held_on DESC, id DESC"
        )))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(conf).collect()
    }

    /// Sets a conference's status.
    pub async fn set_conference_status(&mut self, id: i64, status: &str) -> Result<()> {
        sqlx::query("UPDATE conference SET status = $2 WHERE id = $1")
            .bind(id)
            .bind(status)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Links the documents a conference covers.
    pub async fn add_conference_documents(&mut self, conference: i64, documents: &[i64]) -> Result<()> {
        for doc in documents {
            sqlx::query(
                "INSERT INTO conference_document (conference_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(conference)
            .bind(*doc)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// The ids of the documents a conference covers.
    pub async fn conference_documents(&mut self, conference: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT document_id FROM conference_document WHERE conference_id = $1 ORDER BY document_id")
                .bind(conference)
                .fetch_all(&mut *self.inner)
                .await?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// Appends items to a conference's agenda.
    pub async fn add_agenda(&mut self, conference: i64, items: &[AgendaRow]) -> Result<()> {
        let (start,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM agenda_item WHERE conference_id = $1")
            .bind(conference)
            .fetch_one(&mut *self.inner)
            .await?;
        for (i, item) in items.iter().enumerate() {
            sqlx::query("INSERT INTO agenda_item (conference_id, seq, topic, presenter) VALUES ($1, $2, $3, $4)")
                .bind(conference)
                .bind(start + 1 + i as i64)
                .bind(&item.topic)
                .bind(&item.presenter)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// A conference's agenda, in order.
    pub async fn agenda(&mut self, conference: i64) -> Result<Vec<AgendaRow>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT topic, presenter FROM agenda_item WHERE conference_id = $1 ORDER BY seq")
                .bind(conference)
                .fetch_all(&mut *self.inner)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(topic, presenter)| AgendaRow { topic, presenter })
            .collect())
    }

    /// Invites a subtree, a body or a person.
    pub async fn add_invitation(&mut self, conference: i64, inv: &Invitation) -> Result<()> {
        let (kind, org, body, person) = match inv {
            Invitation::Subtree(o) => ("subtree", Some(o.0), None, None),
            Invitation::Body(b) => ("body", None, Some(*b), None),
            Invitation::Person(p) => ("person", None, None, Some(p.0)),
        };
        sqlx::query(
            "INSERT INTO invitation (conference_id, kind, org_id, body_id, person_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(conference)
        .bind(kind)
        .bind(org)
        .bind(body)
        .bind(person)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Who is invited to a conference.
    pub async fn invitations(&mut self, conference: i64) -> Result<Vec<Invitation>> {
        type R = (String, Option<i64>, Option<i64>, Option<i64>);
        let rows: Vec<R> = sqlx::query_as(
            "SELECT kind, org_id, body_id, person_id FROM invitation WHERE conference_id = $1 ORDER BY id",
        )
        .bind(conference)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| match (r.0.as_str(), r.1, r.2, r.3) {
                ("subtree", Some(o), _, _) => Some(Invitation::Subtree(OrgId(o))),
                ("body", _, Some(b), _) => Some(Invitation::Body(b)),
                ("person", _, _, Some(p)) => Some(Invitation::Person(PersonId(p))),
                _ => None,
            })
            .collect())
    }

    /// Records a connection point. A host organization has at most one point per
    /// conference, and a join code is never reused.
    pub async fn insert_point(&mut self, p: &PointRow, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO point (conference_id, parent_id, host_org_id, host_path, base_id, name, place, operator_id, expected, status, join_code, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(p.conference_id)
        .bind(p.parent_id)
        .bind(p.host_org_id.map(|o| o.0))
        .bind(&p.host_path)
        .bind(p.base_id.map(|o| o.0))
        .bind(&p.name)
        .bind(&p.place)
        .bind(p.operator_id)
        .bind(p.expected)
        .bind(&p.status)
        .bind(&p.join_code)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| unique(e, || p.name.clone()))?;
        Ok(id)
    }

    /// The points of a conference, by host path (the tree's order).
    pub async fn points(&mut self, conference: i64) -> Result<Vec<PointRow>> {
        let rows: Vec<PointTuple> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {POINT_COLS} FROM point WHERE conference_id = $1 ORDER BY host_path, id"
        )))
        .bind(conference)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(point).collect())
    }

    /// One point.
    pub async fn point(&mut self, id: i64) -> Result<Option<PointRow>> {
        let r: Option<PointTuple> =
            sqlx::query_as(AssertSqlSafe(format!("SELECT {POINT_COLS} FROM point WHERE id = $1")))
                .bind(id)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(r.map(point))
    }

    /// The point with a join code.
    pub async fn point_by_code(&mut self, code: &str) -> Result<Option<PointRow>> {
        let r: Option<PointTuple> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {POINT_COLS} FROM point WHERE join_code = $1"
        )))
        .bind(code)
        .fetch_optional(&mut *self.inner)
        .await?;
        Ok(r.map(point))
    }

    /// The statuses of points, by id.
    pub async fn point_statuses(&mut self, points: &[i64]) -> Result<HashMap<i64, String>> {
        let mut out = HashMap::new();
        for chunk in points.chunks(500) {
            let sql = format!("SELECT id, status FROM point WHERE id IN ({})", list(1, chunk.len()));
            let mut q = sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql));
            for p in chunk {
                q = q.bind(*p);
            }
            out.extend(q.fetch_all(&mut *self.inner).await?);
        }
        Ok(out)
    }

    /// Sets a point's status.
    pub async fn set_point_status(&mut self, id: i64, status: &str) -> Result<()> {
        sqlx::query(
            "UPDATE point SET status = $2, connected = CASE WHEN $2 = 'live' THEN 1 ELSE connected END WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Sets where a point is, its operator and the head count expected.
    pub async fn update_point(&mut self, id: i64, place: &str, operator: Option<i64>, expected: i64) -> Result<()> {
        sqlx::query("UPDATE point SET place = $2, operator_id = $3, expected = $4 WHERE id = $1")
            .bind(id)
            .bind(place)
            .bind(operator)
            .bind(expected)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The base organization (đảng bộ cơ sở or chi bộ cơ sở) each organization belongs
    /// to on a day: itself if it is one, else its ancestor that is; `None` above the base.
    pub async fn bases_of(&mut self, orgs: &[OrgId], on: Date) -> Result<HashMap<OrgId, Option<OrgId>>> {
        let mut out = HashMap::new();
        if orgs.is_empty() {
            return Ok(out);
        }
        let mut paths: HashMap<OrgId, OrgPath> = HashMap::new();
        for chunk in orgs.chunks(500) {
            let sql = format!(
                "SELECT v.org_id, v.path FROM org_version v WHERE {} AND v.org_id IN ({})",
                valid_on("v", 1),
                list(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql)).bind(d(on));
            for o in chunk {
                q = q.bind(o.0);
            }
            for (id, path) in q.fetch_all(&mut *self.inner).await? {
                if let Some(p) = OrgPath::parse(&path) {
                    paths.insert(OrgId(id), p);
                }
            }
        }
        let ancestors: Vec<OrgId> = paths
            .values()
            .flat_map(|p| p.ids())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut bases = HashSet::new();
        for chunk in ancestors.chunks(500) {
            let sql = format!(
                "SELECT v.org_id, v.kind FROM org_version v WHERE {} AND v.org_id IN ({})",
                valid_on("v", 1),
                list(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql)).bind(d(on));
            for o in chunk {
                q = q.bind(o.0);
            }
            for (id, kind) in q.fetch_all(&mut *self.inner).await? {
                if OrgKind::from_code(&kind).is_some_and(OrgKind::is_base) {
                    bases.insert(OrgId(id));
                }
            }
        }
        for o in orgs {
            let base = paths
                .get(o)
                .and_then(|p| p.ids().into_iter().find(|id| bases.contains(id)));
            out.insert(*o, base);
        }
        Ok(out)
    }

    /// The base organizations of a subtree on a day, with their paths.
    pub async fn bases_under(&mut self, subtree: &OrgPath, on: Date) -> Result<Vec<(OrgId, String)>> {
        let (lo, hi) = subtree.subtree_range();
        let sql = format!(
            "SELECT v.org_id, v.path FROM org_version v WHERE {} AND v.path >= $2 AND v.path < $3 \
             AND v.kind IN ('base_committee', 'base_cell') ORDER BY v.path",
            valid_on("v", 1)
        );
        let rows: Vec<(i64, String)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(|(i, p)| (OrgId(i), p)).collect())
    }

    /// Resolves what check-ins name: party card numbers and person ids, to the person,
    /// their kind, full name and organization on the day.
    pub async fn resolve_attendees(
        &mut self,
        cards: &[&str],
        ids: &[PersonId],
        on: Date,
    ) -> Result<(
        HashMap<String, PersonId>,
        HashMap<PersonId, (String, String, Option<OrgId>)>,
    )> {
        // Cards and the facts of their holders in one query, since each row read costs.
        let mut by_card = HashMap::new();
        let mut people = HashMap::new();
        for chunk in cards.chunks(500) {
            let sql = format!(
                "SELECT m.card_number, p.id, p.kind, p.full_name, pl.org_id FROM membership m \
                 JOIN person p ON p.id = m.person_id \
                 LEFT JOIN placement pl ON pl.person_id = p.id AND {} WHERE m.card_number IN ({})",
                valid_on("pl", 1),
                list(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, i64, String, String, Option<i64>)>(AssertSqlSafe(sql)).bind(d(on));
            for c in chunk {
                q = q.bind(*c);
            }
            for (card, id, kind, name, org) in q.fetch_all(&mut *self.inner).await? {
                by_card.insert(card, PersonId(id));
                people.insert(PersonId(id), (kind, name, org.map(OrgId)));
            }
        }
        let rest: Vec<PersonId> = ids
            .iter()
            .copied()
            .filter(|p| !people.contains_key(p))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for chunk in rest.chunks(500) {
            let sql = format!(
                "SELECT p.id, p.kind, p.full_name, pl.org_id FROM person p \
                 LEFT JOIN placement pl ON pl.person_id = p.id AND {} WHERE p.id IN ({})",
                valid_on("pl", 1),
                list(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, String, String, Option<i64>)>(AssertSqlSafe(sql)).bind(d(on));
            for p in chunk {
                q = q.bind(p.0);
            }
            for (id, kind, name, org) in q.fetch_all(&mut *self.inner).await? {
                people.insert(PersonId(id), (kind, name, org.map(OrgId)));
            }
        }
        Ok((by_card, people))
    }

    /// Writes a batch of check-ins of one conference. Each request is stored once by its
    /// id; a person is counted once per conference, at the first point that checked them
    /// in; the running totals move in the same transaction. `people` is what
    /// [`Tx::resolve_attendees`] found, with each person's base organization.
    ///
    /// It runs under the write lock (one writer at a time), so it reads what is already
    /// stored and writes the rest without asking the database to return what it wrote:
    /// every row read back costs a message between threads in sqlx's SQLite driver, and
    /// in a real conference nearly every check-in is new.
    pub async fn record_checkins(
        &mut self,
        conference: i64,
        at: &str,
        requests: &[CheckinRequest],
        people: &HashMap<String, PersonId>,
        facts: &HashMap<PersonId, (String, String, Option<OrgId>)>,
        bases: &HashMap<OrgId, Option<OrgId>>,
    ) -> Result<Vec<CheckinOutcome>> {
        let person_of = |r: &CheckinRequest| {
            r.person
                .or_else(|| people.get(r.code.as_str()).copied())
                .filter(|p| facts.contains_key(p))
        };
        // 1. The requests already stored (resent), with the person they named then.
        let mut earlier: HashMap<String, Option<PersonId>> = HashMap::new();
        let ids: Vec<&str> = requests.iter().map(|r| r.request_id.as_str()).collect();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT request_id, person_id FROM checkin WHERE conference_id = $1 AND request_id IN ({})",
                list(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, Option<i64>)>(AssertSqlSafe(sql)).bind(conference);
            for r in chunk {
                q = q.bind(*r);
            }
            for (id, p) in q.fetch_all(&mut *self.inner).await? {
                earlier.insert(id, p.map(PersonId));
            }
        }
        // The others, once each (a device may send one request twice in a batch).
        let mut fresh: HashSet<&str> = HashSet::new();
        let new: Vec<&CheckinRequest> = requests
            .iter()
            .filter(|r| !earlier.contains_key(&r.request_id) && fresh.insert(r.request_id.as_str()))
            .collect();
        for chunk in new.chunks(300) {
            let sql = format!(
                "INSERT INTO checkin (conference_id, request_id, point_id, code, person_id, method, at, by_account) VALUES {} \
                 ON CONFLICT (conference_id, request_id) DO NOTHING",
                placeholders(self.backend, chunk.len(), 8)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(conference)
                    .bind(r.request_id.clone())
                    .bind(r.point_id)
                    .bind(r.code.clone())
                    .bind(person_of(r).map(|p| p.0))
                    .bind(r.method.clone())
                    .bind(at.to_string())
                    .bind(r.by_account);
            }
            q.execute(&mut *self.inner).await?;
        }
        // The person each request names: what a fresh one resolves to, what a resent one
        // named when first sent.
        let person = |r: &CheckinRequest| match earlier.get(&r.request_id) {
            Some(p) => *p,
            None => person_of(r),
        };
        // 2. Where each person named was already counted: point and request.
        let named: Vec<PersonId> = requests
            .iter()
            .filter_map(person)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut first: HashMap<PersonId, (i64, String)> = HashMap::new();
        for chunk in named.chunks(500) {
            let sql = format!(
                "SELECT person_id, point_id, request_id FROM attendee WHERE conference_id = $1 AND person_id IN ({})",
                list(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, i64, String)>(AssertSqlSafe(sql)).bind(conference);
            for p in chunk {
                q = q.bind(p.0);
            }
            for (p, point, req) in q.fetch_all(&mut *self.inner).await? {
                first.insert(PersonId(p), (point, req));
            }
        }
        // 3. The people not yet counted, each at the first fresh request naming them.
        let candidates: Vec<(&CheckinRequest, PersonId)> = new
            .iter()
            .filter_map(|r| person_of(r).map(|p| (*r, p)))
            .filter(|(r, p)| {
                if first.contains_key(p) {
                    return false;
                }
                first.insert(*p, (r.point_id, r.request_id.clone()));
                true
            })
            .collect();
        // Ordered, so that two instances writing at once take their row locks in the same
        // order and cannot deadlock on PostgreSQL.
        let mut tally: BTreeMap<(i64, String), i64> = BTreeMap::new();
        let mut sent: BTreeSet<i64> = BTreeSet::new();
        for chunk in candidates.chunks(300) {
            let sql = format!(
                "INSERT INTO attendee (conference_id, person_id, point_id, request_id, category, base_id, at) VALUES {}",
                placeholders(self.backend, chunk.len(), 7)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (r, p) in chunk {
                let (kind, _, org) = &facts[p];
                let base = org.and_then(|o| bases.get(&o).copied().flatten());
                q = q
                    .bind(conference)
                    .bind(p.0)
                    .bind(r.point_id)
                    .bind(r.request_id.clone())
                    .bind(kind.clone())
                    .bind(base.map(|b| b.0))
                    .bind(at.to_string());
                *tally.entry((r.point_id, kind.clone())).or_default() += 1;
                if let Some(b) = base {
                    sent.insert(b.0);
                }
            }
            q.execute(&mut *self.inner).await?;
        }
        // 4. The running totals, in a few statements rather than one per point.
        let tally: Vec<((i64, String), i64)> = tally.into_iter().collect();
        for chunk in tally.chunks(300) {
            let sql = format!(
                "INSERT INTO point_tally (conference_id, point_id, category, named, counted) VALUES {} \
                 ON CONFLICT (point_id, category) DO UPDATE SET named = point_tally.named + excluded.named",
                placeholders(self.backend, chunk.len(), 5)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for ((point, category), n) in chunk {
                q = q
                    .bind(conference)
                    .bind(*point)
                    .bind(category.clone())
                    .bind(*n)
                    .bind(0_i64);
            }
            q.execute(&mut *self.inner).await?;
        }
        let sent: Vec<i64> = sent.into_iter().collect();
        for chunk in sent.chunks(500) {
            let sql = format!(
                "INSERT INTO base_sent (conference_id, base_id) VALUES {} ON CONFLICT DO NOTHING",
                placeholders(self.backend, chunk.len(), 2)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for base in chunk {
                q = q.bind(conference).bind(*base);
            }
            q.execute(&mut *self.inner).await?;
        }
        // 5. The answers: a resent request gets the answer its first sending got.
        let mut names: HashMap<PersonId, String> = facts.iter().map(|(p, (_, name, _))| (*p, name.clone())).collect();
        for p in &named {
            if !names.contains_key(p)
                && let Some((n,)) = sqlx::query_as::<_, (String,)>("SELECT full_name FROM person WHERE id = $1")
                    .bind(p.0)
                    .fetch_optional(&mut *self.inner)
                    .await?
            {
                names.insert(*p, n);
            }
        }
        let outcomes: Vec<CheckinOutcome> = requests
            .iter()
            .map(|r| {
                let person = person(r);
                let status = match person.and_then(|p| first.get(&p)) {
                    None => CheckinStatus::Unknown,
                    Some((_, req)) if *req == r.request_id => CheckinStatus::Counted,
                    Some((point, _)) if *point == r.point_id => CheckinStatus::Already,
                    Some((point, _)) => CheckinStatus::Conflict(*point),
                };
                CheckinOutcome {
                    request_id: r.request_id.clone(),
                    status,
                    person: person.map(|p| (p, names.get(&p).cloned().unwrap_or_default())),
                }
            })
            .collect();
        // 6. People checked in at a second point, kept apart so that the live page counts
        // them without reading every check-in.
        let doubles: BTreeSet<(i64, i64)> = requests
            .iter()
            .zip(&outcomes)
            .filter(|(r, o)| !earlier.contains_key(&r.request_id) && matches!(o.status, CheckinStatus::Conflict(_)))
            .filter_map(|(r, o)| o.person.as_ref().map(|(p, _)| (p.0, r.point_id)))
            .collect();
        let doubles: Vec<(i64, i64)> = doubles.into_iter().collect();
        for chunk in doubles.chunks(300) {
            let sql = format!(
                "INSERT INTO checkin_conflict (conference_id, person_id, point_id) VALUES {} ON CONFLICT DO NOTHING",
                placeholders(self.backend, chunk.len(), 3)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (person, point) in chunk {
                q = q.bind(conference).bind(*person).bind(*point);
            }
            q.execute(&mut *self.inner).await?;
        }
        Ok(outcomes)
    }

    /// The running totals of a conference's points.
    pub async fn tallies(&mut self, conference: i64) -> Result<Vec<TallyRow>> {
        let rows: Vec<(i64, String, i64, i64)> =
            sqlx::query_as("SELECT point_id, category, named, counted FROM point_tally WHERE conference_id = $1")
                .bind(conference)
                .fetch_all(&mut *self.inner)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(point_id, category, named, counted)| TallyRow {
                point_id,
                category,
                named,
                counted,
            })
            .collect())
    }

    /// The people counted so far at the points whose host paths lie in each of `ranges`
    /// (half-open `[lo, hi)`): (index of the range, members, outstanding non-members,
    /// guests), for the ranges with anyone. Summed by the database: a nation's 31,000
    /// points come back as a row per child organization.
    pub async fn totals_under(
        &mut self,
        conference: i64,
        ranges: &[(String, String)],
    ) -> Result<Vec<(i64, i64, i64, i64)>> {
        if ranges.is_empty() {
            return Ok(Vec::new());
        }
        let values: Vec<String> = (0..ranges.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
            .collect();
        let sum = |cond: &str| format!("CAST(sum(CASE WHEN {cond} THEN t.named + t.counted ELSE 0 END) AS BIGINT)");
        let sql = format!(
            "WITH r (i, lo, hi) AS (VALUES {}) SELECT r.i, {}, {}, {} FROM r \
             JOIN point p ON p.conference_id = $1 AND p.host_path >= r.lo AND p.host_path < r.hi \
             JOIN point_tally t ON t.point_id = p.id GROUP BY r.i",
            values.join(", "),
            sum("t.category = 'member'"),
            sum("t.category = 'outstanding'"),
            sum("t.category NOT IN ('member', 'outstanding')"),
        );
        let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(conference);
        for (i, (lo, hi)) in ranges.iter().enumerate() {
            q = q.bind(i as i64).bind(lo.as_str()).bind(hi.as_str());
        }
        Ok(q.fetch_all(&mut *self.inner).await?)
    }

    /// What tells whether a conference's points have changed for its figures: how many
    /// there are, the highest id and how many have connected (points are never removed,
    /// their hosts never change, and a point that connected stays connected).
    pub async fn point_stamp(&mut self, conference: i64) -> Result<(i64, i64, i64)> {
        let (n, last, connected): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT count(*), max(id), CAST(sum(connected) AS BIGINT) FROM point WHERE conference_id = $1",
        )
        .bind(conference)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok((n, last.unwrap_or(0), connected.unwrap_or(0)))
    }

    /// Sets the head count a point reports for a category; returns the count before.
    pub async fn set_headcount(&mut self, conference: i64, point: i64, category: &str, n: i64) -> Result<i64> {
        let before: Option<(i64,)> =
            sqlx::query_as("SELECT counted FROM point_tally WHERE point_id = $1 AND category = $2")
                .bind(point)
                .bind(category)
                .fetch_optional(&mut *self.inner)
                .await?;
        sqlx::query(
            "INSERT INTO point_tally (conference_id, point_id, category, named, counted) VALUES ($1, $2, $3, 0, $4) \
             ON CONFLICT (point_id, category) DO UPDATE SET counted = excluded.counted",
        )
        .bind(conference)
        .bind(point)
        .bind(category)
        .bind(n)
        .execute(&mut *self.inner)
        .await?;
        Ok(before.map_or(0, |(b,)| b))
    }

    /// Removes a person's attendance (an amendment records why); returns the point and
    /// category they were counted under.
    pub async fn remove_attendee(&mut self, conference: i64, person: PersonId) -> Result<Option<(i64, String)>> {
        let row: Option<(i64, String)> = sqlx::query_as(
            "DELETE FROM attendee WHERE conference_id = $1 AND person_id = $2 RETURNING point_id, category",
        )
        .bind(conference)
        .bind(person.0)
        .fetch_optional(&mut *self.inner)
        .await?;
        if let Some((point, category)) = &row {
            sqlx::query("UPDATE point_tally SET named = named - 1 WHERE point_id = $1 AND category = $2")
                .bind(*point)
                .bind(category)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(row)
    }

    /// Recomputes which base organizations sent people to a conference: named attendees
    /// by their own base, head counts by the base of the point's host.
    pub async fn refresh_bases_sent(&mut self, conference: i64) -> Result<()> {
        sqlx::query("DELETE FROM base_sent WHERE conference_id = $1")
            .bind(conference)
            .execute(&mut *self.inner)
            .await?;
        sqlx::query(
            "INSERT INTO base_sent (conference_id, base_id) \
             SELECT DISTINCT $1, base_id FROM attendee WHERE conference_id = $1 AND base_id IS NOT NULL \
             UNION SELECT $1, p.base_id FROM point p JOIN point_tally t ON t.point_id = p.id \
             WHERE p.conference_id = $1 AND p.base_id IS NOT NULL AND t.counted > 0",
        )
        .bind(conference)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The base organizations that sent people to a conference.
    pub async fn bases_sent(&mut self, conference: i64) -> Result<HashSet<OrgId>> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT base_id FROM base_sent WHERE conference_id = $1")
            .bind(conference)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(|(b,)| OrgId(b)).collect())
    }

    /// Records an amendment of attendance.
    pub async fn insert_amendment(&mut self, conference: i64, a: &AmendmentRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO attendance_amendment (conference_id, point_id, person_id, action, category, before_value, after_value, reason, at, by_actor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(conference)
        .bind(a.point_id)
        .bind(a.person_id.map(|p| p.0))
        .bind(&a.action)
        .bind(&a.category)
        .bind(&a.before)
        .bind(&a.after)
        .bind(&a.reason)
        .bind(&a.at)
        .bind(&a.by)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The amendments of a conference, in order.
    pub async fn amendments(&mut self, conference: i64) -> Result<Vec<AmendmentRow>> {
        type A = (
            Option<i64>,
            Option<i64>,
            String,
            Option<String>,
            String,
            String,
            String,
            String,
            String,
        );
        let rows: Vec<A> = sqlx::query_as(
            "SELECT point_id, person_id, action, category, before_value, after_value, reason, at, by_actor \
             FROM attendance_amendment WHERE conference_id = $1 ORDER BY id",
        )
        .bind(conference)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| AmendmentRow {
                point_id: r.0,
                person_id: r.1.map(PersonId),
                action: r.2,
                category: r.3,
                before: r.4,
                after: r.5,
                reason: r.6,
                at: r.7,
                by: r.8,
            })
            .collect())
    }

    /// How many people were checked in at a point other than the one that counted them.
    pub async fn conflict_count(&mut self, conference: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM checkin_conflict c \
             JOIN attendee a ON a.conference_id = c.conference_id AND a.person_id = c.person_id \
             WHERE c.conference_id = $1 AND c.point_id <> a.point_id",
        )
        .bind(conference)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(n)
    }

    /// The people checked in at a point other than the one that counted them: (person,
    /// name, that point, the point that counted them), by name.
    pub async fn conflicts(&mut self, conference: i64) -> Result<Vec<(PersonId, String, i64, i64)>> {
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT c.person_id, p.full_name, c.point_id, a.point_id FROM checkin_conflict c \
             JOIN attendee a ON a.conference_id = c.conference_id AND a.person_id = c.person_id \
             JOIN person p ON p.id = c.person_id \
             WHERE c.conference_id = $1 AND c.point_id <> a.point_id ORDER BY p.sort_key",
        )
        .bind(conference)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(p, n, a, b)| (PersonId(p), n, a, b)).collect())
    }

    /// Who was counted at a point, by name.
    pub async fn attendees_at(&mut self, point: i64) -> Result<Vec<(PersonId, String, String)>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT a.person_id, p.full_name, a.category FROM attendee a JOIN person p ON p.id = a.person_id \
             WHERE a.point_id = $1 ORDER BY p.sort_key",
        )
        .bind(point)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(i, n, c)| (PersonId(i), n, c)).collect())
    }

    /// Whether a person was counted at a conference, and at which point.
    pub async fn attendance_of(&mut self, conference: i64, person: PersonId) -> Result<Option<i64>> {
        let r: Option<(i64,)> =
            sqlx::query_as("SELECT point_id FROM attendee WHERE conference_id = $1 AND person_id = $2")
                .bind(conference)
                .bind(person.0)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(r.map(|(p,)| p))
    }

    /// How many check-in requests a conference has stored (for the benchmark's check).
    pub async fn checkin_count(&mut self, conference: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM checkin WHERE conference_id = $1")
            .bind(conference)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n)
    }

    /// The people placed in a subtree on a day, for a point's roster: id, name and card.
    pub async fn roster(
        &mut self,
        subtree: &OrgPath,
        on: Date,
        limit: i64,
    ) -> Result<Vec<(PersonId, String, Option<String>)>> {
        let (lo, hi) = subtree.subtree_range();
        let sql = format!(
            "SELECT p.id, p.full_name, m.card_number FROM org_version v \
             JOIN placement pl ON pl.org_id = v.org_id AND {} \
             JOIN person p ON p.id = pl.person_id LEFT JOIN membership m ON m.person_id = p.id \
             WHERE {} AND v.path >= $2 AND v.path < $3 ORDER BY p.sort_key LIMIT $4",
            valid_on("pl", 1),
            valid_on("v", 1)
        );
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(lo)
            .bind(hi)
            .bind(limit)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(|(i, n, c)| (PersonId(i), n, c)).collect())
    }
}
