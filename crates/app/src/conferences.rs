//! Conferences: creating and copying them, their tree of connection points, checking
//! people in (in batches, idempotently, counted once), head counts and amendments, the
//! live figures and the closing summary in the seeds' words.

use crate::access::{Action, Caller, Role, scope_roots, within};
use crate::signing::Signer;
use crate::{App, AppError, Result};
use dangbo_domain::date::{parse_date, short};
use dangbo_domain::member::{CardNumber, PersonId, PersonKind};
use dangbo_domain::number::{headline, percent_cut, thousands, two_digits};
use dangbo_domain::org::{OrgCode, OrgId, OrgPath};
use dangbo_domain::{Date, Invalid, Lang};
use dangbo_store::{
    AgendaRow, AmendmentRow, CheckinOutcome, CheckinRequest, CheckinStatus, ConferenceRow, Invitation, PointRow,
};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};

/// The kinds of conference.
pub const KINDS: &[(&str, &str, &str)] = &[
    ("dissemination", "Hội nghị phổ biến, quán triệt", "Dissemination"),
    ("key_cadre", "Hội nghị cán bộ chủ chốt", "Key-cadre conference"),
    ("executive", "Hội nghị Ban Chấp hành", "Executive committee"),
    ("standing", "Hội nghị Ban Thường vụ", "Standing committee"),
    ("study", "Hội nghị học tập", "Study session"),
];

/// The formats of a conference.
pub const FORMATS: &[(&str, &str, &str)] = &[
    ("in_person", "Trực tiếp", "In person"),
    ("online", "Trực tuyến", "Online"),
    ("hybrid", "Trực tiếp kết hợp trực tuyến", "In person and online"),
];

/// The statuses of a conference, in order.
pub const CONFERENCE_STATUSES: &[(&str, &str, &str)] = &[
    ("planned", "Đã lên kế hoạch", "Planned"),
    ("open", "Đang diễn ra", "Under way"),
    ("closed", "Đã kết thúc", "Closed"),
];

/// The statuses of a point, in order.
pub const POINT_STATUSES: &[(&str, &str, &str)] = &[
    ("registered", "Đã đăng ký", "Registered"),
    ("tested", "Đã kiểm tra kết nối", "Tested"),
    ("live", "Đang kết nối", "Live"),
    ("closed", "Đã kết thúc", "Closed"),
];

/// The categories of participant.
pub const CATEGORIES: [PersonKind; 3] = [PersonKind::Member, PersonKind::Outstanding, PersonKind::Guest];

/// The label of a code in one of the tables above.
pub fn label(table: &[(&str, &'static str, &'static str)], code: &str, lang: Lang) -> &'static str {
    table
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or("", |(_, vi, en)| lang.pick(vi, en))
}

/// A conference as typed in a form.
#[derive(Debug, Clone, Default)]
pub struct ConferenceInput {
    /// The organization running it.
    pub org: String,
    /// Kind code.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Who convenes it, in words.
    pub organizer: String,
    /// The day, `dd/mm/yyyy`.
    pub held_on: String,
    /// `HH:MM`.
    pub starts_at: String,
    /// Format code.
    pub format: String,
    /// Where.
    pub place: String,
    /// Numbers of the documents covered (`116-NQ/TU`), one per line or comma.
    pub documents: String,
    /// Agenda: one item per line, `topic | presenter`.
    pub agenda: String,
    /// Codes of invited subtrees, comma-separated (the running organization if empty).
    pub invited: String,
}

/// A connection point as typed in a form.
#[derive(Debug, Clone, Default)]
pub struct PointInput {
    /// The point it relays (none for the conference's first point).
    pub parent: Option<i64>,
    /// The host organization's code (empty: outside the tree, such as the national point).
    pub host: String,
    /// Name; made from the host's name when empty.
    pub name: String,
    /// Where.
    pub place: String,
    /// The operator's user name.
    pub operator: String,
    /// The head count expected.
    pub expected: String,
}

/// A conference with everything its page shows.
#[derive(Debug, Clone)]
pub struct ConferenceView {
    /// The conference.
    pub conf: ConferenceRow,
    /// The running organization's code and name.
    pub org: (OrgCode, String),
    /// The documents covered: id, number, title.
    pub documents: Vec<(i64, String, String)>,
    /// The agenda.
    pub agenda: Vec<AgendaRow>,
    /// Who is invited, in words.
    pub invited: Vec<String>,
    /// The points, in tree order, with their depth.
    pub points: Vec<(PointRow, usize)>,
}

/// The points of conferences whose figures were read, each with the stamp it was read
/// at ([`dangbo_store::Tx::point_stamp`]).
#[derive(Default)]
pub(crate) struct KeptPoints(std::sync::Mutex<HashMap<i64, Stamped>>);

/// A conference's points and the stamp they were read at.
type Stamped = ((i64, i64, i64), Arc<Vec<PointRow>>);

impl KeptPoints {
    /// The points of `conference`, read again only if their stamp has moved.
    async fn get(&self, tx: &mut dangbo_store::Tx, conference: i64) -> Result<Arc<Vec<PointRow>>> {
        let stamp = tx.point_stamp(conference).await?;
        if let Some((kept, points)) = self.lock().get(&conference)
            && *kept == stamp
        {
            return Ok(points.clone());
        }
        let points = Arc::new(tx.points(conference).await?);
        let mut kept = self.lock();
        // A nation holds a handful of conferences a year; past a few, start again.
        if kept.len() >= 16 {
            kept.clear();
        }
        kept.insert(conference, (stamp, points.clone()));
        Ok(points)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Stamped>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The figures of a conference as seen from an organization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Points registered.
    pub points: i64,
    /// Points that are live or have been.
    pub connected: i64,
    /// Whether the conference is held online (or both online and in person).
    pub online: bool,
    /// Points hosted by the viewpoint organization itself.
    pub own_points: i64,
    /// Points hosted by base organizations (or their cells) of the viewpoint's subtree.
    pub base_points: i64,
    /// Members.
    pub members: i64,
    /// Outstanding non-members.
    pub outstanding: i64,
    /// Guests.
    pub guests: i64,
    /// Base organizations that sent people.
    pub bases_sent: i64,
    /// Base organizations of the subtree.
    pub bases: i64,
    /// People checked in at two points (counted once).
    pub conflicts: i64,
    /// One row per child organization of the viewpoint.
    pub rows: Vec<FigureRow>,
}

/// The figures of one child subtree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FigureRow {
    /// The child's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its points.
    pub points: i64,
    /// People counted at them.
    pub total: i64,
    /// Base organizations of the child that sent people.
    pub bases_sent: i64,
    /// Base organizations of the child.
    pub bases: i64,
}

impl Figures {
    /// Everyone counted.
    pub fn total(&self) -> i64 {
        self.members + self.outstanding + self.guests
    }

    /// The share of base organizations that sent people, cut: `100%`.
    pub fn bases_share(&self) -> String {
        percent_cut(self.bases_sent as u64, self.bases as u64).unwrap_or_else(|| "—".into())
    }

