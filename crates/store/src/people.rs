//! People, party membership, placements in organizations over time, bodies and positions.

use crate::rows::{corrupt, d, date, opt_date, valid_on};
use crate::{Backend, Result, Tx, unique};
use dangbo_domain::cadre::{BodyId, BodyKind, PositionSource, Term, Title};
use dangbo_domain::member::{CardNumber, CitizenId, Ethnicity, Gender, MemberStatus, PersonId, PersonKind, Phone};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{OrgCode, OrgId, OrgName, OrgPath};
use dangbo_domain::{Date, Validity};
use sqlx::any::AnyArguments;
use sqlx::{Arguments, AssertSqlSafe, Row};

/// A person to record or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    /// Member, outstanding non-member or guest.
    pub kind: PersonKind,
    /// Full name.
    pub name: PersonName,
    /// Gender.
    pub gender: Gender,
    /// Date of birth.
    pub birth_date: Date,
    /// Ethnic group.
    pub ethnicity: Ethnicity,
    /// Citizen ID.
    pub citizen_id: Option<CitizenId>,
    /// Phone.
    pub phone: Option<Phone>,
}

/// Party membership of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRow {
    /// Party card number, once issued.
    pub card_number: Option<CardNumber>,
    /// Admission date.
    pub admitted_on: Date,
    /// Date made full member.
    pub full_on: Option<Date>,
    /// Exempted from party activities.
    pub exempt: bool,
}

/// A stored person with their membership, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// Id.
    pub id: PersonId,
    /// The person's record.
    pub person: NewPerson,
    /// Membership, for party members.
    pub membership: Option<MembershipRow>,
}

/// A person together with the organization they belong to on the day asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    /// The person.
    pub row: PersonRow,
    /// Their organization that day.
    pub org_id: OrgId,
    /// Its code.
    pub org_code: OrgCode,
    /// Its name that day.
    pub org_name: OrgName,
}

/// A period a person spent in an organization (sinh hoạt đảng tại …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementRow {
    /// Row id.
    pub id: i64,
    /// The person.
    pub person_id: PersonId,
    /// The organization.
    pub org_id: OrgId,
    /// Its code.
    pub org_code: OrgCode,
    /// The days.
    pub validity: Validity,
    /// What started it: `admission`, `transfer`, `merge`, `split`, `import`, `demo`.
    pub change: String,
}

/// What the member list is filtered by.
#[derive(Debug, Clone)]
pub struct MemberFilter {
    /// Only people placed in this subtree; `None` for the whole database.
    pub subtree: Option<OrgPath>,
    /// The day.
    pub on: Date,
    /// A folded search text (see `dangbo_domain::name::fold`).
    pub query: Option<String>,
    /// Only this kind of person.
    pub kind: Option<PersonKind>,
    /// Only this gender.
    pub gender: Option<Gender>,
    /// Only this status on the day.
    pub status: Option<MemberStatus>,
    /// Only this ethnic group.
    pub ethnicity: Option<Ethnicity>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
    /// Only people after this one in the list's order (keyset paging: it stays fast
    /// however deep the page, where an offset would read every row before it).
    pub after: Option<PersonId>,
    /// Only people before this one: the page before (paging back by key).
    pub before: Option<PersonId>,
}

/// How many people match a member filter. A name search stops counting past
/// [`Total::CAP`] (over a nation, «nguyễn văn an» finds 10,000, and counting them all
/// costs more than the page): `more` then says there are more than `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// Counted (all of them unless `more`).
    pub n: i64,
    /// Whether more than `n` match.
    pub more: bool,
}

impl Total {
    /// A name search counts up to this many.
    pub const CAP: i64 = 500;

    /// An exact count.
    pub fn exact(n: i64) -> Total {
        Total { n, more: false }
    }

    /// Whether a page ending at `shown` (1-based, inclusive) leaves people after it.
    pub fn beyond(&self, shown: i64) -> bool {
        self.more || shown < self.n
    }
}

/// The few facts about a member that statistics need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    /// Gender.
    pub gender: Gender,
    /// Ethnic group.
    pub ethnicity: Ethnicity,
    /// Date of birth.
    pub birth_date: Date,
    /// Kind of person.
    pub kind: PersonKind,
    /// Date made full member.
    pub full_on: Option<Date>,
    /// Exempt from activities.
    pub exempt: bool,
}

/// How many people of a subtree share the facts statistics need: gender, ethnic group,
/// kind, full member on the day, exempt, and age band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactsGroup {
    /// Gender.
    pub gender: Gender,
    /// Ethnic group.
    pub ethnicity: Ethnicity,
    /// Kind of person.
    pub kind: PersonKind,
    /// Full member on the day.
    pub full: bool,
    /// Exempt from activities.
    pub exempt: bool,
    /// Has a membership record (a member, or someone who was one).
    pub enrolled: bool,
    /// The age band: the number of `band_starts` the person is not younger than.
    pub band: usize,
    /// How many.
    pub count: u64,
}

/// A collective body for a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRow {
    /// Id.
    pub id: BodyId,
    /// Its organization.
    pub org_id: OrgId,
    /// Kind.
    pub kind: BodyKind,
    /// Term.
    pub term: Term,
    /// The size prescribed for it.
    pub prescribed_size: i64,
}

/// A position a person holds or held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionRow {
    /// Row id.
    pub id: i64,
    /// Who.
    pub person_id: PersonId,
    /// Where.
    pub org_id: OrgId,
    /// In which body, if any.
    pub body_id: Option<BodyId>,
    /// Title.
    pub title: Title,
    /// How they came to it.
    pub source: PositionSource,
    /// When.
    pub validity: Validity,
    /// The organization whose standing committee manages the post (diện Ban Thường vụ …
    /// quản lý), when recorded.
    pub managed_by: Option<OrgId>,
}

const PERSON_COLS: &str = "p.id, p.kind, p.full_name, p.gender, p.birth_date, p.ethnicity, p.citizen_id, p.phone, \
     m.card_number, m.admitted_on, m.full_on, m.exempt";

type PersonTuple = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

type FactsRow = (String, String, String, String, Option<String>, Option<i64>);
type PositionTuple = (
    i64,
    i64,
    i64,
    Option<i64>,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
);

