//! Cadre planning: an organization's planning lists, one list as it stood on a day with
//! the findings of the rule set then in force and a review round's counts, and the forms
//! that add cadres and take them out with a reason and a decision.

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::access::Action;
use dangbo_app::planning::{PlanListInput, PlanView};
use dangbo_domain::date::short;
use dangbo_domain::member::PersonId;
use dangbo_domain::org::OrgCode;
use dangbo_domain::planning::{RemovalReason, Severity};
use dangbo_store::PlanListRow;
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/plans", get(list).post(create))
        .route("/plans/{id}", get(detail))
        .route("/plans/{id}/add", post(add))
        .route("/plans/{id}/remove", post(remove))
}

#[derive(Deserialize, Default, Clone)]
struct ListForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    term_ordinal: String,
    #[serde(default)]
    term_years: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    size: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/list.html")]
struct ListPage {
    ui: Ui,
    org: String,
    org_name: String,
    lists: Vec<(PlanListRow, String)>,
    can_plan: bool,
    f: ListForm,
    error: Option<String>,
}

fn org_of(ctx: &Ctx, s: &str) -> Result<OrgCode, PageErr> {
    OrgCode::parse(s.trim()).map_err(|_| PageErr::at(ctx, WebError::not_found(ctx.lang)))
}