    /// The closing summary in the seeds' words.
    pub fn summary(&self, org_name: &str, lang: Lang) -> Vec<String> {
        let total = self.total() as u64;
        let relayed = self.base_points as u64;
        let named = (self.members + self.outstanding) as u64;
        match lang {
            Lang::Vi => vec![
                if self.online {
                    format!(
                        "Hội nghị kết nối trực tuyến đến {} điểm cầu với sự tham gia của {} đại biểu.",
                        thousands(self.connected as u64),
                        headline(total, lang)
                    )
                } else {
                    format!("Hội nghị có sự tham gia của {} đại biểu.", headline(total, lang))
                },
                format!(
                    "{org_name} đã mở {} điểm cầu và chỉ đạo cấp ủy cơ sở mở {} điểm cầu tiếp sóng, với sự tham gia của {} đảng viên, quần chúng ưu tú; {} tổ chức cơ sở đảng đã cử cán bộ, đảng viên tham gia.",
                    two_digits(self.own_points as u64),
                    two_digits(relayed),
                    thousands(named),
                    self.bases_share()
                ),
            ],
            Lang::En => vec![
                if self.online {
                    format!(
                        "The conference connected {} points online, attended by {} delegates.",
                        self.connected,
                        headline(total, lang)
                    )
                } else {
                    format!("The conference was attended by {} delegates.", headline(total, lang))
                },
                format!(
                    "{org_name} opened {} point(s) and had base committees open {} relaying points, attended by {} members and outstanding non-members; {} of base organizations sent people.",
                    self.own_points,
                    relayed,
                    named,
                    self.bases_share()
                ),
            ],
        }
    }
}

fn no_conference(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có hội nghị số {id}"),
        what: format!("no conference number {id}"),
    }
}

fn no_point(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có điểm cầu số {id}"),
        what: format!("no connection point number {id}"),
    }
}

fn text(name: &str, v: &str, max: usize) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(AppError::field(name, Invalid::Missing));
    }
    if v.chars().count() > max {
        return Err(AppError::rejected(
            format!("{name}: dài quá {max} ký tự"),
            format!("{name}: longer than {max} characters"),
        ));
    }
    Ok(v.to_string())
}

/// An expected head count as typed: empty is 0.
fn expected_count(typed: &str) -> Result<i64> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(0);
    }
    t.parse().ok().filter(|n: &i64| *n >= 0).ok_or_else(|| {
        AppError::rejected(
            format!("Số người dự kiến «{t}» phải là số nguyên không âm"),
            format!("Expected head count «{t}» must be a whole number"),
        )
    })
}

/// The account named to operate a point, by sign-in name: empty is none.
async fn operator_account(tx: &mut dangbo_store::Tx, typed: &str) -> Result<Option<i64>> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let account = tx
        .account_by_username(t)
        .await?
        .ok_or_else(|| AppError::rejected(format!("Không có tài khoản «{t}»"), format!("No account «{t}»")))?;
    Ok(Some(account.id))
}

/// The most names an operator's list shows: a phone cannot scroll through more.
pub const ROSTER_MAX: usize = 500;

/// A join code no point has yet: 6 letters and digits a person can read and type on a
/// phone (32⁶, about a billion, so a retry is rare even with tens of thousands of points).
async fn fresh_join_code(tx: &mut dangbo_store::Tx) -> Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    loop {
        let bytes = crate::random_bytes::<6>()?;
        let code: String = bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        if tx.point_by_code(&code).await?.is_none() {
            return Ok(code);
        }
    }
}

impl App {
    /// The conference `id` if the caller may do `action` in the subtree of the
    /// organization running it, or in a part of that subtree (the bloc that relays the
    /// province's conference runs its own points); otherwise "not found".
    pub async fn conference_for(&self, caller: &Caller, id: i64, action: Action) -> Result<ConferenceRow> {
        Ok(self.conference_access(caller, id, action).await?.0)
    }

    /// The conference `id` if the caller may do `action` over the whole of it (close
    /// it, copy it, correct its attendance); otherwise "not found".
    pub async fn conference_owned(&self, caller: &Caller, id: i64, action: Action) -> Result<ConferenceRow> {
        match self.conference_access(caller, id, action).await? {
            (conf, view) if view == conf.org_id => Ok(conf),
            _ => Err(no_conference(id)),
        }
    }

    /// The conference and the organization the caller sees it from: the running
    /// organization for those whose scope holds it, else the caller's own part of it.
    pub async fn conference_access(&self, caller: &Caller, id: i64, action: Action) -> Result<(ConferenceRow, OrgId)> {
        let mut tx = self.db.read().await?;
        let conf = tx.conference(id).await?.ok_or_else(|| no_conference(id))?;
        if !caller.can(action) {
            return Err(no_conference(id));
        }
        let roots = scope_roots(&mut tx, caller, action, conf.held_on).await?;
        let org = tx
            .org_by_id(conf.org_id, conf.held_on)
            .await?
            .ok_or_else(|| no_conference(id))?;
        if within(&roots, &org.path) {
            return Ok((conf, org.id));
        }
        let part = roots
            .iter()
            .flatten()
            .find(|r| org.path.contains(&r.path))
            .map(|r| r.id)
            .ok_or_else(|| no_conference(id))?;
        Ok((conf, part))
    }

