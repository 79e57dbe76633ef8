//! Study campaigns: coverage by organization with drill-down and a chart, the members
//! who have not studied and their make-up sessions, learning reports and their
//! assessment; and for a member, their own assignments, self-study and QR code.

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::Ctx;
use crate::charts::Bars;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State as AxState};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::access::Action;
use dangbo_app::study::{CampaignInput, CampaignView};
use dangbo_domain::date::short;
use dangbo_domain::member::PersonId;
use dangbo_domain::org::OrgCode;
use dangbo_store::{CampaignRow, ReportRow, StudyRow};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/new", get(new_form))
        .route("/campaigns/{id}", get(detail))
        .route("/campaigns/{id}/pending", get(pending))
        .route("/campaigns/{id}/makeup", post(makeup))
        .route("/campaigns/{id}/makeup/{session}/held", post(makeup_held))
        .route("/campaigns/{id}/reports", get(reports))
        .route("/campaigns/{id}/reports/{person}/assess", post(assess))
        .route("/campaigns/{id}/reports/{person}/file", get(report_file))
        .route("/study", get(my_study))
        .route("/study/{id}", get(my_campaign))
        .route("/study/{id}/open/{doc}", post(open_doc))
        .route("/study/{id}/confirm", post(confirm))
        .route("/study/{id}/report", post(submit_report))
}

fn study_how(how: Option<&str>, l: dangbo_domain::Lang) -> &'static str {
    match how {
        Some("conference") => l.pick("Dự hội nghị", "At the conference"),
        Some("makeup") => l.pick("Học bù", "Make-up session"),
        Some("self") => l.pick("Tự học", "Self-study"),
        _ => l.pick("Chưa học tập", "Not yet"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "study/list.html")]
struct ListPage {
    ui: Ui,
    rows: Vec<(CampaignRow, String, String)>,
    can_create: bool,
}

async fn list(ctx: Ctx) -> PageResult {
    if !ctx.caller.can(Action::Browse) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let rows = ctx
        .app
        .campaigns_for(&ctx.caller)
        .await
        .or_page(&ctx)?
        .into_iter()
        .map(|c| {
            let (a, b) = (short(c.starts_on), short(c.ends_on));
            (c, a, b)
        })
        .collect();
    Ok(ListPage {
        ui: Ui::new(&ctx, "campaigns"),
        rows,
        can_create: ctx.caller.can(Action::Disseminate),
    }
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
struct CampaignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    report_due: String,
    #[serde(default)]
    exempt_counted: Option<String>,
    #[serde(default)]
    grades: String,
    #[serde(default)]
    documents: String,
    #[serde(default)]
    conferences: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "study/new.html")]
struct NewPage {
    ui: Ui,
    f: CampaignForm,
    error: Option<String>,
}

async fn new_form(ctx: Ctx) -> PageResult {
    if !ctx.caller.can(Action::Disseminate) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    Ok(NewPage {
        ui: Ui::new(&ctx, "campaigns"),
        f: CampaignForm {
            grades: dangbo_app::study::DEFAULT_GRADES.join(", "),
            ..CampaignForm::default()
        },
        error: None,
    }
    .into_response())
}

async fn create(ctx: Ctx, Form(f): Form<CampaignForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    if !ctx.caller.can(Action::Disseminate) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let input = CampaignInput {
        org: f.org.clone(),
        title: f.title.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
        report_due: f.report_due.clone(),
        exempt_counted: f.exempt_counted.is_some(),
        grades: f.grades.clone(),
        documents: f.documents.clone(),
        conferences: f.conferences.clone(),
    };
    let r = ctx.app.create_campaign(&ctx.caller, &input).await;
    super::answer(
        &ctx,
        r,
        |id| format!("/campaigns/{id}"),
        |msg| async {
            Ok(NewPage {
                ui: Ui::new(&ctx, "campaigns"),
                error: Some(msg),
                f,
            }
            .into_response())
        },
    )
    .await
}

#[derive(Deserialize, Default)]
struct OrgQuery {
    org: Option<String>,
}

fn org_code(ctx: &Ctx, s: Option<&str>) -> Result<Option<OrgCode>, PageErr> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => OrgCode::parse(s)
            .map(Some)
            .map_err(|_| PageErr::at(ctx, WebError::not_found(ctx.lang))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "study/detail.html")]
struct DetailPage {
    ui: Ui,
    v: CampaignView,
    period: String,
    sentence: String,
    chart: String,
    makeups: Vec<(String, String, String, i64)>,
    can_list: bool,
}

