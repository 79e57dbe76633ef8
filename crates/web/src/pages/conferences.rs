//! Conferences: the list, a new conference, its page with live figures and its tree of
//! points, the operator's check-in page, and a member's own check-in by join code.

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::Ctx;
use crate::live::{LiveOut, live_json};
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::access::Action;
use dangbo_app::conferences::{ConferenceInput, ConferenceView, FORMATS, KINDS, POINT_STATUSES, PointInput, label};
use dangbo_domain::date::short;
use dangbo_domain::member::PersonId;
use dangbo_store::{CheckinRequest, CheckinStatus, ConferenceRow, PointRow};
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/conferences", get(list).post(create))
        .route("/conferences/new", get(new_form))
        .route("/conferences/{id}", get(detail))
        .route("/conferences/{id}/events", get(crate::live::events))
        .route("/conferences/{id}/points", post(add_point))
        .route("/conferences/{id}/base-points", post(add_base_points))
        .route("/conferences/{id}/close", post(close))
        .route("/conferences/{id}/duplicate", post(duplicate))
        .route("/conferences/{id}/amend", post(amend))
        .route("/points/{id}", get(operate))
        .route("/points/{id}/checkin", post(checkin_form))
        .route("/points/{id}/status", post(point_status))
        .route("/points/{id}/details", post(point_details))
        .route("/points/{id}/headcount", post(headcount))
        .route("/checkin", get(self_form).post(self_checkin))
}

