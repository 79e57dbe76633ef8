//! Study campaigns (đợt học tập, quán triệt): who is in scope, how each member studied,
//! coverage by organization, make-up sessions, self-study and learning reports.

use crate::access::{Action, Caller, scope_roots, within};
use crate::{App, AppError, Result};
use dangbo_domain::date::{parse_date, short};
use dangbo_domain::member::PersonId;
use dangbo_domain::number::{percent_cut, thousands};
use dangbo_domain::org::{OrgCode, OrgId, OrgPath};
use dangbo_domain::{Date, Invalid, Lang};
use dangbo_store::{CampaignRow, Coverage, MakeupRow, ReportRow, StudyRow};

/// The learning reports of a subtree, as its page shows them.
#[derive(Debug, Clone)]
pub struct ReportsView {
    /// The campaign.
    pub campaign: CampaignRow,
    /// The organization whose subtree is shown: code and name.
    pub org: (OrgCode, String),
    /// The reports submitted.
    pub reports: Vec<ReportRow>,
    /// The members in scope who have submitted none.
    pub missing: Vec<StudyRow>,
    /// The figures of each organization directly under it.
    pub by_org: Vec<ReportLine>,
}

/// The learning-report figures of one organization's subtree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportLine {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Members in the campaign's scope.
    pub members: usize,
    /// Reports submitted.
    pub submitted: usize,
    /// Reports assessed.
    pub assessed: usize,
}

/// The grades offered when a campaign names none.
pub const DEFAULT_GRADES: [&str; 4] = ["Tốt", "Khá", "Đạt", "Chưa đạt"];

/// A campaign as typed in a form.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    /// The root organization's code.
    pub org: String,
    /// Title.
    pub title: String,
    /// First day, `dd/mm/yyyy`.
    pub starts_on: String,
    /// Deadline.
    pub ends_on: String,
    /// Learning reports' deadline (empty: no reports asked).
    pub report_due: String,
    /// Whether exempted members count in the denominator.
    pub exempt_counted: bool,
    /// Grades, best first, comma-separated (empty: the default scale).
    pub grades: String,
    /// Document numbers, comma-separated.
    pub documents: String,
    /// Conference ids whose attendance counts as studying, comma-separated.
    pub conferences: String,
}

/// Coverage with its share, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageLine {
    /// The organization's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The counts.
    pub coverage: Coverage,
    /// Members who count in the denominator.
    pub denominator: i64,
    /// Members who studied and count.
    pub numerator: i64,
}

impl CoverageLine {
    pub(crate) fn new(code: String, name: String, c: Coverage, exempt_counted: bool) -> CoverageLine {
        let (den, num) = if exempt_counted {
            (c.members, c.studied)
        } else {
            (c.members - c.exempt, c.studied - c.studied_exempt)
        };
        CoverageLine {
            code,
            name,
            coverage: c,
            denominator: den,
            numerator: num,
        }
    }

    /// The share, cut: `75%`.
    pub fn share(&self) -> String {
        percent_cut(self.numerator as u64, self.denominator as u64).unwrap_or_else(|| "—".into())
    }

    /// The share in whole percent, for charts.
    pub fn percent(&self) -> u64 {
        if self.denominator == 0 {
            0
        } else {
            (self.numerator * 100 / self.denominator) as u64
        }
    }

    /// The seeds' sentence: "3.252 đảng viên (tỷ lệ 75%) được nghiên cứu, học tập".
    pub fn sentence(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => format!(
                "{} có {} đảng viên (tỷ lệ {}) được nghiên cứu, học tập",
                self.name,
                thousands(self.numerator as u64),
                self.share()
            ),
            Lang::En => format!(
                "{} has {} members ({}) who have studied",
                self.name,
                self.numerator,
                self.share()
            ),
        }
    }
}

/// A campaign's page: the campaign, its coverage and the rows below it.
#[derive(Debug, Clone)]
pub struct CampaignView {
    /// The campaign.
    pub campaign: CampaignRow,
    /// The organization shown.
    pub org: (OrgId, OrgCode, String, OrgPath),
    /// Its coverage.
    pub total: CoverageLine,
    /// Its children's.
    pub rows: Vec<CoverageLine>,
    /// Documents: id, number, title.
    pub documents: Vec<(i64, String, String)>,
    /// Linked conferences: id, title, day.
    pub conferences: Vec<(i64, String, Date)>,
    /// Make-up sessions held in the subtree.
    pub makeups: Vec<(MakeupRow, String)>,
}