fn decode_person(r: PersonTuple) -> Result<PersonRow> {
    let t = "person";
    let membership = match r.9 {
        None => None,
        Some(admitted) => Some(MembershipRow {
            card_number: r
                .8
                .as_deref()
                .map(|c| CardNumber::parse(c).map_err(|_| corrupt("membership", "card_number", c)))
                .transpose()?,
            admitted_on: date("membership", "admitted_on", &admitted)?,
            full_on: opt_date("membership", "full_on", r.10.as_deref())?,
            exempt: r.11 == Some(1),
        }),
    };
    Ok(PersonRow {
        id: PersonId(r.0),
        person: NewPerson {
            kind: PersonKind::from_code(&r.1).ok_or_else(|| corrupt(t, "kind", &r.1))?,
            name: PersonName::parse(&r.2).map_err(|_| corrupt(t, "full_name", &r.2))?,
            gender: Gender::from_code(&r.3).ok_or_else(|| corrupt(t, "gender", &r.3))?,
            birth_date: date(t, "birth_date", &r.4)?,
            ethnicity: Ethnicity::parse(&r.5).map_err(|_| corrupt(t, "ethnicity", &r.5))?,
            citizen_id: r
                .6
                .as_deref()
                .map(|c| CitizenId::parse(c).map_err(|_| corrupt(t, "citizen_id", c)))
                .transpose()?,
            phone: r
                .7
                .as_deref()
                .map(|c| Phone::parse(c).map_err(|_| corrupt(t, "phone", c)))
                .transpose()?,
        },
        membership,
    })
}

/// The `VALUES` list of a multi-row insert. SQLite gets anonymous `?` markers: it looks up
/// numbered ones by walking a list, which makes binding thousands of them quadratic.
/// The organizations of a subtree on a day, found first through the path index (`$1`
/// the day, `$2`..`$3` the path range). Joined from the other side, PostgreSQL may walk
/// every version of every organization in id order instead (0,8 s on a national tree).
fn subtree_cte() -> String {
    format!(
        "WITH sub AS MATERIALIZED (SELECT v.org_id FROM org_version v WHERE {} AND v.path >= $2 AND v.path < $3)",
        valid_on("v", 1)
    )
}

pub(crate) fn placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ",(" });
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            match backend {
                Backend::Sqlite => s.push('?'),
                Backend::Postgres => s.push_str(&format!("${}", r * cols + c + 1)),
            }
        }
        s.push(')');
    }
    s
}

fn bind_person(args: &mut AnyArguments, id: i64, p: &NewPerson) -> std::result::Result<(), sqlx::error::BoxDynError> {
    let n = &p.name;
    args.add(id)?;
    args.add(p.kind.code())?;
    args.add(n.full())?;
    args.add(n.family())?;
    args.add(n.middle())?;
    args.add(n.given())?;
    args.add(n.sort_key())?;
    args.add(n.search_key())?;
    args.add(dangbo_domain::name::fold(n.given()))?;
    args.add(search_rest(&n.search_key()))?;
    args.add(p.gender.code())?;
    args.add(d(p.birth_date))?;
    args.add(p.ethnicity.name())?;
    args.add(p.citizen_id.as_ref().map(|c| c.as_str().to_string()))?;
    args.add(p.phone.as_ref().map(|c| c.as_str().to_string()))?;
    Ok(())
}

const PERSON_INSERT: &str = "INSERT INTO person (id, kind, full_name, family_name, middle_name, given_name, sort_key, \
     search_name, search_given, search_rest, gender, birth_date, ethnicity, citizen_id, phone) VALUES {values}";
const PERSON_COLS_N: usize = 15;