async fn list_page(ctx: &Ctx, org: &str, f: ListForm, error: Option<String>) -> PageResult {
    let code = org_of(ctx, org)?;
    let (o, lists) = ctx.app.plan_lists(&ctx.caller, &code).await.or_page(ctx)?;
    let can_plan = ctx
        .app
        .allows(&ctx.caller, Action::Plan, &o.path, ctx.today)
        .await
        .or_page(ctx)?;
    Ok(ListPage {
        ui: Ui::new(ctx, "orgs"),
        org: code.to_string(),
        org_name: o.name.to_string(),
        lists,
        can_plan,
        f,
        error,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
struct OrgQuery {
    org: Option<String>,
}

async fn list(ctx: Ctx, Query(q): Query<OrgQuery>) -> PageResult {
    list_page(&ctx, q.org.as_deref().unwrap_or_default(), ListForm::default(), None).await
}

async fn create(ctx: Ctx, Form(f): Form<ListForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let input = PlanListInput {
        org: f.org.clone(),
        term_ordinal: f.term_ordinal.clone(),
        term_years: f.term_years.clone(),
        target: f.target.clone(),
        size: f.size.clone(),
    };
    let r = ctx.app.create_plan_list(&ctx.caller, &input).await;
    let org = f.org.clone();
    super::answer(
        &ctx,
        r,
        |id| format!("/plans/{id}"),
        |msg| list_page(&ctx, &org, f, Some(msg)),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/detail.html")]
struct DetailPage {
    ui: Ui,
    v: PlanView,
    on: String,
    since: String,
    round: String,
    /// The plan's count against the body's size, in seed 003's words.
    size_sentence: Option<String>,
    /// Each finding, and whether it breaks a hard rule.
    findings: Vec<(dangbo_domain::planning::Finding, bool)>,
    /// Each cadre in the plan: id, name, year of birth, added on, by.
    rows: Vec<(i64, String, i16, String, String)>,
    reasons: Vec<(&'static str, &'static str)>,
    can_plan: bool,
    error: Option<String>,
    /// What was typed in the form refused.
    typed: ChangeForm,
    /// The first day of the rule set in force.
    rules_from: String,
}

#[derive(Deserialize, Default)]
struct DayQuery {
    on: Option<String>,
    since: Option<String>,
}

async fn detail_page(
    ctx: &Ctx,
    id: i64,
    on: Option<&str>,
    since: Option<&str>,
    refused: Option<(String, ChangeForm)>,
) -> PageResult {
    let (error, typed) = match refused {
        Some((msg, typed)) => (Some(msg), typed),
        None => (None, ChangeForm::default()),
    };
    let on = super::day(ctx, on)?;
    let since = match since.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => super::day(ctx, Some(s))?,
        None => on.checked_sub(jiff::Span::new().years(1)).unwrap_or(on),
    };
    let v = ctx.app.plan(&ctx.caller, id, on).await.or_page(ctx)?;
    let round = ctx
        .app
        .plan_round(&ctx.caller, id, since, on)
        .await
        .or_page(ctx)?
        .sentence(ctx.lang);
    let can_plan = ctx
        .app
        .allows(&ctx.caller, Action::Plan, &v.org.path, on)
        .await
        .or_page(ctx)?;
    let l = ctx.lang;
    // Seed 003's words for a body's plan against the size of the sitting term's body:
    // "26 đồng chí, đạt 1,04 lần so với số lượng khóa XIV".
    // (A first term has no term before it to compare with.)
    let size_sentence = if v.list.target.starts_with("body:") && v.list.term.ordinal > 1 {
        dangbo_domain::planning::plan_size_sentence(
            v.entries.len() as u64,
            v.list.size.max(0) as u64,
            v.list.term.ordinal.saturating_sub(1),
            l,
        )
    } else {
        None
    };
    Ok(DetailPage {
        ui: Ui::new(ctx, "orgs"),
        size_sentence,
        on: short(on),
        since: short(since),
        round,
        findings: v
            .findings
            .iter()
            .map(|f| (f.clone(), f.severity == Severity::Breach))
            .collect(),
        rows: v
            .entries
            .iter()
            .map(|e| {
                (
                    e.entry.person.0,
                    e.name.clone(),
                    e.birth.year(),
                    short(e.entry.added_on),
                    e.entry.added_by.clone(),
                )
            })
            .collect(),
        reasons: REASONS.iter().map(|r| (r.code(), r.label(l))).collect(),
        can_plan,
        error,
        typed,
        rules_from: short(v.rules.from),
        v,
    }
    .into_response())
}

const REASONS: [RemovalReason; 6] = [
    RemovalReason::Age,
    RemovalReason::Discipline,
    RemovalReason::Transfer,
    RemovalReason::Health,
    RemovalReason::Request,
    RemovalReason::Other,
];

async fn detail(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<DayQuery>) -> PageResult {
    detail_page(&ctx, id, q.on.as_deref(), q.since.as_deref(), None).await
}

#[derive(Deserialize, Default, Clone)]
struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cadre: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    decision: String,
    /// Why a change that breaks a hard rule is made anyway.
    #[serde(default)]
    override_reason: String,
}

impl ChangeForm {
    fn change(&self) -> dangbo_app::planning::PlanChange<'_> {
        dangbo_app::planning::PlanChange {
            on: &self.on,
            decision: &self.decision,
            override_reason: &self.override_reason,
        }
    }
}

/// After a change: the list again, or the form's page with the message and what was
/// typed (so that an override's reason can be added without typing the rest again).
async fn back(ctx: &Ctx, id: i64, r: dangbo_app::Result<()>, typed: ChangeForm) -> PageResult {
    super::answer(
        ctx,
        r,
        |_| format!("/plans/{id}"),
        |msg| detail_page(ctx, id, None, None, Some((msg, typed))),
    )
    .await
}

async fn add(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ChangeForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx.app.add_to_plan(&ctx.caller, id, &f.cadre, f.change()).await;
    back(&ctx, id, r, f).await
}

async fn remove(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ChangeForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = match f.person.trim().parse::<i64>() {
        Ok(p) => {
            ctx.app
                .remove_from_plan(&ctx.caller, id, PersonId(p), &f.reason, f.change())
                .await
        }
        Err(_) => Err(dangbo_app::AppError::rejected(
            "Chọn đồng chí cần đưa ra khỏi quy hoạch",
            "Choose the cadre to take out of the plan",
        )),
    };
    back(&ctx, id, r, f).await
}