    /// The conferences the caller may see, newest first.
    pub async fn conferences_for(&self, caller: &Caller) -> Result<Vec<ConferenceRow>> {
        let mut out = Vec::new();
        if !caller.can(Action::Browse) {
            return Ok(out);
        }
        let all = self.db.read().await?.conferences().await?;
        for c in all {
            if self.conference_access(caller, c.id, Action::Browse).await.is_ok() {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The points of conferences not yet closed that the caller may operate (an operator's
    /// own points first among them), with their conference: what an operator opens.
    pub async fn points_for(&self, caller: &Caller) -> Result<Vec<(PointRow, ConferenceRow)>> {
        let mut out = Vec::new();
        if !caller.can(Action::Operate) {
            return Ok(out);
        }
        let all = self.db.read().await?.conferences().await?;
        for c in all.into_iter().filter(|c| c.status != "closed") {
            let points = self.db.read().await?.points(c.id).await?;
            for p in points.into_iter().filter(|p| p.status != "closed") {
                if let Ok(found) = self.point_for(caller, p.id).await {
                    out.push(found);
                }
            }
        }
        out.sort_by_key(|(p, c)| (p.operator_id != Some(caller.account_id), c.held_on, c.id, p.id));
        Ok(out)
    }

    /// Creates a conference with its documents, agenda and invitations.
    pub async fn create_conference(&self, caller: &Caller, input: &ConferenceInput) -> Result<i64> {
        // Where first: outside the caller's scope, nothing else is said.
        let code = OrgCode::parse(&input.org).map_err(|e| AppError::field("Tổ chức", e))?;
        let held_on = parse_date(&input.held_on);
        let org = self
            .org_for(
                caller,
                Action::Disseminate,
                &code,
                *held_on.as_ref().unwrap_or(&self.clock.today()),
            )
            .await?;
        let held_on = held_on.map_err(|e| AppError::field("Ngày", e))?;
        if !KINDS.iter().any(|(c, _, _)| *c == input.kind) {
            return Err(AppError::rejected(
                "Loại hội nghị không hợp lệ",
                "Unknown kind of conference",
            ));
        }
        if !FORMATS.iter().any(|(c, _, _)| *c == input.format) {
            return Err(AppError::rejected("Hình thức không hợp lệ", "Unknown format"));
        }
        let starts_at = input.starts_at.trim();
        let ok_time = starts_at.len() == 5
            && starts_at.as_bytes()[2] == b':'
            && starts_at[..2].parse::<u8>().is_ok_and(|h| h < 24)
            && starts_at[3..].parse::<u8>().is_ok_and(|m| m < 60);
        if !ok_time {
            return Err(AppError::rejected(
                format!("Giờ «{starts_at}» không hợp lệ: cần dạng giờ:phút, ví dụ 08:00"),
                format!("Time «{starts_at}» is not valid: write hours:minutes, e.g. 08:00"),
            ));
        }
        let title = text("Tên hội nghị", &input.title, 500)?;
        let organizer = if input.organizer.trim().is_empty() {
            org.name.to_string()
        } else {
            text("Cơ quan tổ chức", &input.organizer, 200)?
        };
        let mut tx = self.db.write().await?;
        let docs = crate::documents::by_numbers(&mut tx, &input.documents).await?;
        let mut agenda = Vec::new();
        for line in input.agenda.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (topic, presenter) = line.split_once('|').unwrap_or((line, ""));
            agenda.push(AgendaRow {
                topic: text("Nội dung", topic, 500)?,
                presenter: presenter.trim().to_string(),
            });
        }
        // Who is invited, one entry per word: `LS.CQD` (everyone of a subtree),
        // `BCH:LS.CQD` (a body of an organization, in its term of the conference's year),
        // `@<card number or citizen ID>` (one person).
        let mut invited = Vec::new();
        for c in input
            .invited
            .split([',', ' ', '\n', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if let Some(key) = c.strip_prefix('@') {
                let p = crate::members::find_in(&mut tx, key).await.map_err(AppError::typed)?;
                invited.push(Invitation::Person(p));
                continue;
            }
            let (body, c) = match c.split_once(':') {
                Some((kind, code)) => {
                    let kind = dangbo_domain::cadre::BodyKind::parse_text(kind).ok_or_else(|| {
                        AppError::rejected(
                            format!("Thành phần «{kind}:…»: cơ quan phải là BCH, BTV hoặc UBKT"),
                            format!("Invited «{kind}:…»: the body must be BCH, BTV or UBKT"),
                        )
                    })?;
                    (Some(kind), code)
                }
                None => (None, c),
            };
            let code = OrgCode::parse(c).map_err(|e| AppError::field("Thành phần", e))?;
            let o = crate::orgs::get(&mut tx, &code, held_on)
                .await
                .map_err(AppError::typed)?;
            match body {
                None => invited.push(Invitation::Subtree(o.id)),
                Some(kind) => {
                    let year = held_on.year();
                    let b = tx
                        .bodies_of(o.id)
                        .await?
                        .into_iter()
                        .find(|b| b.kind == kind && b.term.from_year <= year && year <= b.term.to_year)
                        .ok_or_else(|| {
                            AppError::rejected(
                                format!("{} chưa có {} nhiệm kỳ gồm năm {year}", o.name, kind.vi()),
                                format!("{} has no {} for a term including {year}", o.name, kind.en()),
                            )
                        })?;
                    invited.push(Invitation::Body(b.id.0));
                }
            }
        }
        if invited.is_empty() {
            invited.push(Invitation::Subtree(org.id));
        }
        let row = ConferenceRow {
            id: 0,
            org_id: org.id,
            kind: input.kind.clone(),
            title,
            organizer,
            held_on,
            starts_at: starts_at.to_string(),
            format: input.format.clone(),
            place: input.place.trim().to_string(),
            status: "planned".into(),
            copied_from: None,
        };
        let id = tx.insert_conference(&row, &self.clock.timestamp()).await?;
        tx.add_conference_documents(id, &docs).await?;
        tx.add_agenda(id, &agenda).await?;
        for inv in &invited {
            tx.add_invitation(id, inv).await?;
        }
        self.audit(
            &mut tx,
            "conference.create",
            &format!("conference:{id}"),
            &format!("{} ngày {}", row.title, short(held_on)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Copies a conference to a new day: its documents, agenda, invitations and the tree
    /// of points (with new join codes, registered again).
    pub async fn duplicate_conference(&self, caller: &Caller, id: i64, held_on: &str, title: &str) -> Result<i64> {
        let src = self.conference_owned(caller, id, Action::Disseminate).await?;
        let held_on = parse_date(held_on).map_err(|e| AppError::field("Ngày", e))?;
        let title = if title.trim().is_empty() {
            src.title.clone()
        } else {
            text("Tên hội nghị", title, 500)?
        };
        let mut tx = self.db.write().await?;
        let row = ConferenceRow {
            id: 0,
            title,
            held_on,
            status: "planned".into(),
            copied_from: Some(src.id),
            ..src.clone()
        };
        let new_id = tx.insert_conference(&row, &self.clock.timestamp()).await?;
        let docs = tx.conference_documents(src.id).await?;
        tx.add_conference_documents(new_id, &docs).await?;
        let agenda = tx.agenda(src.id).await?;
        tx.add_agenda(new_id, &agenda).await?;
        for inv in tx.invitations(src.id).await? {
            tx.add_invitation(new_id, &inv).await?;
        }
        let mut map: HashMap<i64, i64> = HashMap::new();
        let mut dropped: Vec<String> = Vec::new();
        // A point is copied once the point it relays has been.
        let mut pending = tx.points(src.id).await?;
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for p in pending {
                let parent = match p.parent_id {
                    None => None,
                    Some(par) => match map.get(&par) {
                        Some(n) => Some(*n),
                        None => {
                            rest.push(p);
                            continue;
                        }
                    },
                };
                // The host is placed in the tree as it stands on the new day: after a
                // reorganization its path and base organization may differ, or it may be gone.
                let (host_path, base_id) = match p.host_org_id {
                    None => (String::new(), None),
                    Some(host) => match tx.org_by_id(host, held_on).await? {
                        None => {
                            dropped.push(p.name.clone());
                            continue;
                        }
                        Some(o) => {
                            let base = tx.bases_of(&[host], held_on).await?.get(&host).copied().flatten();
                            (o.path.as_str().to_string(), base)
                        }
                    },
                };
                let copy = PointRow {
                    id: 0,
                    conference_id: new_id,
                    parent_id: parent,
                    host_path,
                    base_id,
                    status: "registered".into(),
                    join_code: fresh_join_code(&mut tx).await?,
                    connected: false,
                    ..p.clone()
                };
                let nid = tx.insert_point(&copy, &self.clock.timestamp()).await?;
                map.insert(p.id, nid);
            }
            if rest.len() == before {
                break;
            }
            pending = rest;
        }
        self.audit(
            &mut tx,
            "conference.duplicate",
            &format!("conference:{new_id}"),
            &if dropped.is_empty() {
                format!("từ hội nghị {} sang ngày {}", src.id, short(held_on))
            } else {
                format!(
                    "từ hội nghị {} sang ngày {}; không sao chép điểm cầu của đơn vị không còn vào ngày đó: {}",
                    src.id,
                    short(held_on),
                    dropped.join("; ")
                )
            },
        )
        .await?;
        tx.commit().await?;
        Ok(new_id)
    }

    /// A conference with its documents, agenda, invitations and points.
    pub async fn conference(&self, caller: &Caller, id: i64, lang: Lang) -> Result<ConferenceView> {
        let conf = self.conference_for(caller, id, Action::Browse).await?;
        let mut tx = self.db.read().await?;
        let org = tx
            .org_by_id(conf.org_id, conf.held_on)
            .await?
            .ok_or_else(|| no_conference(id))?;
        let doc_ids = tx.conference_documents(id).await?;
        let documents = tx
            .documents(Some(&doc_ids))
            .await?
            .into_iter()
            .map(|d| (d.id, d.number, d.title))
            .collect();
        let agenda = tx.agenda(id).await?;
        let mut invited = Vec::new();
        for inv in tx.invitations(id).await? {
            invited.push(match inv {
                Invitation::Subtree(o) => {
                    let name = tx
                        .org_by_id(o, conf.held_on)
                        .await?
                        .map(|v| v.name.to_string())
                        .unwrap_or_default();
                    match lang {
                        Lang::Vi => format!("Cán bộ, đảng viên {name}"),
                        Lang::En => format!("Cadres and members of {name}"),
                    }
                }
                Invitation::Body(b) => match tx.body(dangbo_domain::cadre::BodyId(b)).await? {
                    Some(body) => {
                        let org = tx
                            .org_by_id(body.org_id, conf.held_on)
                            .await?
                            .map(|v| v.name.to_string())
                            .unwrap_or_default();
                        format!("{} {org} {}", body.kind.label(lang), body.term.label_vi())
                    }
                    None => String::new(),
                },
                Invitation::Person(p) => tx
                    .person(p)
                    .await?
                    .map(|p| p.person.name.full().to_string())
                    .unwrap_or_default(),
            });
        }
        let points = tree_order(tx.points(id).await?);
        Ok(ConferenceView {
            conf,
            org: (org.code, org.name.to_string()),
            documents,
            agenda,
            invited,
            points,
        })
    }

    /// Adds a connection point relaying `input.parent`.
    pub async fn add_point(&self, caller: &Caller, conference: i64, input: &PointInput) -> Result<i64> {
        let conf = self.conference_for(caller, conference, Action::Disseminate).await?;
        let expected = expected_count(&input.expected)?;
        let mut tx = self.db.write().await?;
        let (host, host_path, base, default_name) = if input.host.trim().is_empty() {
            (None, String::new(), None, None)
        } else {
            let code = OrgCode::parse(&input.host).map_err(|e| AppError::field("Đơn vị chủ trì điểm cầu", e))?;
            let roots = scope_roots(&mut tx, caller, Action::Disseminate, conf.held_on).await?;
            let o = crate::orgs::get(&mut tx, &code, conf.held_on)
                .await
                .map_err(AppError::typed)?;
            if !within(&roots, &o.path) {
                return Err(AppError::no_org(code.as_str(), conf.held_on).typed());
            }
            let base = tx.bases_of(&[o.id], conf.held_on).await?.get(&o.id).copied().flatten();
            (Some(o.id), o.path.as_str().to_string(), base, Some(o.name.to_string()))
        };
        if let Some(parent) = input.parent {
            let p = tx.point(parent).await?.filter(|p| p.conference_id == conference);
            if p.is_none() {
                return Err(no_point(parent).typed());
            }
        }
        let name = if input.name.trim().is_empty() {
            default_name
                .map(|n| format!("Điểm cầu {n}"))
                .ok_or_else(|| AppError::field("Tên điểm cầu", Invalid::Missing))?
        } else {
            text("Tên điểm cầu", &input.name, 200)?
        };
        let operator = operator_account(&mut tx, &input.operator).await?;
        let row = PointRow {
            id: 0,
            conference_id: conference,
            parent_id: input.parent,
            host_org_id: host,
            host_path,
            base_id: base,
            name,
            place: input.place.trim().to_string(),
            operator_id: operator,
            expected,
            status: "registered".into(),
            join_code: fresh_join_code(&mut tx).await?,
            connected: false,
        };
        let id = tx
            .insert_point(&row, &self.clock.timestamp())
            .await
            .map_err(|e| match e {
                dangbo_store::StoreError::Duplicate(_) => AppError::rejected(
                    "Đơn vị này đã có điểm cầu trong hội nghị",
                    "This organization already has a point in the conference",
                ),
                e => e.into(),
            })?;
        self.audit(&mut tx, "point.create", &format!("conference:{conference}"), &row.name)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The sign-in name of a point's operator, for the point's page.
    pub async fn operator_name(&self, point: &PointRow) -> Result<Option<String>> {
        let Some(id) = point.operator_id else { return Ok(None) };
        let mut tx = self.db.read().await?;
        Ok(tx.account(id).await?.map(|a| a.username))
    }

    /// Sets where a point is, who operates it and how many are expected there (the
    /// points opened in bulk have none of these at first).
    pub async fn update_point(
        &self,
        caller: &Caller,
        id: i64,
        place: &str,
        operator: &str,
        expected: &str,
    ) -> Result<()> {
        // The office whose scope holds the point's host (or, for a point outside the
        // tree, the conference's organization).
        let point = {
            let mut tx = self.db.read().await?;
            let point = tx.point(id).await?.ok_or_else(|| no_point(id))?;
            let conf = tx.conference(point.conference_id).await?.ok_or_else(|| no_point(id))?;
            let path = match point.host_org_id {
                Some(o) => tx.org_by_id(o, conf.held_on).await?.map(|v| v.path),
                None => tx.org_by_id(conf.org_id, conf.held_on).await?.map(|v| v.path),
            };
            let roots = scope_roots(&mut tx, caller, Action::Disseminate, conf.held_on).await?;
            if !caller.can(Action::Disseminate) || !path.is_some_and(|p| within(&roots, &p)) {
                return Err(no_point(id));
            }
            point
        };
        let expected = expected_count(expected)?;
        let place = place.trim();
        if place.chars().count() > 300 {
            return Err(AppError::rejected(
                "Địa điểm: dài quá 300 ký tự",
                "Place: longer than 300 characters",
            ));
        }
        let mut tx = self.db.write().await?;
        let operator = operator_account(&mut tx, operator).await?;
        tx.update_point(id, place, operator, expected).await?;
        self.audit(
            &mut tx,
            "point.update",
            &format!("point:{id}"),
            &format!(
                "địa điểm «{}» → «{place}»; người vận hành {:?} → {operator:?}; dự kiến {} → {expected}",
                point.place, point.operator_id, point.expected
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens one point per base organization under `under`, each relaying `parent`
    /// (skipping bases that already have one). Returns how many were opened.
    pub async fn add_base_points(
        &self,
        caller: &Caller,
        conference: i64,
        under: &str,
        parent: Option<i64>,
    ) -> Result<usize> {
        let conf = self.conference_for(caller, conference, Action::Disseminate).await?;
        let code = OrgCode::parse(under).map_err(|e| AppError::field("Đơn vị", e))?;
        let root = self
            .org_for(caller, Action::Disseminate, &code, conf.held_on)
            .await
            .map_err(AppError::typed)?;
        let mut tx = self.db.write().await?;
        if let Some(p) = parent
            && tx.point(p).await?.filter(|p| p.conference_id == conference).is_none()
        {
            return Err(no_point(p).typed());
        }
        let existing: Vec<Option<OrgId>> = tx.points(conference).await?.iter().map(|p| p.host_org_id).collect();
        let mut n = 0;
        for (base, path) in tx.bases_under(&root.path, conf.held_on).await? {
            if existing.contains(&Some(base)) {
                continue;
            }
            let Some(o) = tx.org_by_id(base, conf.held_on).await? else {
                continue;
            };
            let row = PointRow {
                id: 0,
                conference_id: conference,
                parent_id: parent,
                host_org_id: Some(base),
                host_path: path,
                base_id: Some(base),
                name: format!("Điểm cầu {}", o.name),
                place: String::new(),
                operator_id: None,
                expected: 0,
                status: "registered".into(),
                join_code: fresh_join_code(&mut tx).await?,
                connected: false,
            };
            tx.insert_point(&row, &self.clock.timestamp()).await?;
            n += 1;
        }
        self.audit(
            &mut tx,
            "point.create_bases",
            &format!("conference:{conference}"),
            &format!("{n} điểm cầu cơ sở thuộc {}", root.code),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The point `id` if the caller may operate it: they are its operator, or hold a
    /// role that runs points in the subtree of its host (or of the conference's organization).
    pub async fn point_for(&self, caller: &Caller, id: i64) -> Result<(PointRow, ConferenceRow)> {
        let mut tx = self.db.read().await?;
        let point = tx.point(id).await?.ok_or_else(|| no_point(id))?;
        let conf = tx.conference(point.conference_id).await?.ok_or_else(|| no_point(id))?;
        if point.operator_id == Some(caller.account_id) && caller.has(Role::Operator) {
            return Ok((point, conf));
        }
        if caller.can(Action::Operate) {
            let roots = scope_roots(&mut tx, caller, Action::Operate, conf.held_on).await?;
            let path = match point.host_org_id {
                Some(o) => tx.org_by_id(o, conf.held_on).await?.map(|v| v.path),
                None => tx.org_by_id(conf.org_id, conf.held_on).await?.map(|v| v.path),
            };
            if path.is_some_and(|p| within(&roots, &p)) {
                return Ok((point, conf));
            }
        }
        Err(no_point(id))
    }

    /// Moves a point to another status (registered → tested → live → closed).
    pub async fn set_point_status(&self, caller: &Caller, id: i64, status: &str) -> Result<()> {
        let (point, conf) = self.point_for(caller, id).await?;
        if !POINT_STATUSES.iter().any(|(c, _, _)| *c == status) {
            return Err(AppError::rejected("Trạng thái không hợp lệ", "Unknown status"));
        }
        if conf.status == "closed" {
            return Err(closed());
        }
        let mut tx = self.db.write().await?;
        tx.set_point_status(id, status).await?;
        if status == "live" && conf.status == "planned" {
            tx.set_conference_status(conf.id, "open").await?;
        }
        self.audit(
            &mut tx,
            "point.status",
            &format!("conference:{}", conf.id),
            &format!("{}: {} → {status}", point.name, point.status),
        )
        .await?;
        tx.notify(LIVE_CHANNEL, &conf.id.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reports the head count of a category at a point where names are not taken (or
    /// corrects an earlier report: both are kept as amendments).
    pub async fn report_headcount(
        &self,
        caller: &Caller,
        point: i64,
        category: &str,
        n: &str,
        reason: &str,
    ) -> Result<()> {
        let (p, conf) = self.point_for(caller, point).await?;
        if conf.status == "closed" {
            return Err(closed());
        }
        let kind = PersonKind::from_code(category)
            .ok_or_else(|| AppError::rejected("Thành phần không hợp lệ", "Unknown category"))?;
        let n: i64 = n
            .trim()
            .parse()
            .ok()
            .filter(|n| (0..=1_000_000).contains(n))
            .ok_or_else(|| {
                AppError::rejected(
                    format!("Số người «{}» phải là số nguyên từ 0", n.trim()),
                    format!("Head count «{}» must be a whole number from 0", n.trim()),
                )
            })?;
        let mut tx = self.db.write().await?;
        let before = tx.set_headcount(conf.id, p.id, kind.code(), n).await?;
        if before != 0 && reason.trim().is_empty() {
            return Err(AppError::rejected(
                "Sửa số đã báo cần ghi lý do",
                "Changing a reported count needs a reason",
            ));
        }
        tx.insert_amendment(
            conf.id,
            &AmendmentRow {
                point_id: Some(p.id),
                person_id: None,
                action: "headcount".into(),
                category: Some(kind.code().into()),
                before: before.to_string(),
                after: n.to_string(),
                reason: reason.trim().to_string(),
                at: self.clock.timestamp(),
                by: self.actor.clone(),
            },
        )
        .await?;
        tx.refresh_bases_sent(conf.id).await?;
        self.audit(
            &mut tx,
            "attendance.headcount",
            &format!("conference:{}", conf.id),
            &format!("{}: {} {before} → {n}", p.name, kind.vi()),
        )
        .await?;
        tx.notify(LIVE_CHANNEL, &conf.id.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a person's attendance back, with a reason kept as an amendment; study
    /// credited by the conference is taken back too.
    pub async fn remove_attendance(
        &self,
        caller: &Caller,
        conference: i64,
        person: PersonId,
        reason: &str,
    ) -> Result<()> {
        let conf = self.conference_owned(caller, conference, Action::Disseminate).await?;
        let reason = text("Lý do", reason, 500)?;
        let mut tx = self.db.write().await?;
        let Some((point, category)) = tx.remove_attendee(conference, person).await? else {
            return Err(AppError::rejected(
                "Người này chưa được điểm danh tại hội nghị",
                "This person was not checked in at the conference",
            ));
        };
        tx.insert_amendment(
            conference,
            &AmendmentRow {
                point_id: Some(point),
                person_id: Some(person),
                action: "remove".into(),
                category: Some(category),
                before: "1".into(),
                after: "0".into(),
                reason: reason.clone(),
                at: self.clock.timestamp(),
                by: self.actor.clone(),
            },
        )
        .await?;
        tx.refresh_bases_sent(conference).await?;
        // Only this person's line of each campaign's counts moves, not the whole tally.
        for campaign in tx.campaigns_of_conference(conference).await? {
            if tx.revoke_conference_study(campaign, conference, person).await? {
                tx.bump_campaign_tally(campaign, person, -1).await?;
            }
        }
        self.audit(
            &mut tx,
            "attendance.remove",
            &format!("person:{}", person.0),
            &format!("hội nghị {}: {reason}", conf.id),
        )
        .await?;
        tx.notify(LIVE_CHANNEL, &conference.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes a conference and all its points; attending it now counts as studying in
    /// the campaigns linked to it.
    pub async fn close_conference(&self, caller: &Caller, id: i64) -> Result<()> {
        let conf = self.conference_owned(caller, id, Action::Disseminate).await?;
        let mut tx = self.db.write().await?;
        for p in tx.points(id).await? {
            if p.status != "closed" {
                tx.set_point_status(p.id, "closed").await?;
            }
        }
        tx.set_conference_status(id, "closed").await?;
        for campaign in tx.campaigns_of_conference(id).await? {
            if let Some(c) = tx.campaign(campaign).await?
                && let Some(root) = tx.org_by_id(c.org_id, c.starts_on).await?
            {
                tx.apply_conference_study(campaign, id, conf.held_on).await?;
                tx.rebuild_campaign_tally(campaign, &root.path).await?;
            }
        }
        self.audit(&mut tx, "conference.close", &format!("conference:{id}"), &conf.title)
            .await?;
        tx.notify(LIVE_CHANNEL, &id.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The figures of a conference seen from one organization of the tree (the running
    /// organization when `None`): points, participants by category, totals by child
    /// subtree, and the share of base organizations that sent people.
    pub async fn figures(&self, conference: i64, viewpoint: Option<OrgId>) -> Result<Figures> {
        let mut tx = self.db.read().await?;
        let conf = tx
            .conference(conference)
            .await?
            .ok_or_else(|| no_conference(conference))?;
        let on = conf.held_on;
        let root = tx
            .org_by_id(viewpoint.unwrap_or(conf.org_id), on)
            .await?
            .ok_or_else(|| no_conference(conference))?;
        let (lo, hi) = root.path.subtree_range();
        let inside = |p: &str| p >= lo.as_str() && p < hi.as_str();
        let is_top = viewpoint.is_none_or(|v| v == conf.org_id);
        // The points change rarely and a nation has 31,000: they are kept, and read
        // again only when their stamp moves; the running totals are read each time.
        let all_points = self.points.get(&mut tx, conference).await?;
        let points: Vec<&PointRow> = all_points
            .iter()
            .filter(|p| inside(&p.host_path) || (is_top && p.host_path.is_empty()))
            .collect();
        let mut f = Figures {
            points: points.len() as i64,
            connected: points.iter().filter(|p| p.connected).count() as i64,
            online: conf.format != "in_person",
            own_points: points.iter().filter(|p| p.host_org_id == Some(root.id)).count() as i64,
            base_points: points
                .iter()
                .filter(|p| p.base_id.is_some() && p.host_org_id != Some(root.id))
                .count() as i64,
            ..Figures::default()
        };
        let children = tx.org_children(root.id, on).await?;
        let mut rows: Vec<FigureRow> = children
            .iter()
            .map(|c| FigureRow {
                code: c.code.to_string(),
                name: c.name.to_string(),
                ..FigureRow::default()
            })
            .collect();
        // A path below the viewpoint names the child it lies under at the next depth.
        let child_at: HashMap<&str, usize> = children
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.path.as_str().split('/').nth(root.path.depth() + 1).map(|id| (id, i)))
            .collect();
        let child_of = |path: &str| {
            path.split('/')
                .nth(root.path.depth() + 1)
                .and_then(|id| child_at.get(id).copied())
        };
        for p in &points {
            if let Some(i) = child_of(&p.host_path) {
                rows[i].points += 1;
            }
        }
        // The totals under each child, under the viewpoint, and (at the top) at points
        // hosted by no organization, summed by the database.
        let mut ranges: Vec<(String, String)> = children.iter().map(|c| c.path.subtree_range()).collect();
        ranges.push((lo.clone(), hi.clone()));
        if is_top {
            ranges.push((String::new(), "/".into()));
        }
        for (i, members, outstanding, guests) in tx.totals_under(conference, &ranges).await? {
            match rows.get_mut(i as usize) {
                Some(row) => row.total += members + outstanding + guests,
                None => {
                    f.members += members;
                    f.outstanding += outstanding;
                    f.guests += guests;
                }
            }
        }
        // The base organizations expected to send people: those of the invited
        // subtrees within the viewpoint (all of the viewpoint's if none is named).
        let mut scopes: Vec<OrgPath> = Vec::new();
        for inv in tx.invitations(conference).await? {
            if let Invitation::Subtree(o) = inv
                && let Some(v) = tx.org_by_id(o, on).await?
            {
                if v.path.contains(&root.path) {
                    scopes.push(root.path.clone());
                } else if root.path.contains(&v.path) {
                    scopes.push(v.path);
                }
            }
        }
        if scopes.is_empty() {
            scopes.push(root.path.clone());
        }
        let all: Vec<OrgPath> = scopes.clone();
        scopes.retain(|p| !all.iter().any(|q| q != p && q.contains(p)));
        scopes.dedup();
        let sent = tx.bases_sent(conference).await?;
        f.conflicts = tx.conflict_count(conference).await?;
        drop(tx);
        // The bases under a subtree change with the registry, not with check-ins: they
        // are kept with its head counts (a nation has 55,000).
        for scope in &scopes {
            let summary = self.summary_of(scope, on).await?;
            for (base, path) in &summary.bases {
                f.bases += 1;
                let yes = sent.contains(base);
                f.bases_sent += i64::from(yes);
                if let Some(i) = child_of(path) {
                    rows[i].bases += 1;
                    rows[i].bases_sent += i64::from(yes);
                }
            }
        }
        rows.retain(|r| r.points > 0 || r.bases > 0 || r.total > 0);
        f.rows = rows;
        Ok(f)
    }

    /// A signed key for the device of a point's operator, valid until the end of the
    /// day after the conference: check-ins sent with it need no database read to be
    /// authorized.
    pub async fn point_key(&self, caller: &Caller, point: i64, signer: &Signer) -> Result<String> {
        let (p, conf) = self.point_for(caller, point).await?;
        let until = conf
            .held_on
            .checked_add(jiff::Span::new().days(2))
            .unwrap_or(conf.held_on);
        Ok(signer.sign(
            &format!(
                "p{}.c{}.a{}.u{}",
                p.id,
                conf.id,
                caller.account_id,
                dangbo_domain::date::iso(until)
            ),
            32,
        ))
    }

    /// Checks a member in with a point's join code, from their own phone.
    pub async fn self_checkin(
        &self,
        caller: &Caller,
        join_code: &str,
        live: &Live,
    ) -> Result<(CheckinOutcome, PointRow)> {
        let Some(person) = caller.person else {
            return Err(AppError::rejected(
                "Tài khoản này không gắn với đảng viên nào",
                "This account is not linked to a member",
            ));
        };
        let code = join_code.trim().to_uppercase();
        let mut tx = self.db.read().await?;
        let point = tx.point_by_code(&code).await?.ok_or_else(|| {
            AppError::rejected(
                format!("Không có điểm cầu mã «{code}»"),
                format!("No connection point with code «{code}»"),
            )
        })?;
        drop(tx);
        if point.status != "live" {
            return Err(AppError::rejected(
                "Điểm cầu này chưa mở hoặc đã kết thúc điểm danh",
                "This point is not open for check-in",
            ));
        }
        // One request per member and point: pressing again at the same point is a resend,
        // while checking in at a second point is a request of its own, shown as a conflict.
        let request_id = format!("self-{}-{}-{}", point.conference_id, point.id, person.0);
        let outcome = live
            .checkin(
                point.conference_id,
                vec![CheckinRequest {
                    request_id,
                    point_id: point.id,
                    code: String::new(),
                    person: Some(person),
                    method: "self".into(),
                    by_account: Some(caller.account_id),
                }],
            )
            .await?
            .pop()
            .ok_or_else(|| AppError::rejected("Không ghi được", "Not recorded"))?;
        Ok((outcome, point))
    }

    /// The people of a point's host subtree (for ticking off names), and who of them is
    /// already counted: at most [`ROSTER_MAX`] names, with `true` when there are more
    /// (the others are checked in by card number or QR). Viewing it is audited.
    pub async fn roster(
        &self,
        point: &PointRow,
        on: Date,
    ) -> Result<(Vec<(PersonId, String, Option<String>, bool)>, bool)> {
        let mut tx = self.db.read().await?;
        let Some(path) = OrgPath::parse(&point.host_path) else {
            return Ok((Vec::new(), false));
        };
        let here: std::collections::HashSet<PersonId> = tx
            .attendees_at(point.id)
            .await?
            .into_iter()
            .map(|(p, _, _)| p)
            .collect();
        let mut people = tx.roster(&path, on, ROSTER_MAX as i64 + 1).await?;
        drop(tx);
        let more = people.len() > ROSTER_MAX;
        people.truncate(ROSTER_MAX);
        self.audit_read(
            "point.roster",
            &format!("point:{}", point.id),
            &format!("{} người", people.len()),
        )
        .await?;
        let list = people
            .into_iter()
            .map(|(p, n, c)| {
                let done = here.contains(&p);
                (p, n, c, done)
            })
            .collect();
        Ok((list, more))
    }

    /// The running totals of one point (the caller has been checked by [`App::point_for`]).
    pub async fn point_tallies(&self, point: i64) -> Result<Vec<dangbo_store::TallyRow>> {
        let mut tx = self.db.read().await?;
        let p = tx.point(point).await?.ok_or_else(|| no_point(point))?;
        Ok(tx
            .tallies(p.conference_id)
            .await?
            .into_iter()
            .filter(|t| t.point_id == point)
            .collect())
    }

    /// The amendments of a conference and the double check-ins it has seen.
    pub async fn attendance_log(
        &self,
        caller: &Caller,
        conference: i64,
    ) -> Result<(Vec<AmendmentRow>, Vec<(PersonId, String, i64, i64)>)> {
        self.conference_for(caller, conference, Action::Browse).await?;
        let mut tx = self.db.read().await?;
        Ok((tx.amendments(conference).await?, tx.conflicts(conference).await?))
    }
}

fn closed() -> AppError {
    AppError::rejected(
        "Hội nghị đã kết thúc: chỉ sửa điểm danh bằng đính chính có lý do",
        "The conference is closed: attendance is corrected only by an amendment with a reason",
    )
}

/// What became of a check-in, for the operator: a stable code (`counted`, `already`,
/// `conflict`, `unknown`, `closed`) and a sentence.
pub fn describe(o: &CheckinOutcome, lang: Lang) -> (&'static str, String) {
    let who = o.person.as_ref().map(|(_, n)| n.as_str()).unwrap_or_default();
    match o.status {
        CheckinStatus::Counted => ("counted", format!("{who}: {}", lang.pick("đã điểm danh", "checked in"))),
        CheckinStatus::Already => (
            "already",
            format!(
                "{who}: {}",
                lang.pick("đã điểm danh tại điểm cầu này", "already checked in here")
            ),
        ),
        CheckinStatus::Conflict(p) => (
            "conflict",
            format!(
                "{who}: {} {p}",
                lang.pick(
                    "đã được tính tại điểm cầu khác, số",
                    "already counted at another point, number"
                )
            ),
        ),
        CheckinStatus::Unknown => (
            "unknown",
            lang.pick("Mã không tìm thấy trong danh sách", "No one has this code")
                .into(),
        ),
        CheckinStatus::Closed => (
            "closed",
            lang.pick(
                "Điểm cầu hoặc hội nghị đã kết thúc: không ghi nhận",
                "The point or the conference is closed: not recorded",
            )
            .into(),
        ),
    }
}

/// Points in tree order (each after the point it relays), with their depth.
pub fn tree_order(points: Vec<PointRow>) -> Vec<(PointRow, usize)> {
    let ids: std::collections::HashSet<i64> = points.iter().map(|p| p.id).collect();
    let mut children: HashMap<Option<i64>, Vec<&PointRow>> = HashMap::new();
    for p in &points {
        let parent = p.parent_id.filter(|id| ids.contains(id));
        children.entry(parent).or_default().push(p);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(&PointRow, usize)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|p| (*p, 0)).collect())
        .unwrap_or_default();
    while let Some((p, depth)) = stack.pop() {
        out.push((p.clone(), depth));
        if let Some(kids) = children.get(&Some(p.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

/// The channel on which instances sharing a PostgreSQL database tell each other that a
/// conference's figures changed.
pub const LIVE_CHANNEL: &str = "dangbo_live";

/// A batch of check-ins waiting for the writer, with where to send the answers.
struct Job {
    conference: i64,
    requests: Vec<CheckinRequest>,
    /// The answers once committed, or `Err` when the batch was not written (the device sends again).
    reply: oneshot::Sender<std::result::Result<Vec<CheckinOutcome>, ()>>,
}

/// The live side of conferences: one writer that commits check-ins in batches (many
/// requests share one transaction; each is answered only once it is committed), and the
/// events that tell live pages to refresh, from this instance and, on PostgreSQL, from
/// every other one.
#[derive(Clone)]
pub struct Live {
    jobs: mpsc::Sender<Job>,
    events: broadcast::Sender<i64>,
    /// Signs point keys and person codes.
    pub signer: Arc<Signer>,
}

impl Live {
    /// Starts the writer (and, on PostgreSQL, the listener) on the current runtime.
    pub async fn start(app: App) -> Result<Live> {
        let secret = {
            let mut tx = app.db.write().await?;
            let mut fresh = [0u8; 32];
            let _ = getrandom::fill(&mut fresh);
            let s = tx.meta_or_insert("signing_secret", &crate::hex(&fresh)).await?;
            tx.commit().await?;
            s
        };
        let (jobs, rx) = mpsc::channel::<Job>(65_536);
        let (events, _) = broadcast::channel(1024);
        tokio::spawn(writer(app.clone(), rx, events.clone()));
        let ev = events.clone();
        let db = app.db.clone();
        tokio::spawn(async move {
            db.listen(LIVE_CHANNEL, move |payload| {
                if let Ok(id) = payload.parse() {
                    let _ = ev.send(id);
                }
            })
            .await;
        });
        Ok(Live {
            jobs,
            events,
            signer: Arc::new(Signer::new(&secret)),
        })
    }

    /// Records check-ins of one conference; returns once they are committed.
    pub async fn checkin(&self, conference: i64, requests: Vec<CheckinRequest>) -> Result<Vec<CheckinOutcome>> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                conference,
                requests,
                reply,
            })
            .await
            .map_err(|_| AppError::rejected("Máy chủ đang dừng", "The server is stopping"))?;
        match answer.await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(())) | Err(_) => Err(AppError::rejected(
                "Chưa ghi được, hãy gửi lại",
                "Not recorded, send again",
            )),
        }
    }

    /// Events: the id of a conference whose figures changed.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.events.subscribe()
    }

    /// Tells this instance's live pages that a conference changed (the use cases that
    /// change attendance outside the writer call this; other instances hear it through
    /// the database).
    pub fn changed(&self, conference: i64) {
        let _ = self.events.send(conference);
    }

    /// Reads a point key made by [`App::point_key`]: the point, conference and account,
    /// if the signature holds and it has not expired on `today`.
    pub fn point_key(&self, key: &str, today: Date) -> Option<(i64, i64, i64)> {
        let msg = self.signer.verify(key, 32)?;
        let mut parts = msg.split('.');
        let point = parts.next()?.strip_prefix('p')?.parse().ok()?;
        let conf = parts.next()?.strip_prefix('c')?.parse().ok()?;
        let account = parts.next()?.strip_prefix('a')?.parse().ok()?;
        let until = dangbo_domain::date::parse_iso(parts.next()?.strip_prefix('u')?)?;
        (today <= until).then_some((point, conf, account))
    }

    /// The code printed as a QR on a person's sheet or card.
    pub fn person_code(&self, person: PersonId) -> String {
        person_code(&self.signer, person)
    }

    /// What a scanned or typed code names (see [`read_code`]).
    pub fn read_code(&self, code: &str) -> Option<(Option<PersonId>, String)> {
        read_code(&self.signer, code)
    }
}

/// The code printed as a QR on a person's sheet or card: `dangbo:p:<id>.<mac>`.
pub fn person_code(signer: &Signer, person: PersonId) -> String {
    format!("dangbo:{}", signer.sign(&format!("p:{}", person.0), 12))
}

/// What a scanned or typed code names: a person (from a QR signed by `signer`), or a
/// party card number to look up. `None` for a code that is neither.
pub fn read_code(signer: &Signer, code: &str) -> Option<(Option<PersonId>, String)> {
    let code = code.trim();
    if let Some(rest) = code.strip_prefix("dangbo:") {
        let msg = signer.verify(rest, 12)?;
        let id = msg.strip_prefix("p:")?.parse().ok()?;
        return Some((Some(PersonId(id)), String::new()));
    }
    CardNumber::parse(code).ok().map(|c| (None, c.as_str().to_string()))
}

/// Takes jobs as they come, up to a few thousand requests at a time, and commits each
/// batch in one transaction before answering it.
async fn writer(app: App, mut rx: mpsc::Receiver<Job>, events: broadcast::Sender<i64>) {
    const MAX: usize = 4000;
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut n = jobs[0].requests.len();
        while n < MAX {
            match rx.try_recv() {
                Ok(j) => {
                    n += j.requests.len();
                    jobs.push(j);
                }
                Err(_) => break,
            }
        }
        match write_batch(&app, &jobs).await {
            Ok(mut answers) => {
                let mut touched: Vec<i64> = jobs.iter().map(|j| j.conference).collect();
                touched.dedup();
                for job in jobs.into_iter().rev() {
                    let out = answers.pop().unwrap_or_default();
                    let _ = job.reply.send(Ok(out));
                }
                for c in touched {
                    let _ = events.send(c);
                }
            }
            Err(e) => {
                // The detail goes to the log only; the devices are told to send again.
                tracing::error!(error = %e.message(Lang::En), requests = n, "a batch of check-ins was not written");
                for job in jobs {
                    let _ = job.reply.send(Err(()));
                }
            }
        }
    }
}

async fn write_batch(app: &App, jobs: &[Job]) -> Result<Vec<Vec<CheckinOutcome>>> {
    let mut tx = app.db.write().await?;
    let at = app.clock.timestamp();
    let mut by_conf: Vec<(i64, Vec<usize>)> = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        match by_conf.iter_mut().find(|(c, _)| *c == j.conference) {
            Some((_, v)) => v.push(i),
            None => by_conf.push((j.conference, vec![i])),
        }
    }
    let mut answers: Vec<Vec<CheckinOutcome>> = vec![Vec::new(); jobs.len()];
    for (conf, idx) in by_conf {
        // Read each time: another instance may have closed the conference or a point.
        let c = tx.conference(conf).await?.ok_or_else(|| no_conference(conf))?;
        let on = c.held_on;
        let all: Vec<CheckinRequest> = idx.iter().flat_map(|i| jobs[*i].requests.iter().cloned()).collect();
        let mut points: Vec<i64> = all.iter().map(|r| r.point_id).collect();
        points.sort_unstable();
        points.dedup();
        let statuses = tx.point_statuses(&points).await?;
        let open =
            |r: &CheckinRequest| c.status != "closed" && statuses.get(&r.point_id).is_some_and(|s| s != "closed");
        let requests: Vec<CheckinRequest> = all.iter().filter(|r| open(r)).cloned().collect();
        let cards: Vec<&str> = requests
            .iter()
            .filter(|r| r.person.is_none() && !r.code.is_empty())
            .map(|r| r.code.as_str())
            .collect();
        let ids: Vec<PersonId> = requests.iter().filter_map(|r| r.person).collect();
        let (people, facts) = tx.resolve_attendees(&cards, &ids, on).await?;
        let orgs: Vec<OrgId> = facts
            .values()
            .filter_map(|(_, _, o)| *o)
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .collect();
        let bases = tx.bases_of(&orgs, on).await?;
        let recorded = tx
            .record_checkins(conf, &at, &requests, &people, &facts, &bases)
            .await?;
        // One audit line per account that sent check-ins in this batch, under its name.
        let mut by_account: std::collections::BTreeMap<Option<i64>, (usize, usize)> = Default::default();
        for (r, o) in requests.iter().zip(&recorded) {
            let e = by_account.entry(r.by_account).or_default();
            e.0 += 1;
            if o.status == CheckinStatus::Counted {
                e.1 += 1;
            }
        }
        let mut lines = Vec::with_capacity(by_account.len());
        for (account, (sent, counted)) in by_account {
            let actor = match account {
                Some(id) => match tx.account(id).await? {
                    Some(a) => format!("user:{}", a.username),
                    None => format!("account:{id}"),
                },
                None => app.actor.clone(),
            };
            lines.push(dangbo_store::AuditLine {
                at: at.clone(),
                actor,
                action: "attendance.checkin".into(),
                subject: format!("conference:{conf}"),
                detail: format!("{sent} lượt điểm danh, {counted} người được tính"),
            });
        }
        tx.audit_lines(&lines).await?;
        if !requests.is_empty() {
            tx.notify(LIVE_CHANNEL, &conf.to_string()).await?;
        }
        let mut recorded = recorded.into_iter();
        let mut out = all.iter().map(|r| {
            if open(r) {
                recorded.next().unwrap_or(CheckinOutcome {
                    request_id: r.request_id.clone(),
                    status: CheckinStatus::Unknown,
                    person: None,
                })
            } else {
                CheckinOutcome {
                    request_id: r.request_id.clone(),
                    status: CheckinStatus::Closed,
                    person: None,
                }
            }
        });
        for i in idx {
            answers[i] = out.by_ref().take(jobs[i].requests.len()).collect();
        }
    }
    tx.commit().await?;
    Ok(answers)
}