/// The folded name without its family name (`van an` of `nguyen van an`), searched by
/// prefix like the whole name and the given name.
fn search_rest(search_name: &str) -> String {
    search_name
        .split_once(' ')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

pub(crate) fn bind_err(e: sqlx::error::BoxDynError) -> crate::StoreError {
    crate::StoreError::Database(sqlx::Error::Encode(e))
}

/// A member list's rows, from placements to people and their organizations.
const MEMBER_FROM: &str = "FROM placement pl JOIN person p ON p.id = pl.person_id LEFT JOIN membership m ON m.person_id = p.id \
     JOIN org_version v ON v.org_id = pl.org_id JOIN org o ON o.id = v.org_id";

/// The people whose name matches the folded search text `q` in any of the three ways it
/// is typed (from the family name, from the middle name, the given name alone), as a
/// query of `cols` of `person` read from the search indexes alone, joined by `union`
/// (`UNION ALL` may give a person twice); `q`'s bounds are bound after what `args` holds.
fn matches_sql(
    args: &mut AnyArguments,
    q: &str,
    cols: &str,
    union: &str,
) -> std::result::Result<String, sqlx::error::BoxDynError> {
    Ok(name_ranges(args, q, "")?
        .map(|range| format!("SELECT {cols} FROM person WHERE {range}"))
        .join(&format!(" {union} ")))
}

/// The three ranges of the search keys of `person` (as `{alias}search_name` …) that match
/// the folded search text `q`, whose bounds are bound after what `args` holds.
fn name_ranges(
    args: &mut AnyArguments,
    q: &str,
    alias: &str,
) -> std::result::Result<[String; 3], sqlx::error::BoxDynError> {
    let n = args.len();
    args.add(q.to_string())?;
    args.add(format!("{q}~"))?;
    let (lo, hi) = (n + 1, n + 2);
    Ok(["search_name", "search_rest", "search_given"]
        .map(|col| format!("{alias}{col} >= ${lo} AND {alias}{col} < ${hi}")))
}

/// The condition on `p` (a person) that the folded search text `q` matches their name in
/// any of the three ways; its bounds are bound after what `args` holds.
fn name_matches(args: &mut AnyArguments, q: &str) -> std::result::Result<String, sqlx::error::BoxDynError> {
    let [a, b, c] = name_ranges(args, q, "p.")?;
    Ok(format!("(({a}) OR ({b}) OR ({c}))"))
}

/// How many people a name must match to be common: its page in a province is then found
/// by walking the province's roster in name order and keeping who matches, rather than by
/// sorting the nation's matches again for each batch until enough of the province's turn
/// up. (Over the nation the walk loses: name order puts the given name first, so the
/// matches of a family name are bunched, not spread through it.)
const COMMON_NAME: i64 = 20_000;

/// Vietnamese name order by `keys` (the sort key, then the id), or its reverse.
fn name_order((sort_key, id): (&str, &str), backwards: bool) -> String {
    if backwards {
        format!("{sort_key} DESC, {id} DESC")
    } else {
        format!("{sort_key}, {id}")
    }
}

impl Tx {
    /// Reserves `n` fresh person ids, so that batches can be inserted with known ids.
    pub async fn reserve_person_ids(&mut self, n: usize) -> Result<Vec<PersonId>> {
        Ok(self.reserve_ids("person", n).await?.into_iter().map(PersonId).collect())
    }

    /// Inserts people with ids from [`Tx::reserve_person_ids`], many rows per statement.
    pub async fn insert_people(&mut self, people: &[(PersonId, &NewPerson)]) -> Result<()> {
        self.registry_changed = true;
        self.insert_many(PERSON_INSERT, PERSON_COLS_N, "citizen_id", people, |args, (id, p)| {
            bind_person(args, id.0, p)
        })
        .await
    }

    /// Inserts one person and returns the id.
    pub async fn insert_person(&mut self, p: &NewPerson) -> Result<PersonId> {
        let id = self.reserve_person_ids(1).await?[0];
        self.insert_people(&[(id, p)]).await?;
        Ok(id)
    }

    /// Replaces the record of person `id`, whose name was `was` (`None` when not known:
    /// their place in the rosters' name order is then written again in any case).
    pub async fn update_person(&mut self, id: PersonId, p: &NewPerson, was: Option<&PersonName>) -> Result<()> {
        self.registry_changed = true;
        let n = &p.name;
        sqlx::query(
            "UPDATE person SET kind = $2, full_name = $3, family_name = $4, middle_name = $5, given_name = $6, \
             sort_key = $7, search_name = $8, search_given = $9, gender = $10, birth_date = $11, ethnicity = $12, \
             citizen_id = $13, phone = $14, search_rest = $15 WHERE id = $1",
        )
        .bind(id.0)
        .bind(p.kind.code())
        .bind(n.full())
        .bind(n.family())
        .bind(n.middle())
        .bind(n.given())
        .bind(n.sort_key())
        .bind(n.search_key())
        .bind(dangbo_domain::name::fold(n.given()))
        .bind(p.gender.code())
        .bind(d(p.birth_date))
        .bind(p.ethnicity.name())
        .bind(p.citizen_id.as_ref().map(|c| c.as_str().to_string()))
        .bind(p.phone.as_ref().map(|c| c.as_str().to_string()))
        .bind(search_rest(&n.search_key()))
        .execute(&mut *self.inner)
        .await
        .map_err(|e| unique(e, || "citizen_id".to_string()))?;
        // Only a new name moves them in name order (an import of 2,000 known people
        // would otherwise write 2,000 roster rows for nothing).
        if was.is_none_or(|w| w.sort_key() != n.sort_key()) {
            sqlx::query("UPDATE roster SET sort_key = $1 WHERE person_id = $2")
                .bind(n.sort_key())
                .bind(id.0)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Records or replaces the membership of people, many rows per statement.
    pub async fn upsert_memberships(&mut self, rows: &[(PersonId, &MembershipRow)]) -> Result<()> {
        self.registry_changed = true;
        let sql = "INSERT INTO membership (person_id, card_number, admitted_on, full_on, exempt) VALUES {values} \
                   ON CONFLICT (person_id) DO UPDATE SET card_number = excluded.card_number, \
                   admitted_on = excluded.admitted_on, full_on = excluded.full_on, exempt = excluded.exempt";
        self.insert_many(sql, 5, "card_number", rows, |args, (id, m)| {
            args.add(id.0)?;
            args.add(m.card_number.as_ref().map(|c| c.as_str().to_string()))?;
            args.add(d(m.admitted_on))?;
            args.add(m.full_on.map(d))?;
            args.add(i64::from(m.exempt))
        })
        .await
    }

    /// The person with `id`.
    pub async fn person(&mut self, id: PersonId) -> Result<Option<PersonRow>> {
        let sql =
            format!("SELECT {PERSON_COLS} FROM person p LEFT JOIN membership m ON m.person_id = p.id WHERE p.id = $1");
        let row: Option<PersonTuple> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *self.inner)
            .await?;
        row.map(decode_person).transpose()
    }

    /// The person holding a card number.
    pub async fn person_by_card(&mut self, card: &CardNumber) -> Result<Option<PersonId>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT person_id FROM membership WHERE card_number = $1")
            .bind(card.as_str())
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(row.map(|(i,)| PersonId(i)))
    }

    /// The person with a citizen ID.
    pub async fn person_by_citizen_id(&mut self, cid: &CitizenId) -> Result<Option<PersonId>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM person WHERE citizen_id = $1")
            .bind(cid.as_str())
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(row.map(|(i,)| PersonId(i)))
    }

    /// Every person's identifying numbers: (id, card number, citizen ID). Imports match
    /// on these in memory instead of asking once per row.
    pub async fn person_keys(&mut self) -> Result<Vec<(PersonId, Option<String>, Option<String>)>> {
        let rows: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT p.id, m.card_number, p.citizen_id FROM person p LEFT JOIN membership m ON m.person_id = p.id",
        )
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(i, c, z)| (PersonId(i), c, z)).collect())
    }

    /// Places people in organizations from a day on, many rows per statement:
    /// (person, organization, first day, what started it).
    pub async fn insert_placements(&mut self, rows: &[(PersonId, OrgId, Date, &str)]) -> Result<()> {
        self.registry_changed = true;
        let before = self.last_id("placement").await?;
        let sql = "INSERT INTO placement (person_id, org_id, valid_from, change) VALUES {values}";
        self.insert_many(sql, 4, "placement", rows, |args, (p, o, from, change)| {
            args.add(p.0)?;
            args.add(o.0)?;
            args.add(d(*from))?;
            args.add(change.to_string())
        })
        .await?;
        // Each person joins the roster of the top of every version of the organization.
        self.add_to_rosters("pl.id", before).await
    }

    /// Adds to the rosters the people of the placements (`pl.id`) or organization
    /// versions (`v.id`) with an id above `after`, under the top of each version.
    pub(crate) async fn add_to_rosters(&mut self, newer: &'static str, after: i64) -> Result<()> {
        if self.rosters_held {
            return Ok(());
        }
        // In the roster's order: its pages fill one after another.
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO roster (top_id, sort_key, person_id) \
             SELECT DISTINCT v.top_id, p.sort_key, p.id FROM placement pl \
             JOIN org_version v ON v.org_id = pl.org_id JOIN person p ON p.id = pl.person_id \
             WHERE {newer} > $1 AND v.top_id IS NOT NULL ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING"
        )))
        .bind(after)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// How many people are placed in each organization of a subtree on a day.
    pub async fn placement_counts(
        &mut self,
        subtree: &OrgPath,
        on: Date,
    ) -> Result<std::collections::HashMap<OrgId, u64>> {
        let (lo, hi) = subtree.subtree_range();
        let sql = format!(
            "{} SELECT pl.org_id, count(*) FROM sub JOIN placement pl ON pl.org_id = sub.org_id \
             WHERE {} GROUP BY pl.org_id",
            subtree_cte(),
            valid_on("pl", 1),
        );
        let rows: Vec<(i64, i64)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(|(o, n)| (OrgId(o), n as u64)).collect())
    }

    /// How many people are placed on `on` in the subtree of each child of organization
    /// `parent` valid that day, by child (children with no one are left out).
    pub async fn child_head_counts(&mut self, parent: OrgId, on: Date) -> Result<Vec<(OrgId, u64)>> {
        // Each child's subtree is a range of paths: from its path up to the same text
        // with the closing `/` turned into `0` (as `OrgPath::subtree_range`).
        let sql = format!(
            "WITH ch AS MATERIALIZED (SELECT v.org_id, v.path FROM org_version v WHERE v.parent_id = $2 AND {}) \
             SELECT ch.org_id, count(*) FROM ch \
             JOIN org_version v ON v.path >= ch.path AND v.path < substr(ch.path, 1, length(ch.path) - 1) || '0' AND {} \
             JOIN placement pl ON pl.org_id = v.org_id AND {} GROUP BY ch.org_id",
            valid_on("v", 1),
            valid_on("v", 1),
            valid_on("pl", 1),
        );
        let rows: Vec<(i64, i64)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(parent.0)
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(|(o, n)| (OrgId(o), n.max(0) as u64)).collect())
    }

    /// Every open placement: person → (placement id, organization, first day).
    pub async fn open_placements(&mut self) -> Result<std::collections::HashMap<PersonId, (i64, OrgId, Date)>> {
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as("SELECT id, person_id, org_id, valid_from FROM placement WHERE valid_to IS NULL")
                .fetch_all(&mut *self.inner)
                .await?;
        rows.into_iter()
            .map(|(id, p, o, from)| Ok((PersonId(p), (id, OrgId(o), date("placement", "valid_from", &from)?))))
            .collect()
    }

    /// Ends placements on day `on`. A placement that would end on the day it began never
    /// held on any day, and is removed instead (the audit log keeps the record).
    pub async fn end_placements(&mut self, ids: &[i64], on: Date) -> Result<()> {
        self.registry_changed = true;
        for id in ids {
            sqlx::query("DELETE FROM placement WHERE id = $1 AND valid_from = $2 AND valid_to IS NULL")
                .bind(*id)
                .bind(d(on))
                .execute(&mut *self.inner)
                .await?;
            sqlx::query("UPDATE placement SET valid_to = $1 WHERE id = $2 AND valid_to IS NULL")
                .bind(d(on))
                .bind(*id)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Ends, on day `on`, every position still held in organization `org` (when it is
    /// dissolved or merged away). Returns how many.
    pub async fn end_positions_in(&mut self, org: OrgId, on: Date) -> Result<u64> {
        sqlx::query("DELETE FROM position WHERE org_id = $1 AND valid_from = $2 AND valid_to IS NULL")
            .bind(org.0)
            .bind(d(on))
            .execute(&mut *self.inner)
            .await?;
        let done = sqlx::query("UPDATE position SET valid_to = $1 WHERE org_id = $2 AND valid_to IS NULL")
            .bind(d(on))
            .bind(org.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected())
    }

    async fn placement_rows(&mut self, cond: &str, bind_i: i64, bind_d: Option<Date>) -> Result<Vec<PlacementRow>> {
        let sql = format!(
            "SELECT pl.id, pl.person_id, pl.org_id, o.code, pl.valid_from, pl.valid_to, pl.change \
             FROM placement pl JOIN org o ON o.id = pl.org_id WHERE {cond} ORDER BY pl.valid_from, pl.id"
        );
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String, String, Option<String>, String)>(AssertSqlSafe(sql))
            .bind(bind_i);
        if let Some(day) = bind_d {
            q = q.bind(d(day));
        }
        let t = "placement";
        q.fetch_all(&mut *self.inner)
            .await?
            .into_iter()
            .map(|r| {
                Ok(PlacementRow {
                    id: r.0,
                    person_id: PersonId(r.1),
                    org_id: OrgId(r.2),
                    org_code: OrgCode::parse(&r.3).map_err(|_| corrupt("org", "code", &r.3))?,
                    validity: Validity {
                        from: date(t, "valid_from", &r.4)?,
                        to: opt_date(t, "valid_to", r.5.as_deref())?,
                    },
                    change: r.6,
                })
            })
            .collect()
    }

    /// A person's placements, oldest first.
    pub async fn placements_of(&mut self, person: PersonId) -> Result<Vec<PlacementRow>> {
        self.placement_rows("pl.person_id = $1", person.0, None).await
    }

    /// The placements in organization `org` valid on `on`.
    pub async fn placements_in(&mut self, org: OrgId, on: Date) -> Result<Vec<PlacementRow>> {
        let cond = format!("pl.org_id = $1 AND {}", valid_on("pl", 2));
        self.placement_rows(&cond, org.0, Some(on)).await
    }

    /// The open placement of a person (where they are now), if any.
    pub async fn open_placement(&mut self, person: PersonId) -> Result<Option<PlacementRow>> {
        Ok(self
            .placement_rows("pl.person_id = $1 AND pl.valid_to IS NULL", person.0, None)
            .await?
            .pop())
    }

    /// The conditions of a member list on placements (`pl`), organizations (`v`, with
    /// `tree`), people (`p`) and memberships (`m`); not its name search, which
    /// [`matches_sql`] reads from the search indexes.
    fn member_where(
        f: &MemberFilter,
        args: &mut AnyArguments,
        paging: bool,
        tree: bool,
    ) -> std::result::Result<String, sqlx::error::BoxDynError> {
        Self::member_where_keyed(f, args, paging, tree, ("p.sort_key", "p.id"))
    }

    /// [`Tx::member_where`], paging by the name-order key held in `keys` (sort key, id).
    fn member_where_keyed(
        f: &MemberFilter,
        args: &mut AnyArguments,
        paging: bool,
        tree: bool,
        (sort_key, id): (&str, &str),
    ) -> std::result::Result<String, sqlx::error::BoxDynError> {
        // Every path starts with `/`, and `0` follows `/`: this range holds them all.
        let (lo, hi) = f
            .subtree
            .as_ref()
            .map_or(("/".into(), "0".into()), OrgPath::subtree_range);
        args.add(d(f.on))?;
        args.add(lo)?;
        args.add(hi)?;
        // Without `tree` the subtree is the `sub` of [`subtree_cte`], which uses $1 to $3.
        let mut w = if tree {
            format!(
                "{} AND {} AND v.path >= $2 AND v.path < $3",
                valid_on("pl", 1),
                valid_on("v", 1)
            )
        } else {
            valid_on("pl", 1)
        };
        let mut n = 3;
        for (key, op) in [(f.after, '>'), (f.before, '<')] {
            if let Some(key) = key.filter(|_| paging) {
                args.add(key.0)?;
                n += 1;
                w.push_str(&format!(
                    " AND ({sort_key} {op} (SELECT sort_key FROM person WHERE id = ${n}) \
                     OR ({sort_key} = (SELECT sort_key FROM person WHERE id = ${n}) AND {id} {op} ${n}))"
                ));
            }
        }
        let mut next = |args: &mut AnyArguments, v: String| -> std::result::Result<String, sqlx::error::BoxDynError> {
            args.add(v)?;
            n += 1;
            Ok(format!("${n}"))
        };
        if let Some(k) = f.kind {
            let x = next(args, k.code().to_string())?;
            w.push_str(&format!(" AND p.kind = {x}"));
        }
        if let Some(g) = f.gender {
            let x = next(args, g.code().to_string())?;
            w.push_str(&format!(" AND p.gender = {x}"));
        }
        if let Some(e) = f.ethnicity {
            let x = next(args, e.name().to_string())?;
            w.push_str(&format!(" AND p.ethnicity = {x}"));
        }
        match f.status {
            Some(MemberStatus::Full) => w.push_str(" AND m.full_on IS NOT NULL AND m.full_on <= $1"),
            Some(MemberStatus::Probationary) => {
                w.push_str(" AND m.person_id IS NOT NULL AND (m.full_on IS NULL OR m.full_on > $1)")
            }
            None => {}
        }
        Ok(w)
    }

    /// A page of the people placed under a subtree on a day, in Vietnamese name order,
    /// and the total count that matches (without `after`).
    pub async fn members(&mut self, f: &MemberFilter) -> Result<(Vec<MemberView>, Total)> {
        let total = self.member_count(f).await?;
        Ok((self.member_page(f, total).await?, total))
    }

    /// On SQLite, the join that keeps the order of the tables as written: the plans below
    /// are chosen for it (PostgreSQL's planner finds the same ones by itself, given
    /// statistics).
    fn cross(&self) -> &'static str {
        if self.backend == Backend::Sqlite {
            "CROSS JOIN"
        } else {
            "JOIN"
        }
    }

    /// How many people placed under a subtree on a day match `f` (its paging ignored); a
    /// name search counts up to [`Total::CAP`].
    pub async fn member_count(&mut self, f: &MemberFilter) -> Result<Total> {
        // A name search reads the names first and then places the few that match; a
        // list counts the placements of the subtree, joining people only to filter.
        let cross = self.cross();
        let person_filters = f.kind.is_some() || f.gender.is_some() || f.ethnicity.is_some();
        let mut args = AnyArguments::default();
        let membership = if f.status.is_some() {
            "LEFT JOIN membership m ON m.person_id = p.id"
        } else {
            ""
        };
        // Below a province, a search is counted among the subtree's people (a commune has
        // about 1,700; the nation's matches of «nguyen van» are half a million).
        let small = f.subtree.as_ref().is_some_and(|s| s.depth() > 2);
        let count_sql = if let Some(q) = f.query.as_ref().filter(|_| !small) {
            // The matches' ids come from the search indexes alone; the person's row is
            // read only to filter by it.
            let unsearched = MemberFilter {
                query: None,
                ..f.clone()
            };
            let w = Self::member_where(&unsearched, &mut args, false, true).map_err(bind_err)?;
            let matches = matches_sql(&mut args, q, "id", "UNION").map_err(bind_err)?;
            let people = if person_filters || f.status.is_some() {
                format!("JOIN person p ON p.id = c.id {membership}")
            } else {
                String::new()
            };
            format!(
                "SELECT count(*) FROM (SELECT 1 FROM ({matches}) c {cross} placement pl ON pl.person_id = c.id \
                 {people} {cross} org_version v ON v.org_id = pl.org_id WHERE {w} LIMIT {}) found",
                Total::CAP + 1
            )
        } else {
            let mut w = Self::member_where(f, &mut args, false, false).map_err(bind_err)?;
            let limit = match f.query.as_ref() {
                Some(q) => {
                    w.push_str(&format!(" AND {}", name_matches(&mut args, q).map_err(bind_err)?));
                    format!("LIMIT {}", Total::CAP + 1)
                }
                None => String::new(),
            };
            let people = if person_filters || f.status.is_some() || f.query.is_some() {
                format!("JOIN person p ON p.id = pl.person_id {membership}")
            } else {
                String::new()
            };
            format!(
                "{} SELECT count(*) FROM (SELECT 1 FROM sub JOIN placement pl ON pl.org_id = sub.org_id {people} \
                 WHERE {w} {limit}) found",
                subtree_cte()
            )
        };
        let (n,): (i64,) = sqlx::query_as_with(AssertSqlSafe(count_sql), args)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(if f.query.is_some() && n > Total::CAP {
            Total {
                n: Total::CAP,
                more: true,
            }
        } else {
            Total::exact(n)
        })
    }

    /// A page of the people placed under a subtree on a day who match `f`, in Vietnamese
    /// name order; `total` is how many match ([`Tx::member_count`]), which picks the plan.
    pub async fn member_page(&mut self, f: &MemberFilter, total: Total) -> Result<Vec<MemberView>> {
        let Some(q) = &f.query else {
            // A long list is read in name order until the page is full: a province's (or
            // a part of one with over 20,000 people) from its roster, a whole tree's from
            // everyone's names; a short one is found through the tree and sorted.
            let by_name = total.n > 1000 && f.offset == 0;
            let top = f.subtree.as_ref().filter(|s| s.depth() == 2 || total.n > 20_000);
            return self.listed_page(f, by_name, top.and_then(OrgPath::top)).await;
        };
        // Below a province, the subtree's people are few: they are sorted. In a province,
        // a common name is found by walking its roster in name order; a rarer one, and
        // any over the nation, by sorting its matches.
        match &f.subtree {
            Some(s) if s.depth() > 2 => self.listed_page(f, false, None).await,
            Some(s) if s.depth() == 2 && self.is_common_name(q).await? => self.listed_page(f, true, s.top()).await,
            _ => self.search_page(f).await,
        }
    }

    /// Whether the folded search text `q` matches at least [`COMMON_NAME`] people (read
    /// from the search indexes alone, up to that many).
    async fn is_common_name(&mut self, q: &str) -> Result<bool> {
        if let Some(common) = self.names_common {
            return Ok(common);
        }
        let mut args = AnyArguments::default();
        let matches = matches_sql(&mut args, q, "1", "UNION ALL").map_err(bind_err)?;
        let sql = format!("SELECT count(*) FROM ({matches} LIMIT {COMMON_NAME}) m");
        let (n,): (i64,) = sqlx::query_as_with(AssertSqlSafe(sql), args)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n >= COMMON_NAME)
    }

    /// Tests: takes every name searched in this transaction as common (or as not), to try
    /// both ways of finding a search's page on a small registry.
    #[doc(hidden)]
    pub fn take_names_as_common_for_tests(&mut self, common: bool) {
        self.names_common = Some(common);
    }

    /// A page of a list in name order: `by_name`, read in name order until the page is
    /// full (from the roster of `top`, else from everyone's names); otherwise found
    /// through the tree and sorted. A name search keeps who matches as it reads.
    async fn listed_page(&mut self, f: &MemberFilter, by_name: bool, top: Option<OrgId>) -> Result<Vec<MemberView>> {
        let cross = self.cross();
        let (from, keys) = match top {
            Some(_) if by_name => (
                format!(
                    "FROM roster r {cross} person p ON p.id = r.person_id {cross} placement pl ON pl.person_id = p.id \
                     LEFT JOIN membership m ON m.person_id = p.id {cross} org_version v ON v.org_id = pl.org_id \
                     JOIN org o ON o.id = v.org_id"
                ),
                ("r.sort_key", "r.person_id"),
            ),
            None if by_name => (
                format!(
                    "FROM person p {cross} placement pl ON pl.person_id = p.id LEFT JOIN membership m ON m.person_id = p.id \
                     {cross} org_version v ON v.org_id = pl.org_id JOIN org o ON o.id = v.org_id"
                ),
                ("p.sort_key", "p.id"),
            ),
            _ => (MEMBER_FROM.to_string(), ("p.sort_key", "p.id")),
        };
        // Paging back reads backwards from the key, then turns the page round.
        let backwards = f.before.is_some() && f.after.is_none();
        let mut args = AnyArguments::default();
        let mut w = Self::member_where_keyed(f, &mut args, true, true, keys).map_err(bind_err)?;
        if let (Some(top), true) = (top, by_name) {
            args.add(top.0).map_err(bind_err)?;
            w.push_str(&format!(" AND r.top_id = ${}", args.len()));
        }
        if let Some(q) = &f.query {
            w.push_str(&format!(" AND {}", name_matches(&mut args, q).map_err(bind_err)?));
        }
        let sql = format!(
            "SELECT {PERSON_COLS}, v.org_id, o.code, v.name {from} WHERE {w} ORDER BY {} LIMIT {} OFFSET {}",
            name_order(keys, backwards),
            f.limit.max(0),
            f.offset.max(0)
        );
        let mut views = self.member_views(sql, args).await?;
        if backwards {
            views.reverse();
        }
        Ok(views)
    }

    /// A name search's page. The matches' sort keys are read in name order from the search
    /// indexes alone (over a nation, «nguyễn văn an» matches 10,000 people, whose keys are
    /// read in a few milliseconds), a batch at a time; only the batch is joined to where
    /// its people are placed and filtered, until the page is full.
    async fn search_page(&mut self, f: &MemberFilter) -> Result<Vec<MemberView>> {
        let q = f.query.clone().unwrap_or_default();
        let backwards = f.before.is_some() && f.after.is_none();
        let wanted = usize::try_from(f.limit.max(0) + f.offset.max(0)).unwrap_or(0);
        // Where the next batch starts (exclusive) and where the list ends (exclusive), as
        // (sort key, id), in the direction read.
        let mut from = match if backwards { f.before } else { f.after } {
            Some(id) => Some(self.sort_key_of(id).await?),
            None => None,
        };
        let until = match (backwards, f.after, f.before) {
            (false, Some(_), Some(id)) => Some(self.sort_key_of(id).await?),
            _ => None,
        };
        let (op, dir) = if backwards { ('<', "DESC") } else { ('>', "") };
        // Over a nation nearly every match is placed somewhere on the day, so the first
        // batch is a little over the page; a province's search grows it fourfold a round.
        // (Keeping only the matches on the province's roster before sorting them costs a
        // look-up per match, more than the rounds: measured 26 against 18 ms a search.)
        let mut batch = (wanted + wanted / 2).max(60);
        let mut views = Vec::new();
        while views.len() < wanted {
            let mut args = AnyArguments::default();
            let matches = matches_sql(&mut args, &q, "id, sort_key", "UNION ALL").map_err(bind_err)?;
            let mut bounds = Vec::new();
            for (key, op) in [(from.as_ref(), op), (until.as_ref(), '<')] {
                if let Some((k, id)) = key {
                    let n = args.len();
                    args.add(k.clone()).map_err(bind_err)?;
                    args.add(*id).map_err(bind_err)?;
                    bounds.push(format!(
                        "(c.sort_key {op} ${} OR (c.sort_key = ${} AND c.id {op} ${}))",
                        n + 1,
                        n + 1,
                        n + 2
                    ));
                }
            }
            let bounds = if bounds.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", bounds.join(" AND "))
            };
            let sql = format!(
                "SELECT c.id, c.sort_key FROM ({matches}) c {bounds} ORDER BY c.sort_key {dir}, c.id {dir} LIMIT {batch}"
            );
            // A name found two ways comes twice, side by side (UNION ALL, then sorted: cheaper
            // than UNION's table of what was seen).
            let mut found: Vec<(i64, Vec<u8>)> = sqlx::query_as_with(AssertSqlSafe(sql), args)
                .fetch_all(&mut *self.inner)
                .await?;
            let read = found.len();
            found.dedup_by_key(|(id, _)| *id);
            let Some(last) = found.last() else { break };
            from = Some((last.1.clone(), last.0));
            // The batch's people, placed and filtered (the search itself is not asked again).
            let unsearched = MemberFilter {
                query: None,
                ..f.clone()
            };
            let mut args = AnyArguments::default();
            let w = Self::member_where(&unsearched, &mut args, false, true).map_err(bind_err)?;
            let ids: Vec<String> = found.iter().map(|(id, _)| id.to_string()).collect();
            let cross = self.cross();
            let sql = format!(
                "SELECT {PERSON_COLS}, v.org_id, o.code, v.name FROM person p {cross} placement pl ON pl.person_id = p.id \
                 LEFT JOIN membership m ON m.person_id = p.id {cross} org_version v ON v.org_id = pl.org_id \
                 JOIN org o ON o.id = v.org_id WHERE p.id IN ({}) AND {w} ORDER BY {} LIMIT {}",
                ids.join(", "),
                name_order(("p.sort_key", "p.id"), backwards),
                wanted - views.len()
            );
            views.extend(self.member_views(sql, args).await?);
            if read < batch {
                break;
            }
            batch = (batch * 4).min(20_000);
        }
        views.truncate(wanted);
        views.drain(..views.len().min(usize::try_from(f.offset.max(0)).unwrap_or(0)));
        if backwards {
            views.reverse();
        }
        Ok(views)
    }

    /// A person's place in name order: (sort key, id).
    async fn sort_key_of(&mut self, id: PersonId) -> Result<(Vec<u8>, i64)> {
        let (key,): (Vec<u8>,) = sqlx::query_as("SELECT sort_key FROM person WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *self.inner)
            .await?
            .unwrap_or_default();
        Ok((key, id.0))
    }

    /// The rows of a member list query: the person's columns, then the organization's.
    async fn member_views(&mut self, sql: String, args: AnyArguments) -> Result<Vec<MemberView>> {
        let rows = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&mut *self.inner)
            .await?;
        rows.iter()
            .map(|r| {
                let person: PersonTuple = sqlx::FromRow::from_row(r)?;
                let (id, code, name): (i64, String, String) = (r.try_get(12)?, r.try_get(13)?, r.try_get(14)?);
                let org_code = OrgCode::parse(&code).map_err(|_| corrupt("org", "code", &code))?;
                let org_name = OrgName::parse(&name).map_err(|_| corrupt("org_version", "name", &name))?;
                Ok(MemberView {
                    row: decode_person(person)?,
                    org_id: OrgId(id),
                    org_code,
                    org_name,
                })
            })
            .collect()
    }

    /// The facts statistics need about everyone placed under a subtree on a day.
    pub async fn member_facts(&mut self, subtree: &OrgPath, on: Date) -> Result<Vec<MemberFacts>> {
        let (lo, hi) = subtree.subtree_range();
        let sql = format!(
            "{} SELECT p.gender, p.ethnicity, p.birth_date, p.kind, m.full_on, m.exempt \
             FROM sub JOIN placement pl ON pl.org_id = sub.org_id JOIN person p ON p.id = pl.person_id \
             LEFT JOIN membership m ON m.person_id = p.id WHERE {}",
            subtree_cte(),
            valid_on("pl", 1),
        );
        let rows: Vec<FactsRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(lo)
            .bind(hi)
            .fetch_all(&mut *self.inner)
            .await?;
        let t = "person";
        rows.into_iter()
            .map(|r| {
                Ok(MemberFacts {
                    gender: Gender::from_code(&r.0).ok_or_else(|| corrupt(t, "gender", &r.0))?,
                    ethnicity: Ethnicity::parse(&r.1).map_err(|_| corrupt(t, "ethnicity", &r.1))?,
                    birth_date: date(t, "birth_date", &r.2)?,
                    kind: PersonKind::from_code(&r.3).ok_or_else(|| corrupt(t, "kind", &r.3))?,
                    full_on: opt_date("membership", "full_on", r.4.as_deref())?,
                    exempt: r.5 == Some(1),
                })
            })
            .collect()
    }

    /// The people placed under a subtree on `on`, counted by the facts statistics need,
    /// in the database: a national subtree is millions of people, too many to read.
    /// `band_ages` are the ages (ascending) at which age bands begin after the first.
    pub async fn member_fact_groups(
        &mut self,
        subtree: &OrgPath,
        on: Date,
        band_ages: &[i16],
    ) -> Result<Vec<FactsGroup>> {
        let (lo, hi) = subtree.subtree_range();
        // Younger than `a` on `on` ⟺ born after the same month and day `a` years before
        // (compared as text, as `age_on` compares months and days).
        let mut band = String::from("CAST(CASE");
        for (i, _) in band_ages.iter().enumerate() {
            band.push_str(&format!(" WHEN p.birth_date > ${} THEN {i}", i + 4));
        }
        band.push_str(&format!(" ELSE {} END AS BIGINT)", band_ages.len()));
        let sql = format!(
            "{} SELECT p.gender, p.ethnicity, p.kind, \
             CAST(CASE WHEN m.full_on IS NOT NULL AND m.full_on <= $1 THEN 1 ELSE 0 END AS BIGINT), COALESCE(m.exempt, 0), \
             CAST(CASE WHEN m.person_id IS NULL THEN 0 ELSE 1 END AS BIGINT), {band}, count(*) \
             FROM sub JOIN placement pl ON pl.org_id = sub.org_id JOIN person p ON p.id = pl.person_id \
             LEFT JOIN membership m ON m.person_id = p.id WHERE {} GROUP BY 1, 2, 3, 4, 5, 6, 7",
            subtree_cte(),
            valid_on("pl", 1),
        );
        let mut q = sqlx::query_as::<_, (String, String, String, i64, i64, i64, i64, i64)>(AssertSqlSafe(sql))
            .bind(d(on))
            .bind(lo)
            .bind(hi);
        for a in band_ages {
            q = q.bind(format!("{:04}-{:02}-{:02}", on.year() - a, on.month(), on.day()));
        }
        let t = "person";
        q.fetch_all(&mut *self.inner)
            .await?
            .into_iter()
            .map(|r| {
                Ok(FactsGroup {
                    gender: Gender::from_code(&r.0).ok_or_else(|| corrupt(t, "gender", &r.0))?,
                    ethnicity: Ethnicity::parse(&r.1).map_err(|_| corrupt(t, "ethnicity", &r.1))?,
                    kind: PersonKind::from_code(&r.2).ok_or_else(|| corrupt(t, "kind", &r.2))?,
                    full: r.3 == 1,
                    exempt: r.4 == 1,
                    enrolled: r.5 == 1,
                    band: r.6.max(0) as usize,
                    count: r.7.max(0) as u64,
                })
            })
            .collect()
    }

    /// Records a body of an organization for a term.
    pub async fn insert_body(&mut self, org: OrgId, kind: BodyKind, term: Term, size: i64) -> Result<BodyId> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO body (org_id, kind, term_ordinal, term_from, term_to, prescribed_size) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org.0)
        .bind(kind.code())
        .bind(i64::from(term.ordinal))
        .bind(i64::from(term.from_year))
        .bind(i64::from(term.to_year))
        .bind(size)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| unique(e, || format!("{} {}", kind.vi(), term.label_vi())))?;
        Ok(BodyId(id))
    }

    /// One body, by id.
    pub async fn body(&mut self, id: BodyId) -> Result<Option<BodyRow>> {
        Ok(self.body_rows("id = $1", id.0).await?.pop())
    }

    /// The bodies of an organization, newest term first.
    pub async fn bodies_of(&mut self, org: OrgId) -> Result<Vec<BodyRow>> {
        self.body_rows("org_id = $1", org.0).await
    }

    /// The bodies of an organization, newest term first, each with how many people hold
    /// a seat in it on `on` and how many ever did: one statement, for the organization's
    /// page (a province's committee has had a hundred seat-holders).
    pub async fn bodies_with_seats(&mut self, org: OrgId, on: Date) -> Result<Vec<(BodyRow, usize, usize)>> {
        let sql = format!(
            "SELECT b.id, b.org_id, b.kind, b.term_ordinal, b.term_from, b.term_to, b.prescribed_size, \
             (SELECT count(DISTINCT p.person_id) FROM position p WHERE p.body_id = b.id AND {}), \
             (SELECT count(DISTINCT p.person_id) FROM position p WHERE p.body_id = b.id) \
             FROM body b WHERE b.org_id = $1 ORDER BY b.term_ordinal DESC, b.id",
            valid_on("p", 2)
        );
        let rows: Vec<BodySeatsTuple> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.0)
            .bind(d(on))
            .fetch_all(&mut *self.inner)
            .await?;
        rows.into_iter()
            .map(|r| Ok((body((r.0, r.1, r.2, r.3, r.4, r.5, r.6))?, r.7 as usize, r.8 as usize)))
            .collect()
    }

    async fn body_rows(&mut self, cond: &str, id: i64) -> Result<Vec<BodyRow>> {
        let rows: Vec<BodyTuple> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT id, org_id, kind, term_ordinal, term_from, term_to, prescribed_size FROM body \
             WHERE {cond} ORDER BY term_ordinal DESC, id"
        )))
        .bind(id)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(body).collect()
    }

    /// Records a position.
    pub async fn insert_position(&mut self, p: &PositionRow) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO position (person_id, org_id, body_id, title, source, valid_from, valid_to, managed_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(p.person_id.0)
        .bind(p.org_id.0)
        .bind(p.body_id.map(|b| b.0))
        .bind(p.title.as_str())
        .bind(p.source.code())
        .bind(d(p.validity.from))
        .bind(p.validity.to.map(d))
        .bind(p.managed_by.map(|o| o.0))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    async fn position_rows(&mut self, cond: &str, id: i64) -> Result<Vec<PositionRow>> {
        let sql = format!(
            "SELECT id, person_id, org_id, body_id, title, source, valid_from, valid_to, managed_by FROM position \
             WHERE {cond} ORDER BY valid_from, id"
        );
        let rows: Vec<PositionTuple> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&mut *self.inner)
            .await?;
        let t = "position";
        rows.into_iter()
            .map(|r| {
                Ok(PositionRow {
                    id: r.0,
                    person_id: PersonId(r.1),
                    org_id: OrgId(r.2),
                    body_id: r.3.map(BodyId),
                    title: Title::parse(&r.4).map_err(|_| corrupt(t, "title", &r.4))?,
                    source: PositionSource::from_code(&r.5).ok_or_else(|| corrupt(t, "source", &r.5))?,
                    validity: Validity {
                        from: date(t, "valid_from", &r.6)?,
                        to: opt_date(t, "valid_to", r.7.as_deref())?,
                    },
                    managed_by: r.8.map(OrgId),
                })
            })
            .collect()
    }

    /// A person's positions, oldest first.
    pub async fn positions_of(&mut self, person: PersonId) -> Result<Vec<PositionRow>> {
        self.position_rows("person_id = $1", person.0).await
    }

    /// The positions held in a body, oldest first.
    pub async fn positions_in_body(&mut self, body: BodyId) -> Result<Vec<PositionRow>> {
        self.position_rows("body_id = $1", body.0).await
    }

    /// Recomputes every person's sort and search keys from the stored name (after an
    /// update of the collation data changed how keys are made).
    pub async fn recompute_name_keys(&mut self) -> Result<usize> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, full_name FROM person")
            .fetch_all(&mut *self.inner)
            .await?;
        for (id, full) in &rows {
            let n = PersonName::parse(full).map_err(|_| corrupt("person", "full_name", full))?;
            sqlx::query(
                "UPDATE person SET sort_key = $1, search_name = $2, search_given = $3, search_rest = $5 WHERE id = $4",
            )
            .bind(n.sort_key())
            .bind(n.search_key())
            .bind(dangbo_domain::name::fold(n.given()))
            .bind(*id)
            .bind(search_rest(&n.search_key()))
            .execute(&mut *self.inner)
            .await?;
        }
        sqlx::query("UPDATE roster SET sort_key = (SELECT p.sort_key FROM person p WHERE p.id = roster.person_id)")
            .execute(&mut *self.inner)
            .await?;
        Ok(rows.len())
    }

    /// Overwrites every stored key with a wrong one; only for tests of
    /// [`Tx::recompute_name_keys`].
    #[doc(hidden)]
    pub async fn scramble_name_keys_for_tests(&mut self) -> Result<()> {
        sqlx::query("UPDATE person SET sort_key = $1, search_name = 'x', search_given = 'x', search_rest = 'x'")
            .bind(vec![0u8])
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The number of people recorded.
    pub async fn person_count(&mut self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM person")
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n)
    }
}

/// A body's columns: id, org_id, kind, term_ordinal, term_from, term_to, prescribed_size.
type BodyTuple = (i64, i64, String, i64, i64, i64, i64);

/// A body's columns, then its seat-holders on the day and ever.
type BodySeatsTuple = (i64, i64, String, i64, i64, i64, i64, i64, i64);

fn body(r: BodyTuple) -> Result<BodyRow> {
    let term = Term::new(r.3 as u16, r.4 as i16, r.5 as i16)
        .map_err(|_| corrupt("body", "term", format!("{} {}-{}", r.3, r.4, r.5)))?;
    Ok(BodyRow {
        id: BodyId(r.0),
        org_id: OrgId(r.1),
        kind: BodyKind::from_code(&r.2).ok_or_else(|| corrupt("body", "kind", &r.2))?,
        term,
        prescribed_size: r.6,
    })
}
