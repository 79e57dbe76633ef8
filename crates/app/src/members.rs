//! Member use cases: find, show (audited: it is personal data), add, transfer between
//! organizations (chuyển sinh hoạt), and the statistics of a subtree.

use crate::orgs::get;
use crate::{App, AppError, Result};
use dangbo_domain::Date;
use dangbo_domain::date::short;
use dangbo_domain::member::{CardNumber, CitizenId, PersonId, PersonKind, PersonRecord};
use dangbo_domain::name::fold;
use dangbo_domain::org::{OrgCode, OrgName};
use dangbo_store::{
    MemberFilter, MemberView, MembershipRow, NewPerson, PersonRow, PlacementRow, PositionRow, Total, Tx,
};

/// A person with their history.
#[derive(Debug, Clone)]
pub struct MemberDetail {
    /// The record.
    pub row: PersonRow,
    /// Where they were placed, oldest first, with the organization's name at the start.
    pub placements: Vec<(PlacementRow, OrgName)>,
    /// Positions held, oldest first, with the organization's name at the start.
    pub positions: Vec<(PositionRow, Option<OrgName>)>,
}

/// Head counts of a subtree on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberStats {
    /// Party members.
    pub members: u64,
    /// Of whom full members.
    pub full: u64,
    /// Of whom probationary.
    pub probationary: u64,
    /// Of whom exempted from activities.
    pub exempt: u64,
    /// Of whom women.
    pub women: u64,
    /// Non-members placed here (outstanding non-members and guests).
    pub non_members: u64,
    /// Members by ethnic group, largest first.
    pub by_ethnicity: Vec<(String, u64)>,
    /// Members by age band: under 30, 30–39, 40–49, 50–59, 60 and over.
    pub by_age: [u64; 5],
}

/// The ages at which the bands of [`MemberStats::by_age`] after the first begin.
pub const AGE_BAND_STARTS: [i16; 4] = [30, 40, 50, 60];

/// The labels of [`MemberStats::by_age`], one more than [`AGE_BAND_STARTS`].
pub const AGE_BANDS: [(&str, &str); 5] = [
    ("Dưới 30", "Under 30"),
    ("30–39", "30–39"),
    ("40–49", "40–49"),
    ("50–59", "50–59"),
    ("Từ 60", "60 and over"),
];

impl App {
    /// Finds a person by party card number or citizen ID.
    pub async fn find_person(&self, key: &str) -> Result<PersonId> {
        let mut tx = self.db.read().await?;
        find_in(&mut tx, key).await
    }

    /// A person, found by party card number or citizen ID, with their placements and
    /// positions. Viewing personal data is audited.
    pub async fn member_detail(&self, key: &str) -> Result<MemberDetail> {
        let id = self.find_person(key).await?;
        self.member_detail_by_id(id).await
    }

    /// A person with their placements and positions. Viewing personal data is audited.
    pub async fn member_detail_by_id(&self, id: PersonId) -> Result<MemberDetail> {
        let mut tx = self.db.read().await?;
        let row = tx.person(id).await?.ok_or_else(|| AppError::no_person(id))?;
        let mut placements = Vec::new();
        for p in tx.placements_of(id).await? {
            let name = org_name_at(&mut tx, &p.org_code, p.validity.from).await?;
            placements.push((p, name));
        }
        let mut positions = Vec::new();
        for p in tx.positions_of(id).await? {
            let name = tx.org_by_id(p.org_id, p.validity.from).await?.map(|v| v.name);
            positions.push((p, name));
        }
        drop(tx);
        self.audit_read("member.view", &format!("person:{}", id.0), "").await?;
        Ok(MemberDetail {
            row,
            placements,
            positions,
        })
    }