#[derive(Template, WebTemplate)]
#[template(path = "conferences/list.html")]
struct ListPage {
    ui: Ui,
    /// Each conference with its kind and status in words.
    rows: Vec<(ConferenceRow, String, &'static str)>,
    /// For an operator: the points they run, with their conference and status in words.
    points: Vec<(PointRow, ConferenceRow, &'static str)>,
    can_create: bool,
}

async fn list(ctx: Ctx) -> PageResult {
    let l = ctx.lang;
    let rows = ctx
        .app
        .conferences_for(&ctx.caller)
        .await
        .or_page(&ctx)?
        .into_iter()
        .map(|c| {
            let kind = label(KINDS, &c.kind, l).to_string();
            let status = label(dangbo_app::conferences::CONFERENCE_STATUSES, &c.status, l);
            (c, kind, status)
        })
        .collect();
    // Operators without a wider view see the points they run instead.
    let points = if ctx.caller.can(Action::Browse) {
        Vec::new()
    } else {
        ctx.app
            .points_for(&ctx.caller)
            .await
            .or_page(&ctx)?
            .into_iter()
            .map(|(p, c)| {
                let status = label(POINT_STATUSES, &p.status, l);
                (p, c, status)
            })
            .collect()
    };
    Ok(ListPage {
        ui: Ui::new(&ctx, "conferences"),
        rows,
        points,
        can_create: ctx.caller.can(Action::Disseminate),
    }
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
struct ConfForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    organizer: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    documents: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    invited: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "conferences/new.html")]
struct NewPage {
    ui: Ui,
    f: ConfForm,
    kinds: Vec<(&'static str, &'static str)>,
    formats: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

fn new_page(ctx: &Ctx, f: ConfForm, error: Option<String>) -> NewPage {
    let l = ctx.lang;
    NewPage {
        ui: Ui::new(ctx, "conferences"),
        f,
        kinds: KINDS.iter().map(|(c, vi, en)| (*c, l.pick(vi, en))).collect(),
        formats: FORMATS.iter().map(|(c, vi, en)| (*c, l.pick(vi, en))).collect(),
        error,
    }
}

async fn new_form(ctx: Ctx) -> PageResult {
    if !ctx.caller.can(Action::Disseminate) {
        return Err(PageErr::at(&ctx, crate::error::WebError::not_found(ctx.lang)));
    }
    let f = ConfForm {
        kind: "dissemination".into(),
        format: "online".into(),
        starts_at: "08:00".into(),
        held_on: ctx.today.strftime("%d/%m/%Y").to_string(),
        ..ConfForm::default()
    };
    Ok(new_page(&ctx, f, None).into_response())
}

async fn create(ctx: Ctx, Form(f): Form<ConfForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    if !ctx.caller.can(Action::Disseminate) {
        return Err(PageErr::at(&ctx, crate::error::WebError::not_found(ctx.lang)));
    }
    let input = ConferenceInput {
        org: f.org.clone(),
        kind: f.kind.clone(),
        title: f.title.clone(),
        organizer: f.organizer.clone(),
        held_on: f.held_on.clone(),
        starts_at: f.starts_at.clone(),
        format: f.format.clone(),
        place: f.place.clone(),
        documents: f.documents.clone(),
        agenda: f.agenda.clone(),
        invited: f.invited.clone(),
    };
    let r = ctx.app.create_conference(&ctx.caller, &input).await;
    super::answer(
        &ctx,
        r,
        |id| format!("/conferences/{id}"),
        |msg| async { Ok(new_page(&ctx, f, Some(msg)).into_response()) },
    )
    .await
}

struct PointLine {
    point: PointRow,
    status: &'static str,
    indent: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "conferences/detail.html")]
struct DetailPage {
    ui: Ui,
    v: ConferenceView,
    kind: &'static str,
    format: &'static str,
    held_on: String,
    live: LiveOut,
    view_name: String,
    view_code: String,
    points: Vec<PointLine>,
    manage: bool,
    owner: bool,
    error: Option<String>,
    amendments: Vec<dangbo_store::AmendmentRow>,
    conflicts: Vec<(PersonId, String, i64, i64)>,
}

async fn detail_page(ctx: &Ctx, id: i64, org: Option<&str>, error: Option<String>) -> PageResult {
    let l = ctx.lang;
    let v = ctx.app.conference(&ctx.caller, id, l).await.or_page(ctx)?;
    let (_, view, view_name) = crate::live::viewpoint(ctx, id, org).await.or_page(ctx)?;
    let view_code = ctx
        .app
        .org_by_id(view, v.conf.held_on)
        .await
        .or_page(ctx)?
        .map(|o| o.code.to_string())
        .unwrap_or_default();
    let f = ctx.app.figures(id, Some(view)).await.or_page(ctx)?;
    let manage = ctx
        .app
        .conference_for(&ctx.caller, id, Action::Disseminate)
        .await
        .is_ok();
    let owner = ctx
        .app
        .conference_owned(&ctx.caller, id, Action::Disseminate)
        .await
        .is_ok();
    let (amendments, conflicts) = ctx.app.attendance_log(&ctx.caller, id).await.or_page(ctx)?;
    let points = v
        .points
        .iter()
        .map(|(p, depth)| PointLine {
            point: p.clone(),

            status: label(POINT_STATUSES, &p.status, l),
            indent: "— ".repeat(*depth),
        })
        .collect();
    Ok(DetailPage {
        ui: Ui::new(ctx, "conferences"),
        kind: label(KINDS, &v.conf.kind, l),
        format: label(FORMATS, &v.conf.format, l),
        held_on: short(v.conf.held_on),
        live: live_json(&f, &view_name, l),
        view_name,
        view_code,
        points,
        manage,
        owner,
        error,
        amendments,
        conflicts,
        v,
    }
    .into_response())
}

async fn detail(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<crate::live::OrgParam>) -> PageResult {
    detail_page(&ctx, id, q.org(), None).await
}

/// What a failed form on the conference page shows: the page again with the message.
async fn back_with(ctx: &Ctx, id: i64, r: dangbo_app::Result<()>) -> PageResult {
    super::answer(
        ctx,
        r,
        |_| format!("/conferences/{id}"),
        |msg| detail_page(ctx, id, None, Some(msg)),
    )
    .await
}

#[derive(Deserialize, Default)]
struct PointForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    expected: String,
    #[serde(default)]
    under: String,
}

/// The point a new point relays, as typed: empty for none.
fn parent_of(s: &str) -> dangbo_app::Result<Option<i64>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        dangbo_app::AppError::rejected(
            format!("Số điểm cầu tiếp sóng «{s}» phải là một số trong bảng điểm cầu"),
            format!("The relayed point «{s}» must be a number from the table of points"),
        )
    })
}

async fn add_point(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<PointForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let parent = match parent_of(&f.parent) {
        Ok(p) => p,
        Err(e) => return back_with(&ctx, id, Err(e)).await,
    };
    let input = PointInput {
        parent,
        host: f.host.clone(),
        name: f.name.clone(),
        place: f.place.clone(),
        operator: f.operator.clone(),
        expected: f.expected.clone(),
    };
    let r = ctx.app.add_point(&ctx.caller, id, &input).await.map(|_| ());
    back_with(&ctx, id, r).await
}

