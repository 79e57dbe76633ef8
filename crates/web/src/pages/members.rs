//! The member pages: the list (Vietnamese order, diacritic-free search, filters, keyset
//! paging), a person's record with history, and the forms to add and correct one.

use super::{OrPage, PageErr, PageResult, day};
use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Form, Router};
use dangbo_app::AppError;
use dangbo_app::access::{Action, within};
use dangbo_app::members::{MemberDetail, record_of};
use dangbo_domain::date::{age_on, iso, parse_date, short};
use dangbo_domain::member::{
    CardNumber, CitizenId, Ethnicity, Gender, MemberField, MemberStatus, PersonId, PersonKind, PersonRecord, Phone,
    parse_gender, parse_optional_date,
};
use dangbo_domain::name::{PersonName, fold};
use dangbo_domain::org::OrgCode;
use dangbo_domain::{Date, Lang};
use dangbo_store::{MemberFilter, OrgVersion};
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/members", get(list))
        .route("/members/new", get(new_form).post(create))
        .route("/members/{id}", get(detail))
        .route("/members/{id}/edit", get(edit_form).post(update))
}

/// Rows on a page of the member list.
pub const PAGE: i64 = 50;

/// The member list's query string, shared with its export.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    pub org: Option<String>,
    pub q: Option<String>,
    pub kind: Option<String>,
    pub gender: Option<String>,
    pub status: Option<String>,
    pub ethnicity: Option<String>,
    pub on: Option<String>,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub page: Option<u32>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filter a list query asks for, limited to what the caller may see, with the
/// organization it is about (`None`: everywhere, for callers who see everything).
pub async fn filter_for(
    ctx: &Ctx,
    q: &ListQuery,
    action: Action,
) -> Result<(MemberFilter, Option<OrgVersion>, Vec<OrgVersion>), PageErr> {
    let on = day(ctx, q.on.as_deref())?;
    let roots = ctx.app.scope_roots(&ctx.caller, action, on).await.or_page(ctx)?;
    let org = match nonempty(&q.org) {
        Some(c) => {
            let c = OrgCode::parse(c).map_err(|_| PageErr::at(ctx, WebError::not_found(ctx.lang)))?;
            let org = ctx.app.org(&c, on).await.or_page(ctx)?;
            // Outside the scope reads as not there at all, as `App::org_for` answers.
            if !within(&roots, &org.path) {
                return Err(PageErr::at(ctx, ctx.err(AppError::no_org(c.as_str(), on))));
            }
            Some(org)
        }
        None => match &roots {
            None => None,
            Some(r) => Some(
                r.first()
                    .cloned()
                    .ok_or_else(|| PageErr::at(ctx, WebError::not_found(ctx.lang)))?,
            ),
        },
    };
    let text = nonempty(&q.q).unwrap_or_default();
    let folded = fold(text);
    if folded.is_empty() && !text.is_empty() {
        return Err(PageErr::at(
            ctx,
            WebError::bad_request(
                ctx.lang,
                &format!("«{text}» không có chữ hay số nào để tìm"),
                &format!("«{text}» has no letters or digits to search for"),
            ),
        ));
    }
    let filter = MemberFilter {
        subtree: org.as_ref().map(|o| o.path.clone()),
        on,
        query: (!folded.is_empty()).then_some(folded),
        kind: nonempty(&q.kind).and_then(PersonKind::from_code),
        gender: nonempty(&q.gender).and_then(Gender::from_code),
        status: nonempty(&q.status).and_then(MemberStatus::from_code),
        ethnicity: nonempty(&q.ethnicity).and_then(|e| Ethnicity::parse(e).ok()),
        limit: PAGE,
        offset: 0,
        after: q.after.map(PersonId),
        before: q.before.map(PersonId),
    };
    Ok((filter, org, roots.unwrap_or_default()))
}

/// A line of the list.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub birth: String,
    pub age: i32,
    pub gender: &'static str,
    pub ethnicity: &'static str,
    pub standing: String,
    pub org_code: String,
    pub org_name: String,
    pub card: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/list.html")]
struct ListPage {
    ui: Ui,
    q: ListQuery,
    text: String,
    org: Option<(String, String)>,
    roots: Vec<(String, String)>,
    on_iso: String,
    rows: Vec<Row>,
    total: u64,
    /// Whether more than `total` match (a name search counts up to a bound).
    more: bool,
    first: u64,
    next: Option<String>,
    prev: Option<String>,
    first_page: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    genders: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    ethnicities: Vec<&'static str>,
    can_add: bool,
    can_export: bool,
    export_query: String,
}