    /// A page of the people under `org` (or anywhere) on `on` whose name matches `query`
    /// (diacritics and case ignored; a full name, or the start of the given name or of any
    /// word; empty for everyone). The search is audited.
    pub async fn search_members(
        &self,
        org: Option<&OrgCode>,
        on: Date,
        query: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<MemberView>, Total)> {
        let q = fold(query);
        if q.is_empty() && !query.trim().is_empty() {
            return Err(AppError::rejected(
                format!("«{}» không có chữ hay số nào để tìm", query.trim()),
                format!("«{}» has no letters or digits to search for", query.trim()),
            ));
        }
        let mut tx = self.db.read().await?;
        let subtree = match org {
            Some(code) => Some(get(&mut tx, code, on).await?.path),
            None => None,
        };
        let filter = MemberFilter {
            subtree,
            on,
            query: (!q.is_empty()).then_some(q),
            kind: None,
            gender: None,
            status: None,
            ethnicity: None,
            limit,
            offset,
            after: None,
            before: None,
        };
        drop(tx);
        let found = self.find_members(&filter).await?;
        // A list of names with ages and ethnicities is personal data: who looked is kept.
        let scope = org.map_or_else(|| "org:*".to_string(), |c| format!("org:{c}"));
        self.audit_read(
            "member.search",
            &scope,
            &format!("«{query}» ngày {}: {} người, từ {offset}", short(on), found.1.n),
        )
        .await?;
        Ok(found)
    }

    /// A page of the member list for `filter`, whose subtree the caller has already been
    /// allowed to see; `label` names it in the audit log. Lists of names are personal
    /// data, so each page served is audited.
    pub async fn list_members(&self, filter: &MemberFilter, label: &str) -> Result<(Vec<MemberView>, Total)> {
        let found = self.find_members(filter).await?;
        self.audit_read(
            "member.list",
            label,
            &format!(
                "«{}» ngày {}: {} người",
                filter.query.as_deref().unwrap_or_default(),
                short(filter.on),
                found.1.n
            ),
        )
        .await?;
        Ok(found)
    }