async fn detail(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<OrgQuery>) -> PageResult {
    let at = org_code(&ctx, q.org.as_deref())?;
    let v = ctx.app.campaign(&ctx.caller, id, at.as_ref()).await.or_page(&ctx)?;
    let l = ctx.lang;
    let chart = Bars::scaled(
        "coverage",
        l.pick("Tỷ lệ đảng viên đã học tập", "Share of members who have studied"),
        v.rows
            .iter()
            .map(|r| (r.name.clone(), r.percent(), r.share()))
            .collect(),
        100,
    )
    .html();
    let can_list = ctx
        .app
        .allows(&ctx.caller, Action::ViewMembers, &v.org.3, v.campaign.starts_on)
        .await
        .or_page(&ctx)?;
    Ok(DetailPage {
        ui: Ui::new(&ctx, "campaigns"),
        period: format!("{} – {}", short(v.campaign.starts_on), short(v.campaign.ends_on)),
        sentence: v.total.sentence(l),
        chart,
        makeups: v
            .makeups
            .iter()
            .map(|(m, org)| {
                let day = if m.held {
                    short(m.held_on)
                } else {
                    format!("{} ({})", short(m.held_on), l.pick("dự kiến", "scheduled"))
                };
                (day, org.clone(), m.place.clone(), m.attendees)
            })
            .collect(),
        can_list,
        v,
    }
    .into_response())
}

/// A make-up session scheduled and not yet held: id, day, place, the people expected.
type Scheduled = (i64, String, String, Vec<(PersonId, String)>);