fn query_string(q: &ListQuery, org: Option<&str>) -> String {
    let enc = crate::auth::form_urlencoded;
    let mut parts = Vec::new();
    let mut add = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{k}={}", enc(v)));
        }
    };
    add("org", org.or(nonempty(&q.org)));
    add("q", nonempty(&q.q));
    add("kind", nonempty(&q.kind));
    add("gender", nonempty(&q.gender));
    add("status", nonempty(&q.status));
    add("ethnicity", nonempty(&q.ethnicity));
    add("on", nonempty(&q.on));
    parts.join("&")
}

fn standing(l: Lang, kind: PersonKind, full_on: Option<Date>, member: bool, on: Date) -> String {
    if !member || kind != PersonKind::Member {
        return kind.label(l).to_string();
    }
    dangbo_domain::member::status_on(full_on, on).label(l).to_string()
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let (filter, org, roots) = filter_for(&ctx, &q, Action::ViewMembers).await?;
    let label = org
        .as_ref()
        .map_or_else(|| "org:*".to_string(), |o| format!("org:{}", o.code));
    let (views, total) = ctx.app.list_members(&filter, &label).await.or_page(&ctx)?;
    let l = ctx.lang;
    let on = filter.on;
    let rows: Vec<Row> = views
        .iter()
        .map(|v| {
            let p = &v.row.person;
            let m = v.row.membership.as_ref();
            Row {
                id: v.row.id.0,
                name: p.name.to_string(),
                birth: short(p.birth_date),
                age: age_on(p.birth_date, on),
                gender: p.gender.label(l),
                ethnicity: p.ethnicity.name(),
                standing: standing(l, p.kind, m.and_then(|m| m.full_on), m.is_some(), on),
                org_code: v.org_code.to_string(),
                org_name: v.org_name.to_string(),
                card: m
                    .and_then(|m| m.card_number.as_ref())
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let page = q.page.unwrap_or(1).max(1);
    let first = u64::from(page - 1) * PAGE as u64 + 1;
    let base = query_string(&q, org.as_ref().map(|o| o.code.as_str()));
    let next = (rows.len() as i64 == PAGE && total.beyond((first - 1) as i64 + rows.len() as i64))
        .then(|| format!("{base}&after={}&page={}", rows.last().map_or(0, |r| r.id), page + 1));
    let prev = (page > 1)
        .then(|| {
            rows.first()
                .map(|r| format!("{base}&before={}&page={}", r.id, page - 1))
        })
        .flatten();
    Ok(ListPage {
        ui: Ui::new(&ctx, "members"),
        text: nonempty(&q.q).unwrap_or_default().to_string(),
        org: org.as_ref().map(|o| (o.code.to_string(), o.name.to_string())),
        roots: roots.iter().map(|r| (r.code.to_string(), r.name.to_string())).collect(),
        on_iso: iso(on),
        total: total.n as u64,
        more: total.more,
        first,
        next,
        prev,
        first_page: (page > 2).then(|| base.clone()),
        kinds: PersonKind::ALL.iter().map(|k| (k.code(), k.label(l))).collect(),
        genders: Gender::ALL.iter().map(|k| (k.code(), k.label(l))).collect(),
        statuses: MemberStatus::ALL.iter().map(|k| (k.code(), k.label(l))).collect(),
        ethnicities: Ethnicity::all().map(|e| e.name()).collect(),
        can_add: super::may(&ctx, Action::EditMembers, org.as_ref(), on).await?,
        can_export: super::may(&ctx, Action::Export, org.as_ref(), on).await?,
        export_query: base,
        rows,
        q,
    }
    .into_response())
}

/// A placement line of the record.
pub struct PlacementLine {
    pub period: String,
    pub org_code: String,
    pub org_name: String,
    pub change: String,
}

/// A position line of the record.
pub struct PositionLine {
    pub period: String,
    pub title: String,
    pub org: String,
    pub source: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/detail.html")]
struct DetailPage {
    ui: Ui,
    id: i64,
    facts: Vec<(&'static str, String)>,
    name: String,
    placements: Vec<PlacementLine>,
    positions: Vec<PositionLine>,
    can_edit: bool,
    /// On one's own record: who viewed or changed it (when, account, what).
    views: Option<Vec<(String, String, &'static str)>>,
}

/// How the audit log's action reads to the member whose record it was.
fn action_words(action: &str, l: dangbo_domain::Lang) -> &'static str {
    match action {
        "member.view" => l.pick("Xem hồ sơ", "Viewed the record"),
        "member.edit" => l.pick("Sửa hồ sơ", "Changed the record"),
        "member.transfer" => l.pick("Chuyển sinh hoạt", "Transferred"),
        "member.add" => l.pick("Thêm hồ sơ", "Added the record"),
        _ => l.pick("Thao tác khác", "Other"),
    }
}

async fn detail(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let id = ctx
        .app
        .person_for(&ctx.caller, Action::ViewMembers, PersonId(id), ctx.today)
        .await
        .or_page(&ctx)?;
    let d: MemberDetail = ctx.app.member_detail_by_id(id).await.or_page(&ctx)?;
    let l = ctx.lang;
    let r = record_of(&d.row);
    let ui = Ui::new(&ctx, if ctx.caller.person == Some(id) { "me" } else { "members" });
    let opt = |d: Option<Date>| d.map(short).unwrap_or_default();
    let facts = vec![
        (l.pick("Đối tượng", "Kind"), r.kind.label(l).to_string()),
        (l.pick("Giới tính", "Gender"), r.gender.label(l).to_string()),
        (l.pick("Ngày sinh", "Date of birth"), short(r.birth_date)),
        (l.pick("Dân tộc", "Ethnic group"), r.ethnicity.name().to_string()),
        (
            l.pick("Số CCCD", "Citizen ID"),
            r.citizen_id
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            l.pick("Số thẻ đảng viên", "Party card"),
            r.card_number
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
        (l.pick("Ngày vào Đảng", "Admitted"), opt(r.admitted_on)),
        (l.pick("Ngày chính thức", "Full member since"), opt(r.full_on)),
        (
            l.pick("Miễn sinh hoạt", "Exempt"),
            if r.exempt {
                l.pick("Có", "Yes")
            } else {
                l.pick("Không", "No")
            }
            .to_string(),
        ),
        (
            l.pick("Điện thoại", "Phone"),
            r.phone.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
        ),
    ];
    let placements = d
        .placements
        .iter()
        .rev()
        .map(|(p, name)| PlacementLine {
            period: p.validity.period(l),
            org_code: p.org_code.to_string(),
            org_name: name.to_string(),
            change: dangbo_app::orgs::change_words(&p.change, l).to_string(),
        })
        .collect();
    let positions = d
        .positions
        .iter()
        .rev()
        .map(|(p, org)| PositionLine {
            period: p.validity.period(l),
            title: p.title.as_str().to_string(),
            org: org.as_ref().map(ToString::to_string).unwrap_or_default(),
            source: p.source.label(l),
        })
        .collect();
    let can_edit = ctx
        .app
        .person_for(&ctx.caller, Action::EditMembers, id, ctx.today)
        .await
        .is_ok();
    let views = if ctx.caller.person == Some(id) {
        let lines = ctx.app.record_views(id, &ctx.caller.username, 50).await.or_page(&ctx)?;
        Some(
            lines
                .into_iter()
                .map(|(at, who, action)| (crate::ui::moment(&at), who, action_words(&action, l)))
                .collect(),
        )
    } else {
        None
    };
    Ok(DetailPage {
        ui,
        id: id.0,
        name: r.name.to_string(),
        facts,
        placements,
        positions,
        can_edit,
        views,
    }
    .into_response())
}

/// The member form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct MemberForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub ethnicity: String,
    #[serde(default)]
    pub citizen_id: String,
    #[serde(default)]
    pub card_number: String,
    #[serde(default)]
    pub admitted_on: String,
    #[serde(default)]
    pub full_on: String,
    #[serde(default)]
    pub exempt: Option<String>,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub on: String,
}

impl MemberForm {
    fn of(r: &PersonRecord) -> MemberForm {
        let opt = |d: Option<Date>| d.map(iso).unwrap_or_default();
        MemberForm {
            kind: r.kind.code().into(),
            name: r.name.to_string(),
            gender: r.gender.code().into(),
            birth_date: iso(r.birth_date),
            ethnicity: r.ethnicity.name().into(),
            citizen_id: r
                .citizen_id
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            card_number: r
                .card_number
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            admitted_on: opt(r.admitted_on),
            full_on: opt(r.full_on),
            exempt: r.exempt.then(|| "on".into()),
            phone: r.phone.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
            ..MemberForm::default()
        }
    }

    /// The record, or every field's problem.
    pub fn parse(&self, l: Lang, today: Date) -> Result<PersonRecord, Vec<(&'static str, String)>> {
        let mut errs: Vec<(&'static str, String)> = Vec::new();
        let mut take = |field: &'static str, label: MemberField, e: dangbo_domain::Invalid| {
            errs.push((field, format!("{}: {}", label.header(l), e.message(l))));
        };
        let kind = PersonKind::from_code(self.kind.trim()).unwrap_or(PersonKind::Member);
        let name = PersonName::parse(&self.name)
            .map_err(|e| take("name", MemberField::FullName, e))
            .ok();
        let gender = Gender::from_code(self.gender.trim())
            .map_or_else(|| parse_gender(&self.gender), Ok)
            .map_err(|e| take("gender", MemberField::Gender, e))
            .ok();
        let birth = parse_date(&self.birth_date)
            .map_err(|e| take("birth_date", MemberField::BirthDate, e))
            .ok();
        let ethnicity = Ethnicity::parse(&self.ethnicity)
            .map_err(|e| take("ethnicity", MemberField::Ethnicity, e))
            .ok();
        let opt_text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let citizen_id = match opt_text(&self.citizen_id) {
            Some(s) => CitizenId::parse(&s)
                .map(Some)
                .map_err(|e| take("citizen_id", MemberField::CitizenId, e))
                .ok()
                .flatten(),
            None => None,
        };
        let card_number = match opt_text(&self.card_number) {
            Some(s) => CardNumber::parse(&s)
                .map(Some)
                .map_err(|e| take("card_number", MemberField::CardNumber, e))
                .ok()
                .flatten(),
            None => None,
        };
        let admitted_on = parse_optional_date(&self.admitted_on)
            .map_err(|e| take("admitted_on", MemberField::AdmittedOn, e))
            .ok()
            .flatten();
        let full_on = parse_optional_date(&self.full_on)
            .map_err(|e| take("full_on", MemberField::FullOn, e))
            .ok()
            .flatten();
        let phone = match opt_text(&self.phone) {
            Some(s) => Phone::parse(&s)
                .map(Some)
                .map_err(|e| take("phone", MemberField::Phone, e))
                .ok()
                .flatten(),
            None => None,
        };
        let (Some(name), Some(gender), Some(birth_date), Some(ethnicity)) = (name, gender, birth, ethnicity) else {
            return Err(errs);
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        let rec = PersonRecord {
            kind,
            name,
            gender,
            birth_date,
            ethnicity,
            citizen_id,
            card_number,
            admitted_on,
            full_on,
            exempt: self.exempt.is_some(),
            phone,
        };
        let problems: Vec<(&'static str, String)> = rec
            .check(today)
            .into_iter()
            .map(|(f, e)| (field_id(f), format!("{}: {}", f.header(l), e.message(l))))
            .collect();
        if problems.is_empty() { Ok(rec) } else { Err(problems) }
    }
}

fn field_id(f: MemberField) -> &'static str {
    match f {
        MemberField::Kind => "kind",
        MemberField::FullName => "name",
        MemberField::BirthDate => "birth_date",
        MemberField::Gender => "gender",
        MemberField::Ethnicity => "ethnicity",
        MemberField::CitizenId => "citizen_id",
        MemberField::CardNumber => "card_number",
        MemberField::AdmittedOn => "admitted_on",
        MemberField::FullOn => "full_on",
        MemberField::Exempt => "exempt",
        MemberField::Phone => "phone",
        MemberField::OrgCode | MemberField::OrgName => "org",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members/form.html")]
struct FormPage {
    ui: Ui,
    title: String,
    action: String,
    cancel: String,
    f: MemberForm,
    new: bool,
    errors: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    genders: Vec<(&'static str, &'static str)>,
    ethnicities: Vec<&'static str>,
}

impl FormPage {
    fn build(ctx: &Ctx, title: String, action: String, cancel: String, f: MemberForm, new: bool) -> FormPage {
        let l = ctx.lang;
        FormPage {
            ui: Ui::new(ctx, "members"),
            title,
            action,
            cancel,
            f,
            new,
            errors: Vec::new(),
            kinds: PersonKind::ALL.iter().map(|k| (k.code(), k.label(l))).collect(),
            genders: Gender::ALL.iter().map(|k| (k.code(), k.label(l))).collect(),
            ethnicities: Ethnicity::all().map(|e| e.name()).collect(),
        }
    }

    /// Whether `field` has a problem.
    fn bad(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _)| *f == field)
    }
}

async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let id = ctx
        .app
        .person_for(&ctx.caller, Action::EditMembers, PersonId(id), ctx.today)
        .await
        .or_page(&ctx)?;
    let d = ctx.app.member_detail_by_id(id).await.or_page(&ctx)?;
    let r = record_of(&d.row);
    let title = format!("{}: {}", ctx.lang.pick("Sửa hồ sơ", "Edit record"), r.name);
    Ok(FormPage::build(
        &ctx,
        title,
        format!("/members/{}/edit", id.0),
        format!("/members/{}", id.0),
        MemberForm::of(&r),
        false,
    )
    .into_response())
}

async fn update(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MemberForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let id = ctx
        .app
        .person_for(&ctx.caller, Action::EditMembers, PersonId(id), ctx.today)
        .await
        .or_page(&ctx)?;
    let title = format!("{}: {}", ctx.lang.pick("Sửa hồ sơ", "Edit record"), f.name.trim());
    let mut page = FormPage::build(
        &ctx,
        title,
        format!("/members/{}/edit", id.0),
        format!("/members/{}", id.0),
        f.clone(),
        false,
    );
    let rec = match f.parse(ctx.lang, ctx.today) {
        Ok(r) => r,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match ctx.app.update_member(id, &rec).await {
        Ok(()) => Ok(Redirect::to(&format!("/members/{}", id.0)).into_response()),
        Err(e) if e.is_user_error() => {
            page.errors = vec![("form", e.message(ctx.lang))];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(PageErr::at(&ctx, ctx.err(e))),
    }
}

#[derive(Deserialize)]
struct OrgQuery {
    org: Option<String>,
}

async fn new_form(ctx: Ctx, Query(q): Query<OrgQuery>) -> PageResult {
    if !ctx.caller.can(Action::EditMembers) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let f = MemberForm {
        org: q.org.unwrap_or_default(),
        on: iso(ctx.today),
        kind: PersonKind::Member.code().into(),
        ethnicity: "Kinh".into(),
        ..MemberForm::default()
    };
    let title = ctx
        .lang
        .pick("Thêm người vào chi bộ", "Add a person to a cell")
        .to_string();
    Ok(FormPage::build(&ctx, title, "/members/new".into(), "/members".into(), f, true).into_response())
}

async fn create(ctx: Ctx, Form(f): Form<MemberForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    if !ctx.caller.can(Action::EditMembers) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let title = ctx
        .lang
        .pick("Thêm người vào chi bộ", "Add a person to a cell")
        .to_string();
    let mut page = FormPage::build(&ctx, title, "/members/new".into(), "/members".into(), f.clone(), true);
    let mut errors = Vec::new();
    let on = parse_date(&f.on)
        .map_err(|e| {
            errors.push((
                "on",
                format!("{}: {}", ctx.lang.pick("Ngày", "Date"), e.message(ctx.lang)),
            ))
        })
        .ok();
    let org = match OrgCode::parse(&f.org) {
        Ok(c) => match ctx
            .app
            .org_for(&ctx.caller, Action::EditMembers, &c, on.unwrap_or(ctx.today))
            .await
        {
            Ok(o) => Some(o),
            Err(e) => {
                errors.push(("org", e.message(ctx.lang)));
                None
            }
        },
        Err(e) => {
            errors.push((
                "org",
                format!("{}: {}", MemberField::OrgCode.header(ctx.lang), e.message(ctx.lang)),
            ));
            None
        }
    };
    let rec = f.parse(ctx.lang, ctx.today).map_err(|e| errors.extend(e)).ok();
    let (Some(on), Some(org), Some(rec), true) = (on, org, rec, errors.is_empty()) else {
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match ctx.app.add_member(&rec, &org.code, on).await {
        Ok(id) => Ok(Redirect::to(&format!("/members/{}", id.0)).into_response()),
        Err(e) if e.is_user_error() => {
            page.errors = vec![("form", e.message(ctx.lang))];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(PageErr::at(&ctx, ctx.err(e))),
    }
}