    /// Records a new person placed in cell `org` from `on`.
    pub async fn add_member(&self, rec: &PersonRecord, org: &OrgCode, on: Date) -> Result<PersonId> {
        self.not_future(on)?;
        let problems = rec.check(self.clock.today());
        if let Some((field, source)) = problems.into_iter().next() {
            return Err(AppError::Invalid {
                field: field.header(dangbo_domain::Lang::Vi).into(),
                source,
            });
        }
        let mut tx = self.db.write().await?;
        let cell = get(&mut tx, org, on).await?;
        require_cell(&cell)?;
        if let Some(card) = &rec.card_number
            && tx.person_by_card(card).await?.is_some()
        {
            return Err(duplicate("số thẻ đảng viên", "party card number", card.as_str()));
        }
        if let Some(cid) = &rec.citizen_id
            && tx.person_by_citizen_id(cid).await?.is_some()
        {
            return Err(duplicate("số CCCD", "citizen ID", cid.as_str()));
        }
        let (person, membership) = split_record(rec);
        let id = tx.insert_person(&person).await?;
        if let Some(m) = &membership {
            tx.upsert_memberships(&[(id, m)]).await?;
        }
        tx.insert_placements(&[(id, cell.id, on, "admission")]).await?;
        self.audit(
            &mut tx,
            "member.add",
            &format!("person:{}", id.0),
            &format!("→ {org} ({})", short(on)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Transfers a person to cell `to` from `on` (chuyển sinh hoạt đảng), keeping the
    /// old placement in the history.
    pub async fn transfer_member(&self, key: &str, to: &OrgCode, on: Date) -> Result<()> {
        self.not_future(on)?;
        let mut tx = self.db.write().await?;
        let id = find_in(&mut tx, key).await?;
        let target = get(&mut tx, to, on).await?;
        require_cell(&target)?;
        crate::orgs::ensure_lasting(&mut tx, &target, on).await?;
        let Some(current) = tx.open_placement(id).await? else {
            return Err(AppError::rejected(
                "Người này hiện không sinh hoạt ở tổ chức nào",
                "This person is not placed in any organization now",
            ));
        };
        if current.org_id == target.id {
            return Err(AppError::rejected(
                format!("Đảng viên đã sinh hoạt tại «{}»", target.name),
                format!("The member is already placed in «{}»", target.name),
            ));
        }
        if on < current.validity.from {
            return Err(AppError::rejected(
                format!(
                    "Ngày chuyển {} trước ngày bắt đầu sinh hoạt hiện tại {}",
                    short(on),
                    short(current.validity.from)
                ),
                format!(
                    "Transfer date {} is before the current placement began on {}",
                    short(on),
                    short(current.validity.from)
                ),
            ));
        }
        tx.end_placements(&[current.id], on).await?;
        tx.insert_placements(&[(id, target.id, on, "transfer")]).await?;
        self.audit(
            &mut tx,
            "member.transfer",
            &format!("person:{}", id.0),
            &format!("{} → {} ({})", current.org_code, to, short(on)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who viewed or changed the record of `person`, newest first (at most `limit`
    /// lines): (when, account, what), from the audit log. Shown to the member on their
    /// own record; their own views are left out.
    pub async fn record_views(
        &self,
        person: PersonId,
        own: &str,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>> {
        let mut tx = self.db.read().await?;
        let own = format!("user:{own}");
        let mut lines: Vec<(String, String, String)> = tx
            .audit_for(&format!("person:{}", person.0))
            .await?
            .into_iter()
            .filter(|(_, actor, _, _)| *actor != own)
            .map(|(at, actor, action, _)| {
                let who = actor.split_once(':').map_or(actor.as_str(), |(_, n)| n).to_string();
                (at, who, action)
            })
            .collect();
        lines.reverse();
        lines.truncate(limit);
        Ok(lines)
    }

    /// A page of the people matching `filter` and how many match: counted from the
    /// subtree's summary when it answers, which over a province saves reading a hundred
    /// thousand placements a page.
    async fn find_members(&self, filter: &MemberFilter) -> Result<(Vec<MemberView>, Total)> {
        let known = match &filter.subtree {
            Some(path) if filter.query.is_none() => self.summary_of(path, filter.on).await?.count(filter),
            _ => None,
        };
        let mut tx = self.db.read().await?;
        let total = match known {
            Some(n) => Total::exact(n),
            None => tx.member_count(filter).await?,
        };
        Ok((tx.member_page(filter, total).await?, total))
    }

    /// Head counts of the subtree of `org` on `on`.
    pub async fn member_stats(&self, org: &OrgCode, on: Date) -> Result<MemberStats> {
        Ok(self.summary(org, on).await?.stats())
    }
}

pub(crate) async fn find_in(tx: &mut Tx, key: &str) -> Result<PersonId> {
    if let Ok(card) = CardNumber::parse(key)
        && let Some(id) = tx.person_by_card(&card).await?
    {
        return Ok(id);
    }
    if let Ok(cid) = CitizenId::parse(key)
        && let Some(id) = tx.person_by_citizen_id(&cid).await?
    {
        return Ok(id);
    }
    Err(AppError::no_member(key.trim()))
}

async fn org_name_at(tx: &mut Tx, code: &OrgCode, on: Date) -> Result<OrgName> {
    match tx.org_by_code(code, on).await? {
        Some(v) => Ok(v.name),
        None => Ok(tx
            .org_history(code)
            .await?
            .into_iter()
            .next_back()
            .map(|v| v.name)
            .ok_or_else(|| AppError::no_org(code.as_str(), on))?),
    }
}

pub(crate) fn require_cell(org: &dangbo_store::OrgVersion) -> Result<()> {
    if org.kind.is_cell() {
        return Ok(());
    }
    Err(AppError::rejected(
        format!(
            "«{}» là {}, không phải chi bộ: đảng viên sinh hoạt tại chi bộ",
            org.name,
            org.kind.vi().to_lowercase()
        ),
        format!(
            "«{}» is a {}, not a cell: members are placed in cells",
            org.name,
            org.kind.en().to_lowercase()
        ),
    ))
}

fn duplicate(vi: &str, en: &str, value: &str) -> AppError {
    AppError::rejected(
        format!("Đã có người mang {vi} {value}"),
        format!("Someone already has {en} {value}"),
    )
}

/// Splits a checked record into the person and, for members, the membership.
pub(crate) fn split_record(rec: &PersonRecord) -> (NewPerson, Option<MembershipRow>) {
    let person = NewPerson {
        kind: rec.kind,
        name: rec.name.clone(),
        gender: rec.gender,
        birth_date: rec.birth_date,
        ethnicity: rec.ethnicity,
        citizen_id: rec.citizen_id.clone(),
        phone: rec.phone.clone(),
    };
    let membership = match (rec.kind, rec.admitted_on) {
        (PersonKind::Member, Some(admitted_on)) => Some(MembershipRow {
            card_number: rec.card_number.clone(),
            admitted_on,
            full_on: rec.full_on,
            exempt: rec.exempt,
        }),
        _ => None,
    };
    (person, membership)
}

/// The record of a stored person, as an edit form shows it.
pub fn record_of(row: &PersonRow) -> PersonRecord {
    let m = row.membership.as_ref();
    PersonRecord {
        kind: row.person.kind,
        name: row.person.name.clone(),
        gender: row.person.gender,
        birth_date: row.person.birth_date,
        ethnicity: row.person.ethnicity,
        citizen_id: row.person.citizen_id.clone(),
        card_number: m.and_then(|m| m.card_number.clone()),
        admitted_on: m.map(|m| m.admitted_on),
        full_on: m.and_then(|m| m.full_on),
        exempt: m.is_some_and(|m| m.exempt),
        phone: row.person.phone.clone(),
    }
}

/// The fields of a record as text, for the audit log's before and after.
fn field_texts(rec: &PersonRecord) -> Vec<(&'static str, String)> {
    let opt = |d: Option<Date>| d.map(short).unwrap_or_default();
    vec![
        ("đối tượng", rec.kind.vi().to_string()),
        ("họ tên", rec.name.to_string()),
        ("giới tính", rec.gender.vi().to_string()),
        ("ngày sinh", short(rec.birth_date)),
        ("dân tộc", rec.ethnicity.name().to_string()),
        (
            "CCCD",
            rec.citizen_id
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            "số thẻ",
            rec.card_number
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
        ("ngày vào Đảng", opt(rec.admitted_on)),
        ("ngày chính thức", opt(rec.full_on)),
        ("miễn sinh hoạt", if rec.exempt { "có" } else { "không" }.to_string()),
        (
            "điện thoại",
            rec.phone.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
        ),
    ]
}

impl App {
    /// Corrects a person's record. The audit line keeps each changed field before and after.
    pub async fn update_member(&self, id: PersonId, rec: &PersonRecord) -> Result<()> {
        if let Some((field, source)) = rec.check(self.clock.today()).into_iter().next() {
            return Err(AppError::Invalid {
                field: field.header(dangbo_domain::Lang::Vi).into(),
                source,
            });
        }
        let mut tx = self.db.write().await?;
        let old = tx.person(id).await?.ok_or_else(|| AppError::no_person(id))?;
        if let Some(card) = &rec.card_number
            && tx.person_by_card(card).await?.is_some_and(|p| p != id)
        {
            return Err(duplicate("số thẻ đảng viên", "party card number", card.as_str()));
        }
        if let Some(cid) = &rec.citizen_id
            && tx.person_by_citizen_id(cid).await?.is_some_and(|p| p != id)
        {
            return Err(duplicate("số CCCD", "citizen ID", cid.as_str()));
        }
        let before = field_texts(&record_of(&old));
        let after = field_texts(rec);
        let changes: Vec<String> = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| b.1 != a.1)
            .map(|(b, a)| format!("{}: «{}» → «{}»", b.0, b.1, a.1))
            .collect();
        if changes.is_empty() {
            return Ok(());
        }
        let (person, membership) = split_record(rec);
        tx.update_person(id, &person, Some(&old.person.name)).await?;
        if let Some(m) = &membership {
            tx.upsert_memberships(&[(id, m)]).await?;
        }
        self.audit(&mut tx, "member.edit", &format!("person:{}", id.0), &changes.join("; "))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