#[derive(Template, WebTemplate)]
#[template(path = "study/pending.html")]
struct PendingPage {
    ui: Ui,
    id: i64,
    title: String,
    org: String,
    org_name: String,
    rows: Vec<(StudyRow, &'static str, String)>,
    pending: usize,
    can_record: bool,
    /// Make-up sessions scheduled and not yet held.
    scheduled: Vec<Scheduled>,
    today: String,
    error: Option<String>,
}

async fn pending_page(ctx: &Ctx, id: i64, org: &str, error: Option<String>) -> PageResult {
    let code = org_code(ctx, Some(org))?.ok_or_else(|| PageErr::at(ctx, WebError::not_found(ctx.lang)))?;
    let c = ctx
        .app
        .campaign_for(&ctx.caller, id, Action::ViewMembers)
        .await
        .or_page(ctx)?;
    let rows = ctx.app.study_list(&ctx.caller, id, &code, false).await.or_page(ctx)?;
    let o = ctx
        .app
        .org_for(&ctx.caller, Action::ViewMembers, &code, c.starts_on)
        .await
        .or_page(ctx)?;
    let can_record = ctx
        .app
        .allows(&ctx.caller, Action::Study, &o.path, c.starts_on)
        .await
        .or_page(ctx)?;
    let scheduled = ctx
        .app
        .scheduled_makeups(&ctx.caller, id, &code)
        .await
        .or_page(ctx)?
        .into_iter()
        .map(|(m, people)| (m.id, short(m.held_on), m.place, people))
        .collect();
    let l = ctx.lang;
    let pending = rows.iter().filter(|r| r.how.is_none()).count();
    Ok(PendingPage {
        ui: Ui::new(ctx, "campaigns"),
        id,
        title: c.title,
        org: code.to_string(),
        org_name: o.name.to_string(),
        scheduled,
        rows: rows
            .into_iter()
            .map(|r| {
                let how = study_how(r.how.as_deref(), l);
                let on = r.on.map(short).unwrap_or_default();
                (r, how, on)
            })
            .collect(),
        pending,
        can_record,
        today: short(ctx.today),
        error,
    }
    .into_response())
}

async fn pending(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<OrgQuery>) -> PageResult {
    pending_page(&ctx, id, q.org.as_deref().unwrap_or_default(), None).await
}

/// The people ticked on a form: one `p<id>` checkbox each.
fn ticked(f: &HashMap<String, String>) -> Vec<PersonId> {
    f.keys()
        .filter_map(|k| k.strip_prefix('p').and_then(|n| n.parse().ok()).map(PersonId))
        .collect()
}

/// A scheduled make-up session was held: `org`, and one `p<id>` checkbox per person who came.
async fn makeup_held(
    ctx: Ctx,
    Path((id, session)): Path<(i64, i64)>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    ctx.check_csrf(&get("csrf")).or_page(&ctx)?;
    let org = get("org");
    let code = org_code(&ctx, Some(&org))?.ok_or_else(|| PageErr::at(&ctx, WebError::not_found(ctx.lang)))?;
    super::answer(
        &ctx,
        ctx.app.hold_makeup(&ctx.caller, id, session, &ticked(&f)).await,
        |_| format!("/campaigns/{id}/pending?org={code}"),
        |msg| pending_page(&ctx, id, &org, Some(msg)),
    )
    .await
}

/// The make-up form: `org`, `held_on`, `place`, and one `p<id>` checkbox per member.
async fn makeup(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    ctx.check_csrf(&get("csrf")).or_page(&ctx)?;
    let org = get("org");
    let code = org_code(&ctx, Some(&org))?.ok_or_else(|| PageErr::at(&ctx, WebError::not_found(ctx.lang)))?;
    let people = ticked(&f);
    super::answer(
        &ctx,
        ctx.app
            .record_makeup(&ctx.caller, id, &code, &get("held_on"), &get("place"), &people)
            .await,
        |_| format!("/campaigns/{id}/pending?org={code}"),
        |msg| pending_page(&ctx, id, &org, Some(msg)),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "study/reports.html")]
struct ReportsPage {
    ui: Ui,
    campaign: CampaignRow,
    org: String,
    org_name: String,
    /// Each report, whether it came late, and when it was submitted (`dd/mm/yyyy hh:mm`).
    reports: Vec<(ReportRow, bool, String)>,
    by_org: Vec<dangbo_app::study::ReportLine>,
    missing: Vec<StudyRow>,
    grades: Vec<(String, usize)>,
    assessed: usize,
    late: usize,
    due: String,
    can_assess: bool,
    error: Option<String>,
}

async fn reports_page(ctx: &Ctx, id: i64, org: &str, error: Option<String>) -> PageResult {
    let code = org_code(ctx, Some(org))?.ok_or_else(|| PageErr::at(ctx, WebError::not_found(ctx.lang)))?;
    let dangbo_app::study::ReportsView {
        campaign,
        org: (_, org_name),
        reports,
        missing,
        by_org,
    } = ctx.app.reports(&ctx.caller, id, &code).await.or_page(ctx)?;
    let o = ctx
        .app
        .org_for(&ctx.caller, Action::ViewMembers, &code, campaign.starts_on)
        .await
        .or_page(ctx)?;
    let can_assess = ctx
        .app
        .allows(&ctx.caller, Action::Study, &o.path, campaign.starts_on)
        .await
        .or_page(ctx)?;
    let due = campaign.report_due.map(dangbo_domain::date::iso);
    let is_late = |r: &ReportRow| {
        due.as_deref()
            .is_some_and(|d| r.submitted_at.get(..10).is_some_and(|s| s > d))
    };
    let grades = campaign
        .grades
        .iter()
        .map(|g| {
            (
                g.clone(),
                reports.iter().filter(|r| r.grade.as_deref() == Some(g)).count(),
            )
        })
        .collect();
    let assessed = reports.iter().filter(|r| r.grade.is_some()).count();
    let late = reports.iter().filter(|r| is_late(r)).count();
    Ok(ReportsPage {
        ui: Ui::new(ctx, "campaigns"),
        org: code.to_string(),
        org_name,
        due: campaign.report_due.map(short).unwrap_or_default(),
        reports: reports
            .into_iter()
            .map(|r| {
                let l = is_late(&r);
                let at = dangbo_domain::date::timestamp_short(&r.submitted_at);
                (r, l, at)
            })
            .collect(),
        by_org,
        missing,
        grades,
        assessed,
        late,
        can_assess,
        error,
        campaign,
    }
    .into_response())
}

async fn reports(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<OrgQuery>) -> PageResult {
    reports_page(&ctx, id, q.org.as_deref().unwrap_or_default(), None).await
}

/// The file of a learning report, as an attachment (never shown inline).
async fn report_file(ctx: Ctx, Path((id, person)): Path<(i64, i64)>) -> PageResult {
    let (att, content) = ctx
        .app
        .report_file(&ctx.caller, id, PersonId(person))
        .await
        .or_page(&ctx)?;
    Ok(crate::pages::documents::as_attachment(att, content))
}

#[derive(Deserialize, Default)]
struct AssessForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    comment: String,
}