async fn add_base_points(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<PointForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = match parent_of(&f.parent) {
        Ok(parent) => ctx
            .app
            .add_base_points(&ctx.caller, id, &f.under, parent)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    back_with(&ctx, id, r).await
}

#[derive(Deserialize, Default)]
struct SimpleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    request_id: String,
}

async fn close(ctx: Ctx, AxState(state): AxState<State>, Path(id): Path<i64>, Form(f): Form<SimpleForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx.app.close_conference(&ctx.caller, id).await;
    state.live.changed(id);
    back_with(&ctx, id, r).await
}

async fn duplicate(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<SimpleForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    match ctx
        .app
        .duplicate_conference(&ctx.caller, id, &f.held_on, &f.title)
        .await
    {
        Ok(new) => Ok(Redirect::to(&format!("/conferences/{new}")).into_response()),
        Err(e) => back_with(&ctx, id, Err(e)).await,
    }
}

async fn amend(ctx: Ctx, AxState(state): AxState<State>, Path(id): Path<i64>, Form(f): Form<SimpleForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = match f.person.trim().parse::<i64>() {
        Ok(p) => ctx.app.remove_attendance(&ctx.caller, id, PersonId(p), &f.reason).await,
        Err(_) => Err(dangbo_app::AppError::rejected(
            "Số người không hợp lệ",
            "Not a person number",
        )),
    };
    state.live.changed(id);
    back_with(&ctx, id, r).await
}

struct RosterLine {
    code: String,
    name: String,
    done: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "conferences/operate.html")]
struct OperatePage {
    ui: Ui,
    point: PointRow,
    conf: ConferenceRow,
    status: &'static str,
    statuses: Vec<(&'static str, &'static str)>,
    key: String,
    request_id: String,
    roster: Vec<RosterLine>,
    /// The list shows only the first [`dangbo_app::conferences::ROSTER_MAX`] names.
    roster_cut: bool,
    /// The operator's sign-in name, if one is named.
    operator: String,
    /// Whether the caller runs the conference, and so may change the point's details.
    can_edit: bool,
    counts: Vec<(&'static str, &'static str, i64)>,
    here: usize,
    flash: Option<String>,
}

async fn operate_page(ctx: &Ctx, state: &State, id: i64, flash: Option<String>) -> PageResult {
    let l = ctx.lang;
    let (point, conf) = ctx.app.point_for(&ctx.caller, id).await.or_page(ctx)?;
    let key = ctx
        .app
        .point_key(&ctx.caller, id, &state.live.signer)
        .await
        .or_page(ctx)?;
    let (roster, roster_cut) = ctx.app.roster(&point, conf.held_on).await.or_page(ctx)?;
    let roster = roster
        .into_iter()
        .map(|(p, name, card, done)| RosterLine {
            code: card.unwrap_or_else(|| state.live.person_code(p)),
            name,
            done,
        })
        .collect::<Vec<_>>();
    let tallies = {
        let f = ctx.app.point_tallies(point.id).await.or_page(ctx)?;
        dangbo_app::conferences::CATEGORIES
            .iter()
            .map(|k| {
                let n = f.iter().find(|t| t.category == k.code()).map_or(0, |t| t.counted);
                (k.code(), k.label(l), n)
            })
            .collect()
    };
    let here = roster.iter().filter(|r| r.done).count();
    let operator = ctx.app.operator_name(&point).await.or_page(ctx)?.unwrap_or_default();
    let can_edit = ctx
        .app
        .conference_for(&ctx.caller, conf.id, Action::Disseminate)
        .await
        .is_ok();
    Ok(OperatePage {
        operator,
        can_edit,
        ui: Ui::new(ctx, "conferences"),
        status: label(POINT_STATUSES, &point.status, l),
        statuses: POINT_STATUSES.iter().map(|(c, vi, en)| (*c, l.pick(vi, en))).collect(),
        key,
        request_id: dangbo_app::accounts::random_token(),
        roster,
        roster_cut,
        counts: tallies,
        here,
        flash,
        point,
        conf,
    }
    .into_response())
}

async fn operate(ctx: Ctx, AxState(state): AxState<State>, Path(id): Path<i64>) -> PageResult {
    operate_page(&ctx, &state, id, None).await
}