fn no_campaign(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có đợt học tập số {id}"),
        what: format!("no study campaign number {id}"),
    }
}

impl App {
    /// The campaign `id` if `caller` may do `action` in its subtree (or in the part
    /// below `org` they ask about); otherwise "not found".
    pub async fn campaign_for(&self, caller: &Caller, id: i64, action: Action) -> Result<CampaignRow> {
        let mut tx = self.db.read().await?;
        let c = tx.campaign(id).await?.ok_or_else(|| no_campaign(id))?;
        if !caller.can(action) {
            return Err(no_campaign(id));
        }
        let roots = scope_roots(&mut tx, caller, action, c.starts_on).await?;
        let root = tx
            .org_by_id(c.org_id, c.starts_on)
            .await?
            .ok_or_else(|| no_campaign(id))?;
        // Within the caller's scope, or the caller's scope lies within the campaign's.
        let ok = within(&roots, &root.path)
            || roots
                .as_ref()
                .is_some_and(|rs| rs.iter().any(|r| root.path.contains(&r.path)));
        if ok { Ok(c) } else { Err(no_campaign(id)) }
    }

    /// Creates a campaign and counts the members in its scope on its first day.
    pub async fn create_campaign(&self, caller: &Caller, input: &CampaignInput) -> Result<i64> {
        // Where first: outside the caller's scope, nothing else is said.
        let code = OrgCode::parse(&input.org).map_err(|e| AppError::field("Tổ chức", e))?;
        let starts_on = parse_date(&input.starts_on);
        let org = self
            .org_for(
                caller,
                Action::Disseminate,
                &code,
                *starts_on.as_ref().unwrap_or(&self.clock.today()),
            )
            .await?;
        let starts_on = starts_on.map_err(|e| AppError::field("Từ ngày", e))?;
        let ends_on = parse_date(&input.ends_on).map_err(|e| AppError::field("Hạn hoàn thành", e))?;
        if ends_on < starts_on {
            return Err(AppError::rejected(
                "Hạn hoàn thành ở trước ngày bắt đầu",
                "The deadline is before the first day",
            ));
        }
        let report_due = if input.report_due.trim().is_empty() {
            None
        } else {
            Some(parse_date(&input.report_due).map_err(|e| AppError::field("Hạn nộp bài thu hoạch", e))?)
        };
        let title = input.title.trim();
        if title.is_empty() {
            return Err(AppError::field("Tên đợt học tập", Invalid::Missing));
        }
        let grades: Vec<String> = if input.grades.trim().is_empty() {
            DEFAULT_GRADES.iter().map(|g| g.to_string()).collect()
        } else {
            input
                .grades
                .split([',', '|'])
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty())
                .collect()
        };
        let mut tx = self.db.write().await?;
        let docs = crate::documents::by_numbers(&mut tx, &input.documents).await?;
        let mut confs = Vec::new();
        for c in input
            .conferences
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let id: i64 = c.parse().map_err(|_| {
                AppError::rejected(
                    format!("Số hội nghị «{c}» không hợp lệ"),
                    format!("Conference number «{c}» is not valid"),
                )
            })?;
            drop(tx);
            self.conference_for(caller, id, Action::Disseminate)
                .await
                .map_err(AppError::typed)?;
            tx = self.db.write().await?;
            confs.push(id);
        }
        let row = CampaignRow {
            id: 0,
            org_id: org.id,
            title: title.to_string(),
            starts_on,
            ends_on,
            report_due,
            exempt_counted: input.exempt_counted,
            grades,
        };
        let id = tx.insert_campaign(&row, &self.clock.timestamp()).await?;
        tx.add_campaign_documents(id, &docs).await?;
        let n = tx.refresh_campaign_members(id, &org.path, starts_on).await?;
        for conf in &confs {
            tx.link_campaign_conference(id, *conf).await?;
            if let Some(c) = tx.conference(*conf).await?
                && c.status == "closed"
            {
                tx.apply_conference_study(id, *conf, c.held_on).await?;
            }
        }
        tx.rebuild_campaign_tally(id, &org.path).await?;
        self.audit(
            &mut tx,
            "campaign.create",
            &format!("campaign:{id}"),
            &format!(
                "{} ({} – {}), {n} đảng viên",
                row.title,
                short(starts_on),
                short(ends_on)
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Links a conference to a campaign; if it is closed, its attendance counts at once.
    pub async fn link_conference(&self, caller: &Caller, campaign: i64, conference: i64) -> Result<()> {
        let c = self.campaign_for(caller, campaign, Action::Disseminate).await?;
        let conf = self.conference_for(caller, conference, Action::Disseminate).await?;
        let mut tx = self.db.write().await?;
        tx.link_campaign_conference(campaign, conference).await?;
        if conf.status == "closed" {
            tx.apply_conference_study(campaign, conference, conf.held_on).await?;
            if let Some(root) = tx.org_by_id(c.org_id, c.starts_on).await? {
                tx.rebuild_campaign_tally(campaign, &root.path).await?;
            }
        }
        self.audit(
            &mut tx,
            "campaign.link",
            &format!("campaign:{campaign}"),
            &format!("hội nghị {conference}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The campaigns the caller may see.
    pub async fn campaigns_for(&self, caller: &Caller) -> Result<Vec<CampaignRow>> {
        let all = {
            let mut tx = self.db.read().await?;
            tx.campaigns().await?
        };
        let mut out = Vec::new();
        for c in all {
            if self.campaign_for(caller, c.id, Action::Browse).await.is_ok() {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// A campaign seen from an organization of its scope (its root when `None`).
    pub async fn campaign(&self, caller: &Caller, id: i64, at: Option<&OrgCode>) -> Result<CampaignView> {
        let c = self.campaign_for(caller, id, Action::Browse).await?;
        let on = c.starts_on;
        let mut tx = self.db.read().await?;
        let roots = scope_roots(&mut tx, caller, Action::Browse, on).await?;
        let root = tx.org_by_id(c.org_id, on).await?.ok_or_else(|| no_campaign(id))?;
        let org = match at {
            Some(code) => crate::orgs::get(&mut tx, code, on).await?,
            None if within(&roots, &root.path) => root.clone(),
            // Someone whose scope lies below the campaign's root sees their own part.
            None => roots
                .iter()
                .flatten()
                .find(|r| root.path.contains(&r.path))
                .cloned()
                .ok_or_else(|| no_campaign(id))?,
        };
        if !within(&roots, &org.path) || !root.path.contains(&org.path) {
            return Err(AppError::no_org(org.code.as_str(), on));
        }
        let zero = Coverage {
            org_id: org.id,
            members: 0,
            exempt: 0,
            studied: 0,
            studied_exempt: 0,
        };
        let total = CoverageLine::new(
            org.code.to_string(),
            org.name.to_string(),
            tx.coverage(id, org.id).await?.unwrap_or(zero),
            c.exempt_counted,
        );
        let mut rows = Vec::new();
        for child in tx.org_children(org.id, on).await? {
            if let Some(cov) = tx.coverage(id, child.id).await? {
                rows.push(CoverageLine::new(
                    child.code.to_string(),
                    child.name.to_string(),
                    cov,
                    c.exempt_counted,
                ));
            }
        }
        let doc_ids = tx.campaign_documents(id).await?;
        let documents = tx
            .documents(Some(&doc_ids))
            .await?
            .into_iter()
            .map(|d| (d.id, d.number, d.title))
            .collect();
        let mut conferences = Vec::new();
        for conf in tx.campaign_conferences(id).await? {
            if let Some(row) = tx.conference(conf).await? {
                conferences.push((row.id, row.title, row.held_on));
            }
        }
        let mut makeups = Vec::new();
        for m in tx.makeups(id).await? {
            if let Some(o) = tx.org_by_id(m.org_id, on).await?
                && org.path.contains(&o.path)
            {
                makeups.push((m, o.name.to_string()));
            }
        }
        Ok(CampaignView {
            campaign: c,
            org: (org.id, org.code, org.name.to_string(), org.path),
            total,
            rows,
            documents,
            conferences,
            makeups,
        })
    }

    /// The members of a subtree in a campaign, with how each studied (`pending_only`:
    /// those who have not). Personal data: the view is audited.
    pub async fn study_list(
        &self,
        caller: &Caller,
        id: i64,
        org: &OrgCode,
        pending_only: bool,
    ) -> Result<Vec<StudyRow>> {
        let c = self.campaign_for(caller, id, Action::ViewMembers).await?;
        let o = self.org_for(caller, Action::ViewMembers, org, c.starts_on).await?;
        let rows = {
            let mut tx = self.db.read().await?;
            tx.study_list(id, &o.path, pending_only).await?
        };
        self.audit_read(
            "campaign.list",
            &format!("campaign:{id}"),
            &format!("{} ({} người)", o.code, rows.len()),
        )
        .await?;
        Ok(rows)
    }

    /// Records a make-up session of an organization (usually a cell) for the members
    /// chosen. Held today or before: each of them has now studied. On a day to come: it is
    /// scheduled, and they study once [`App::hold_makeup`] says who came.
    pub async fn record_makeup(
        &self,
        caller: &Caller,
        id: i64,
        org: &OrgCode,
        held_on: &str,
        place: &str,
        people: &[PersonId],
    ) -> Result<i64> {
        let c = self.campaign_for(caller, id, Action::Study).await?;
        let held_on = parse_date(held_on).map_err(|e| AppError::field("Ngày học bù", e))?;
        let held = held_on <= self.clock.today();
        if held_on < c.starts_on {
            return Err(AppError::rejected(
                "Buổi học bù ở trước ngày bắt đầu đợt học tập",
                "The make-up session is before the campaign starts",
            ));
        }
        let o = self.org_for(caller, Action::Study, org, c.starts_on).await?;
        if people.is_empty() {
            return Err(AppError::rejected(
                "Chọn ít nhất một đảng viên đã dự buổi học bù",
                "Choose at least one member who attended",
            ));
        }
        let mut tx = self.db.write().await?;
        for p in people {
            let in_scope = tx
                .campaign_member_path(id, *p)
                .await?
                .and_then(|path| OrgPath::parse(&path))
                .is_some_and(|path| o.path.contains(&path));
            if !in_scope {
                return Err(AppError::rejected(
                    format!("Người số {} không thuộc {} trong đợt học tập này", p.0, o.name),
                    format!("Person {} is not in {} for this campaign", p.0, o.name),
                ));
            }
        }
        let session = tx
            .insert_makeup(
                id,
                &MakeupRow {
                    id: 0,
                    org_id: o.id,
                    held_on,
                    place: place.trim().to_string(),
                    note: String::new(),
                    attendees: 0,
                    held,
                },
                &self.clock.timestamp(),
            )
            .await?;
        let mut newly = 0;
        for p in people {
            tx.add_makeup_attendee(session, *p).await?;
            if held && tx.mark_studied(id, *p, "makeup", held_on, Some(session)).await? == Some(true) {
                tx.bump_campaign_tally(id, *p, 1).await?;
                newly += 1;
            }
        }
        let detail = if held {
            format!(
                "{} ngày {}: {} người dự, {newly} người mới học",
                o.code,
                short(held_on),
                people.len()
            )
        } else {
            format!("{} lên lịch ngày {}: {} người", o.code, short(held_on), people.len())
        };
        self.audit(&mut tx, "campaign.makeup", &format!("campaign:{id}"), &detail)
            .await?;
        tx.commit().await?;
        Ok(session)
    }

    /// Records that a scheduled make-up session was held, with who of those expected
    /// came: each of them has now studied.
    pub async fn hold_makeup(&self, caller: &Caller, id: i64, session: i64, present: &[PersonId]) -> Result<()> {
        let c = self.campaign_for(caller, id, Action::Study).await?;
        let mut tx = self.db.write().await?;
        let no_session = || AppError::NotFound {
            vi: format!("Không có buổi học bù số {session}"),
            what: format!("no make-up session number {session}"),
        };
        let m = tx
            .makeups(id)
            .await?
            .into_iter()
            .find(|m| m.id == session)
            .ok_or_else(no_session)?;
        let o = tx.org_by_id(m.org_id, c.starts_on).await?.ok_or_else(no_session)?;
        let roots = scope_roots(&mut tx, caller, Action::Study, c.starts_on).await?;
        if !within(&roots, &o.path) {
            return Err(no_session());
        }
        if m.held {
            return Err(AppError::rejected(
                "Buổi học bù này đã được ghi nhận",
                "This make-up session has already been recorded",
            ));
        }
        if m.held_on > self.clock.today() {
            return Err(AppError::rejected(
                format!("Buổi học bù này diễn ra ngày {}: chưa thể ghi nhận", short(m.held_on)),
                format!(
                    "This make-up session is on {}: it cannot be recorded yet",
                    short(m.held_on)
                ),
            ));
        }
        let expected: Vec<PersonId> = tx
            .makeup_attendees(session)
            .await?
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        if let Some(p) = present.iter().find(|p| !expected.contains(p)) {
            return Err(AppError::rejected(
                format!("Người số {} không có trong danh sách buổi học bù", p.0),
                format!("Person {} was not expected at this make-up session", p.0),
            ));
        }
        if present.is_empty() {
            return Err(AppError::rejected(
                "Chọn ít nhất một đảng viên đã dự buổi học bù",
                "Choose at least one member who attended",
            ));
        }
        tx.hold_makeup(session, present).await?;
        let mut newly = 0;
        for p in present {
            if tx.mark_studied(id, *p, "makeup", m.held_on, Some(session)).await? == Some(true) {
                tx.bump_campaign_tally(id, *p, 1).await?;
                newly += 1;
            }
        }
        self.audit(
            &mut tx,
            "campaign.makeup",
            &format!("campaign:{id}"),
            &format!(
                "{} ngày {}: {} / {} người dự, {newly} người mới học",
                o.code,
                short(m.held_on),
                present.len(),
                expected.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The make-up sessions of a campaign scheduled in a subtree and not yet held, with
    /// the people expected at each.
    pub async fn scheduled_makeups(
        &self,
        caller: &Caller,
        id: i64,
        org: &OrgCode,
    ) -> Result<Vec<(MakeupRow, Vec<(PersonId, String)>)>> {
        let c = self.campaign_for(caller, id, Action::ViewMembers).await?;
        let o = self.org_for(caller, Action::ViewMembers, org, c.starts_on).await?;
        let mut tx = self.db.read().await?;
        let mut out = Vec::new();
        for m in tx.makeups(id).await?.into_iter().filter(|m| !m.held) {
            if let Some(v) = tx.org_by_id(m.org_id, c.starts_on).await?
                && o.path.contains(&v.path)
            {
                let people = tx.makeup_attendees(m.id).await?;
                out.push((m, people));
            }
        }
        Ok(out)
    }

    /// The caller's own campaigns (as a member), with how they studied.
    pub async fn my_campaigns(&self, caller: &Caller) -> Result<Vec<(CampaignRow, Option<String>)>> {
        let Some(person) = caller.person else {
            return Ok(Vec::new());
        };
        let mut tx = self.db.read().await?;
        Ok(tx.campaigns_of(person).await?)
    }

    /// A member opens a document of their campaign; once every document is opened they
    /// may confirm, and have studied by themselves. Returns the documents opened.
    pub async fn open_for_study(&self, caller: &Caller, id: i64, document: i64) -> Result<Vec<i64>> {
        let person = self.own_campaign(caller, id).await?;
        let mut tx = self.db.write().await?;
        if !tx.campaign_documents(id).await?.contains(&document) {
            return Err(AppError::rejected(
                "Văn bản này không thuộc đợt học tập",
                "This document is not part of the campaign",
            ));
        }
        let opened = tx.record_opened(id, person, document, &self.clock.timestamp()).await?;
        tx.commit().await?;
        Ok(opened)
    }

    /// Confirms self-study, once every document of the campaign has been opened.
    pub async fn confirm_self_study(&self, caller: &Caller, id: i64) -> Result<()> {
        let person = self.own_campaign(caller, id).await?;
        let mut tx = self.db.write().await?;
        let docs = tx.campaign_documents(id).await?;
        let opened = tx.opened(id, person).await?;
        if docs.iter().any(|d| !opened.contains(d)) {
            return Err(AppError::rejected(
                "Hãy mở đọc tất cả văn bản của đợt học tập trước khi xác nhận",
                "Open every document of the campaign before confirming",
            ));
        }
        if tx.mark_studied(id, person, "self", self.clock.today(), None).await? == Some(true) {
            tx.bump_campaign_tally(id, person, 1).await?;
        }
        self.audit(
            &mut tx,
            "campaign.self_study",
            &format!("campaign:{id}"),
            &format!("person:{}", person.0),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn own_campaign(&self, caller: &Caller, id: i64) -> Result<PersonId> {
        let person = caller.person.ok_or_else(|| no_campaign(id))?;
        let mut tx = self.db.read().await?;
        if tx.campaign_member_path(id, person).await?.is_none() {
            return Err(no_campaign(id));
        }
        Ok(person)
    }

    /// A member submits (or resubmits, until it is assessed) their learning report.
    pub async fn submit_report(&self, caller: &Caller, id: i64, body: &str, file: Option<(&str, &[u8])>) -> Result<()> {
        let person = self.own_campaign(caller, id).await?;
        let c = {
            let mut tx = self.db.read().await?;
            tx.campaign(id).await?.ok_or_else(|| no_campaign(id))?
        };
        if c.report_due.is_none() {
            return Err(AppError::rejected(
                "Đợt học tập này không yêu cầu bài thu hoạch",
                "This campaign asks for no learning report",
            ));
        }
        let body = body.trim();
        if body.is_empty() && file.is_none() {
            return Err(AppError::field("Bài thu hoạch", Invalid::Missing));
        }
        if body.chars().count() > 50_000 {
            return Err(AppError::rejected(
                "Bài thu hoạch dài quá 50.000 ký tự",
                "The report is longer than 50,000 characters",
            ));
        }
        let att = file
            .map(|(n, bytes)| self.checked_attachment(n, bytes).map(|a| (a, bytes)))
            .transpose()?;
        let mut tx = self.db.write().await?;
        let att_id = match &att {
            Some((a, bytes)) => Some(tx.insert_attachment(a, bytes).await?),
            None => None,
        };
        if !tx
            .submit_report(id, person, body, att_id, &self.clock.timestamp())
            .await?
        {
            return Err(AppError::rejected(
                "Bài thu hoạch đã được đánh giá, không nộp lại được",
                "The report has been assessed and cannot be replaced",
            ));
        }
        self.audit(
            &mut tx,
            "report.submit",
            &format!("campaign:{id}"),
            &format!("person:{}", person.0),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cell secretary or the office assesses a learning report.
    pub async fn assess_report(
        &self,
        caller: &Caller,
        id: i64,
        person: PersonId,
        grade: &str,
        comment: &str,
    ) -> Result<()> {
        let c = self.campaign_for(caller, id, Action::Study).await?;
        if !c.grades.iter().any(|g| g == grade) {
            return Err(AppError::rejected(
                format!("Xếp loại phải là một trong: {}", c.grades.join(", ")),
                format!("The grade must be one of: {}", c.grades.join(", ")),
            ));
        }
        let mut tx = self.db.write().await?;
        let path = tx
            .campaign_member_path(id, person)
            .await?
            .and_then(|p| OrgPath::parse(&p))
            .ok_or_else(|| AppError::no_person(person))?;
        let roots = scope_roots(&mut tx, caller, Action::Study, c.starts_on).await?;
        if !within(&roots, &path) {
            return Err(AppError::no_person(person));
        }
        if !tx
            .assess_report(id, person, grade, comment.trim(), &self.actor, &self.clock.timestamp())
            .await?
        {
            return Err(AppError::rejected(
                "Đảng viên này chưa nộp bài thu hoạch",
                "This member has not submitted a report",
            ));
        }
        self.audit(
            &mut tx,
            "report.assess",
            &format!("person:{}", person.0),
            &format!("đợt {id}: {grade}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The learning reports of a subtree, with those missing (members in scope who
    /// submitted none) and the figures of each organization directly under it.
    /// Personal data: audited.
    pub async fn reports(&self, caller: &Caller, id: i64, org: &OrgCode) -> Result<ReportsView> {
        let c = self.campaign_for(caller, id, Action::ViewMembers).await?;
        let o = self.org_for(caller, Action::ViewMembers, org, c.starts_on).await?;
        let (reports, all, children) = {
            let mut tx = self.db.read().await?;
            (
                tx.reports(id, &o.path).await?,
                tx.study_list(id, &o.path, false).await?,
                tx.org_children(o.id, c.starts_on).await?,
            )
        };
        let submitted: std::collections::HashMap<PersonId, bool> =
            reports.iter().map(|r| (r.person_id, r.grade.is_some())).collect();
        let by_org = children
            .iter()
            .map(|child| {
                let mut line = ReportLine {
                    code: child.code.to_string(),
                    name: child.name.to_string(),
                    ..ReportLine::default()
                };
                for m in all.iter().filter(|m| m.path.starts_with(child.path.as_str())) {
                    line.members += 1;
                    if let Some(assessed) = submitted.get(&m.person_id) {
                        line.submitted += 1;
                        line.assessed += usize::from(*assessed);
                    }
                }
                line
            })
            .filter(|l| l.members > 0)
            .collect();
        let missing = all
            .into_iter()
            .filter(|m| !submitted.contains_key(&m.person_id))
            .collect();
        self.audit_read("report.list", &format!("campaign:{id}"), o.code.as_str())
            .await?;
        Ok(ReportsView {
            campaign: c,
            org: (o.code, o.name.to_string()),
            reports,
            missing,
            by_org,
        })
    }

    /// The file attached to a member's learning report, for whoever may read the
    /// campaign's reports in that member's organization, or the member themself. Audited.
    pub async fn report_file(
        &self,
        caller: &Caller,
        id: i64,
        person: PersonId,
    ) -> Result<(dangbo_store::AttachmentRow, Vec<u8>)> {
        let mut tx = self.db.read().await?;
        let c = tx.campaign(id).await?.ok_or_else(|| no_campaign(id))?;
        let path = tx
            .campaign_member_path(id, person)
            .await?
            .and_then(|p| OrgPath::parse(&p))
            .ok_or_else(|| AppError::no_person(person))?;
        if caller.person != Some(person) {
            let roots = scope_roots(&mut tx, caller, Action::ViewMembers, c.starts_on).await?;
            if !within(&roots, &path) {
                return Err(AppError::no_person(person));
            }
        }
        let root = tx
            .org_by_id(c.org_id, c.starts_on)
            .await?
            .ok_or_else(|| no_campaign(id))?;
        let attachment = tx
            .reports(id, &root.path)
            .await?
            .into_iter()
            .find(|r| r.person_id == person)
            .and_then(|r| r.attachment_id)
            .ok_or_else(|| AppError::NotFound {
                vi: "Bài thu hoạch này không có tệp đính kèm".into(),
                what: "this learning report has no file".into(),
            })?;
        drop(tx);
        let file = self.attachment(attachment).await?;
        self.audit_read("report.file", &format!("person:{}", person.0), &format!("đợt {id}"))
            .await?;
        Ok(file)
    }

    /// The documents of a campaign the member has opened.
    pub async fn opened_documents(&self, caller: &Caller, id: i64) -> Result<Vec<i64>> {
        let person = self.own_campaign(caller, id).await?;
        let mut tx = self.db.read().await?;
        Ok(tx.opened(id, person).await?)
    }

    /// The documents of a campaign.
    pub async fn campaign_document_list(&self, id: i64) -> Result<Vec<dangbo_store::DocumentRow>> {
        let mut tx = self.db.read().await?;
        let ids = tx.campaign_documents(id).await?;
        Ok(tx.documents(Some(&ids)).await?)
    }

    /// The member's own report, if any.
    pub async fn my_report(&self, caller: &Caller, id: i64) -> Result<Option<ReportRow>> {
        let person = self.own_campaign(caller, id).await?;
        let mut tx = self.db.read().await?;
        let c = tx.campaign(id).await?.ok_or_else(|| no_campaign(id))?;
        let root = tx
            .org_by_id(c.org_id, c.starts_on)
            .await?
            .ok_or_else(|| no_campaign(id))?;
        Ok(tx
            .reports(id, &root.path)
            .await?
            .into_iter()
            .find(|r| r.person_id == person))
    }
}