async fn assess(ctx: Ctx, Path((id, person)): Path<(i64, i64)>, Form(f): Form<AssessForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx
        .app
        .assess_report(&ctx.caller, id, PersonId(person), &f.grade, &f.comment)
        .await;
    super::answer(
        &ctx,
        r,
        |_| format!("/campaigns/{id}/reports?org={}", crate::auth::form_urlencoded(&f.org)),
        |msg| reports_page(&ctx, id, &f.org, Some(msg)),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "study/mine.html")]
struct MinePage {
    ui: Ui,
    rows: Vec<(CampaignRow, &'static str, String)>,
    qr: String,
    code: String,
}

async fn my_study(ctx: Ctx, AxState(state): AxState<State>) -> PageResult {
    let Some(person) = ctx.caller.person else {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    };
    let l = ctx.lang;
    let code = state.live.person_code(person);
    let qr = crate::ui::qr_svg(&code, 220);
    let rows = ctx
        .app
        .my_campaigns(&ctx.caller)
        .await
        .or_page(&ctx)?
        .into_iter()
        .map(|(c, how)| {
            let h = study_how(how.as_deref(), l);
            let due = short(c.ends_on);
            (c, h, due)
        })
        .collect();
    Ok(MinePage {
        ui: Ui::new(&ctx, "study"),
        rows,
        qr,
        code,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "study/campaign.html")]
struct MyCampaignPage {
    ui: Ui,
    campaign: CampaignRow,
    docs: Vec<(i64, String, String, bool)>,
    all_opened: bool,
    studied: &'static str,
    done: bool,
    report: Option<ReportRow>,
    can_submit: bool,
    due: String,
    error: Option<String>,
}

async fn my_campaign_page(ctx: &Ctx, id: i64, error: Option<String>) -> PageResult {
    let l = ctx.lang;
    let mine = ctx.app.my_campaigns(&ctx.caller).await.or_page(ctx)?;
    let Some((campaign, how)) = mine.into_iter().find(|(c, _)| c.id == id) else {
        return Err(PageErr::at(ctx, WebError::not_found(ctx.lang)));
    };
    let opened = ctx.app.opened_documents(&ctx.caller, id).await.or_page(ctx)?;
    let mut docs = Vec::new();
    for d in ctx.app.campaign_document_list(id).await.or_page(ctx)? {
        let open = opened.contains(&d.id);
        docs.push((d.id, d.number, d.title, open));
    }
    let report = ctx.app.my_report(&ctx.caller, id).await.or_page(ctx)?;
    Ok(MyCampaignPage {
        ui: Ui::new(ctx, "study"),
        all_opened: docs.iter().all(|d| d.3),
        studied: study_how(how.as_deref(), l),
        done: how.is_some(),
        due: campaign.report_due.map(short).unwrap_or_default(),
        can_submit: report.as_ref().is_none_or(|r| r.grade.is_none()),
        campaign,
        docs,
        report,
        error,
    }
    .into_response())
}

async fn my_campaign(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    my_campaign_page(&ctx, id, None).await
}

#[derive(Deserialize, Default)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn open_doc(ctx: Ctx, Path((id, doc)): Path<(i64, i64)>, Form(f): Form<CsrfForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    ctx.app.open_for_study(&ctx.caller, id, doc).await.or_page(&ctx)?;
    Ok(Redirect::to(&format!("/documents/{doc}")).into_response())
}

async fn confirm(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    super::answer(
        &ctx,
        ctx.app.confirm_self_study(&ctx.caller, id).await,
        |_| format!("/study/{id}"),
        |msg| my_campaign_page(&ctx, id, Some(msg)),
    )
    .await
}

async fn submit_report(ctx: Ctx, Path(id): Path<i64>, form: Multipart) -> PageResult {
    let (mut csrf, mut body, mut file) = (String::new(), String::new(), None);
    for part in super::read_multipart(&ctx, form).await? {
        match part.name.as_str() {
            "csrf" => csrf = part.text(),
            "body" => body = part.text(),
            "file" => file = part.filename.filter(|_| !part.data.is_empty()).map(|f| (f, part.data)),
            _ => {}
        }
    }
    ctx.check_csrf(&csrf).or_page(&ctx)?;
    let file = file.as_ref().map(|(n, d)| (n.as_str(), d.as_ref()));
    super::answer(
        &ctx,
        ctx.app.submit_report(&ctx.caller, id, &body, file).await,
        |_| format!("/study/{id}"),
        |msg| my_campaign_page(&ctx, id, Some(msg)),
    )
    .await
}