/// The check-in form without JavaScript: one code per submission.
async fn checkin_form(
    ctx: Ctx,
    AxState(state): AxState<State>,
    Path(id): Path<i64>,
    Form(f): Form<SimpleForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let (point, _) = ctx.app.point_for(&ctx.caller, id).await.or_page(&ctx)?;
    let l = ctx.lang;
    let (person, card) = state
        .live
        .read_code(&f.code)
        .unwrap_or((None, f.code.trim().to_string()));
    let rid = if f.request_id.trim().is_empty() {
        dangbo_app::accounts::random_token()
    } else {
        f.request_id.trim().chars().take(64).collect()
    };
    let out = state
        .live
        .checkin(
            point.conference_id,
            vec![CheckinRequest {
                request_id: rid,
                point_id: point.id,
                code: if person.is_some() { String::new() } else { card },
                person,
                method: "typed".into(),
                by_account: Some(ctx.caller.account_id),
            }],
        )
        .await
        .or_page(&ctx)?;
    let msg = out.first().map(|o| dangbo_app::conferences::describe(o, l).1);
    operate_page(&ctx, &state, id, msg).await
}

async fn point_status(
    ctx: Ctx,
    AxState(state): AxState<State>,
    Path(id): Path<i64>,
    Form(f): Form<SimpleForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let (point, _) = ctx.app.point_for(&ctx.caller, id).await.or_page(&ctx)?;
    let r = ctx.app.set_point_status(&ctx.caller, id, &f.status).await;
    state.live.changed(point.conference_id);
    super::answer(
        &ctx,
        r,
        |_| format!("/points/{id}"),
        |msg| operate_page(&ctx, &state, id, Some(msg)),
    )
    .await
}

#[derive(Deserialize, Default)]
struct DetailsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    expected: String,
}

/// Where a point is, who operates it and how many are expected: set by the office.
async fn point_details(
    ctx: Ctx,
    AxState(state): AxState<State>,
    Path(id): Path<i64>,
    Form(f): Form<DetailsForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    super::answer(
        &ctx,
        ctx.app
            .update_point(&ctx.caller, id, &f.place, &f.operator, &f.expected)
            .await,
        |_| format!("/points/{id}"),
        |msg| operate_page(&ctx, &state, id, Some(msg)),
    )
    .await
}

async fn headcount(
    ctx: Ctx,
    AxState(state): AxState<State>,
    Path(id): Path<i64>,
    Form(f): Form<SimpleForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let (point, _) = ctx.app.point_for(&ctx.caller, id).await.or_page(&ctx)?;
    let r = ctx
        .app
        .report_headcount(&ctx.caller, id, &f.category, &f.count, &f.reason)
        .await;
    state.live.changed(point.conference_id);
    super::answer(
        &ctx,
        r,
        |_| format!("/points/{id}"),
        |msg| operate_page(&ctx, &state, id, Some(msg)),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "conferences/self.html")]
struct SelfPage {
    ui: Ui,
    code: String,
    flash: Option<String>,
    ok: bool,
}

fn linked(ctx: &Ctx) -> Result<(), PageErr> {
    if ctx.caller.person.is_some() {
        Ok(())
    } else {
        Err(PageErr::at(ctx, crate::error::WebError::not_found(ctx.lang)))
    }
}

async fn self_form(ctx: Ctx) -> PageResult {
    linked(&ctx)?;
    Ok(SelfPage {
        ui: Ui::new(&ctx, "checkin"),
        code: String::new(),
        flash: None,
        ok: false,
    }
    .into_response())
}

async fn self_checkin(ctx: Ctx, AxState(state): AxState<State>, Form(f): Form<SimpleForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    linked(&ctx)?;
    let l = ctx.lang;
    let page = |flash: String, ok: bool| SelfPage {
        ui: Ui::new(&ctx, "checkin"),
        code: if ok { String::new() } else { f.code.clone() },
        flash: Some(flash),
        ok,
    };
    match ctx.app.self_checkin(&ctx.caller, &f.code, &state.live).await {
        Ok((o, point)) => {
            let text = match o.status {
                CheckinStatus::Counted | CheckinStatus::Already => {
                    format!("{} {}", l.pick("Đã điểm danh tại", "Checked in at"), point.name)
                }
                _ => dangbo_app::conferences::describe(&o, l).1,
            };
            let ok = matches!(o.status, CheckinStatus::Counted | CheckinStatus::Already);
            Ok(page(text, ok).into_response())
        }
        Err(e) if e.is_form_error() => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(e.message(l), false)).into_response())
        }
        Err(e) => Err(PageErr::at(&ctx, ctx.err(e))),
    }
}
