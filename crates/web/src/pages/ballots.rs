//! Nominations and secret ballots: the office's pages that set up the steps, open a
//! ballot and print its voting slips; the vote-counting board's count and lock; the
//! minutes; and the voter's pages, which need no account: a code from a slip opens the
//! ballot, and nothing of the voter is read or written (no session is even looked at).

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::{Ctx, anonymous_lang};
use crate::error::WebError;
use crate::ui::{Ui, qr_svg};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State as St};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::ballots::{BallotSettings, BallotView, Cast, Minutes, NominationInput, VoterBallot, status_words};
use dangbo_domain::Lang;
use dangbo_domain::ballot::{BallotKind, Base, Share, choices_from_form};
use dangbo_domain::org::OrgCode;
use dangbo_store::{BallotRow, NominationRow};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/nominations", get(list).post(create))
        .route("/nominations/{id}", get(nomination))
        .route("/ballots/{id}", get(ballot))
        .route("/ballots/{id}/settings", post(settings))
        .route("/ballots/{id}/open", post(open))
        .route("/ballots/{id}/slips", post(slips))
        .route("/ballots/{id}/close", post(close))
        .route("/ballots/{id}/count", post(count))
        .route("/ballots/{id}/lock", post(lock))
        .route("/ballots/{id}/minutes", get(minutes))
        .route("/vote", get(vote_form).post(vote))
        .route("/vote/check", get(check))
}

#[derive(Deserialize, Default, Clone)]
struct NominationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    plan_list: String,
    #[serde(default)]
    steps: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ballots/nominations.html")]
struct ListPage {
    ui: Ui,
    org: String,
    org_name: String,
    rows: Vec<NominationRow>,
    can_plan: bool,
    f: NominationForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct OrgQuery {
    org: Option<String>,
}

async fn list_page(ctx: &Ctx, org: &str, f: NominationForm, error: Option<String>) -> PageResult {
    let code = OrgCode::parse(org.trim()).map_err(|_| PageErr::at(ctx, WebError::not_found(ctx.lang)))?;
    let (o, rows) = ctx.app.nominations(&ctx.caller, &code).await.or_page(ctx)?;
    let can_plan = ctx
        .app
        .allows(&ctx.caller, dangbo_app::access::Action::Plan, &o.path, ctx.today)
        .await
        .or_page(ctx)?;
    Ok(ListPage {
        ui: Ui::new(ctx, "orgs"),
        org: code.to_string(),
        org_name: o.name.to_string(),
        rows,
        can_plan,
        f,
        error,
    }
    .into_response())
}

async fn list(ctx: Ctx, Query(q): Query<OrgQuery>) -> PageResult {
    let f = NominationForm {
        steps: "Hội nghị cán bộ chủ chốt\nHội nghị Ban Chấp hành\nHội nghị Ban Thường vụ".into(),
        ..NominationForm::default()
    };
    list_page(&ctx, q.org.as_deref().unwrap_or_default(), f, None).await
}

async fn create(ctx: Ctx, Form(f): Form<NominationForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let input = NominationInput {
        org: f.org.clone(),
        title: f.title.clone(),
        plan_list: f.plan_list.clone(),
        steps: f.steps.clone(),
    };
    let r = ctx.app.create_nomination(&ctx.caller, &input).await;
    let org = f.org.clone();
    super::answer(
        &ctx,
        r,
        |id| format!("/nominations/{id}"),
        |msg| list_page(&ctx, &org, f, Some(msg)),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "ballots/nomination.html")]
struct NominationPage {
    ui: Ui,
    n: NominationRow,
    org: (String, String),
    /// Each ballot with its status in words.
    ballots: Vec<(BallotRow, &'static str)>,
}

async fn nomination(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (n, org, ballots) = ctx.app.nomination(&ctx.caller, id).await.or_page(&ctx)?;
    let ballots = ballots
        .into_iter()
        .map(|b| {
            let s = status_words(&b.status, ctx.lang);
            (b, s)
        })
        .collect();
    Ok(NominationPage {
        ui: Ui::new(&ctx, "orgs"),
        n,
        org: (org.code.to_string(), org.name.to_string()),
        ballots,
    }
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    conference: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    max_choices: String,
    #[serde(default)]
    base: String,
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    quorum: Option<String>,
    #[serde(default)]
    board: String,
    #[serde(default)]
    candidates: String,
}

impl SettingsForm {
    fn of(v: &BallotView) -> SettingsForm {
        let (kind, max) = v.ballot.kind.code();
        SettingsForm {
            csrf: String::new(),
            name: v.ballot.name.clone(),
            conference: v.ballot.conference_id.map(|c| c.to_string()).unwrap_or_default(),
            mode: v.ballot.mode.clone(),
            kind: kind.into(),
            max_choices: if max > 0 { max.to_string() } else { String::new() },
            base: v.ballot.base.code().into(),
            threshold: v.ballot.threshold.code(),
            quorum: v.ballot.quorum.map(|_| "on".into()),
            board: v.board.iter().map(|b| b.1.clone()).collect::<Vec<_>>().join(", "),
            candidates: String::new(),
        }
    }
}

/// One row of the results table: ordinal, name, year of birth, agree, disagree,
/// percentage, reached.
type ResultRow = (i64, String, i16, String, String, String, Option<bool>);

#[derive(Template, WebTemplate)]
#[template(path = "ballots/ballot.html")]
struct BallotPage {
    ui: Ui,
    v: BallotView,
    status: &'static str,
    kind: String,
    threshold: String,
    base: &'static str,
    rows: Vec<ResultRow>,
    f: SettingsForm,
    bases: Vec<(&'static str, &'static str)>,
    thresholds: Vec<(&'static str, String)>,
    present: usize,
    error: Option<String>,
}

fn result_rows(v: &BallotView) -> Vec<ResultRow> {
    v.candidates
        .iter()
        .map(|c| {
            let o = c.outcome.as_ref();
            (
                c.candidate.ordinal,
                c.candidate.name.clone(),
                c.candidate.birth.year(),
                o.map(|o| o.agree.to_string()).unwrap_or_default(),
                c.candidate.disagree.map(|d| d.to_string()).unwrap_or_default(),
                o.map(|o| o.percent.clone()).unwrap_or_default(),
                o.map(|o| o.reached),
            )
        })
        .collect()
}

async fn ballot_page(ctx: &Ctx, id: i64, f: Option<SettingsForm>, error: Option<String>) -> PageResult {
    let v = ctx.app.ballot(&ctx.caller, id).await.or_page(ctx)?;
    let l = ctx.lang;
    let f = f.unwrap_or_else(|| SettingsForm::of(&v));
    Ok(BallotPage {
        ui: Ui::new(ctx, "orgs"),
        status: status_words(&v.ballot.status, l),
        kind: v.ballot.kind.describe(l),
        threshold: v.ballot.threshold.describe(l),
        base: l.pick(v.ballot.base.vi(), v.ballot.base.en()),
        rows: result_rows(&v),
        present: v.convened.iter().filter(|c| c.2).count(),
        f,
        bases: Base::ALL.iter().map(|b| (b.code(), l.pick(b.vi(), b.en()))).collect(),
        thresholds: Share::OFFERED.iter().map(|(c, s)| (*c, s.describe(l))).collect(),
        error,
        v,
    }
    .into_response())
}

async fn ballot(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    ballot_page(&ctx, id, None, None).await
}

async fn settings(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<SettingsForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let s = BallotSettings {
        name: f.name.clone(),
        conference: f.conference.clone(),
        mode: f.mode.clone(),
        kind: f.kind.clone(),
        max_choices: f.max_choices.clone(),
        base: f.base.clone(),
        threshold: f.threshold.clone(),
        quorum: f.quorum.is_some(),
        board: f.board.clone(),
        candidates: f.candidates.clone(),
    };
    let r = ctx.app.configure_ballot(&ctx.caller, id, &s).await;
    super::answer(
        &ctx,
        r,
        |()| format!("/ballots/{id}"),
        |msg| ballot_page(&ctx, id, Some(f), Some(msg)),
    )
    .await
}

#[derive(Deserialize, Default)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    count: String,
}

async fn open(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx.app.open_ballot(&ctx.caller, id).await;
    super::answer(
        &ctx,
        r,
        |()| format!("/ballots/{id}"),
        |msg| ballot_page(&ctx, id, None, Some(msg)),
    )
    .await
}

async fn close(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx.app.close_ballot(&ctx.caller, id).await;
    super::answer(
        &ctx,
        r,
        |()| format!("/ballots/{id}"),
        |msg| ballot_page(&ctx, id, None, Some(msg)),
    )
    .await
}

async fn lock(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<CsrfForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx.app.lock_ballot(&ctx.caller, id).await;
    super::answer(
        &ctx,
        r,
        |_| format!("/ballots/{id}"),
        |msg| ballot_page(&ctx, id, None, Some(msg)),
    )
    .await
}

async fn count(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<HashMap<String, String>>) -> PageResult {
    ctx.check_csrf(f.get("csrf").map_or("", String::as_str)).or_page(&ctx)?;
    let get = |k: &str| f.get(k).map_or("", String::as_str);
    let n = f.keys().filter(|k| k.starts_with("agree_")).count();
    let counts: Vec<(String, String)> = (1..=n)
        .map(|i| {
            (
                get(&format!("agree_{i}")).to_string(),
                get(&format!("disagree_{i}")).to_string(),
            )
        })
        .collect();
    let r = ctx
        .app
        .enter_count(&ctx.caller, id, [get("issued"), get("returned"), get("valid")], &counts)
        .await;
    super::answer(
        &ctx,
        r,
        |()| format!("/ballots/{id}"),
        |msg| ballot_page(&ctx, id, None, Some(msg)),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "ballots/slips.html")]
struct SlipsPage {
    ui: Ui,
    id: i64,
    title: String,
    name: String,
    /// Each slip: its number on the sheet, the code and the QR as SVG.
    slips: Vec<(usize, String, String)>,
    vote_url: String,
}

/// Where voters go, as the QR codes and the slips print it.
fn vote_url(state: &State, headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}/vote")
}

/// Prints the slips: the codes are in this response only, never stored.
async fn slips(
    ctx: Ctx,
    St(state): St<State>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    match ctx.app.issue_slips(&ctx.caller, id, &f.count).await {
        Ok(codes) => {
            let v = ctx.app.ballot(&ctx.caller, id).await.or_page(&ctx)?;
            let url = vote_url(&state, &headers);
            let slips = codes
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let qr = qr_svg(&format!("{url}?c={c}"), 120);
                    (i + 1, c, qr)
                })
                .collect();
            let mut res = SlipsPage {
                ui: Ui::new(&ctx, "orgs"),
                id,
                title: v.nomination.title,
                name: v.ballot.name,
                slips,
                vote_url: url,
            }
            .into_response();
            // The sheet must not stay in any cache.
            res.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        Err(e) if e.is_form_error() => {
            let page = ballot_page(&ctx, id, None, Some(e.message(ctx.lang))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(PageErr::at(&ctx, ctx.err(e))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ballots/minutes.html")]
struct MinutesPage {
    ui: Ui,
    m: Minutes,
    rows: Vec<ResultRow>,
    threshold: String,
    base: &'static str,
    invalid: u64,
    reached: usize,
    chair: String,
}

async fn minutes(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let m = ctx.app.minutes(&ctx.caller, id).await.or_page(&ctx)?;
    Ok(MinutesPage {
        ui: Ui::new(&ctx, "orgs"),
        rows: result_rows(&m.view),
        threshold: m.view.ballot.threshold.describe(Lang::Vi),
        base: m.view.ballot.base.vi(),
        invalid: m.view.ballot.totals.invalid(),
        reached: m.view.reached(),
        chair: m.view.board.first().map(|b| b.2.clone()).unwrap_or_default(),
        m,
    }
    .into_response())
}

// The voter's pages. They take no `Ctx`: a session, if the phone has one, is not read.

#[derive(Deserialize, Default)]
struct CodeQuery {
    #[serde(default)]
    c: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ballots/vote.html")]
struct VotePage {
    ui: Ui,
    code: String,
    ballot: Option<VoterBallot>,
    choose: u32,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "ballots/voted.html")]
struct VotedPage {
    ui: Ui,
    heading: String,
    receipt: Option<String>,
    ballot: i64,
    counted: Option<bool>,
}

fn vote_page(state: &State, lang: Lang, code: String, ballot: Option<VoterBallot>, error: Option<String>) -> Response {
    let choose = match ballot.as_ref().map(|b| b.kind) {
        Some(BallotKind::Choose(n)) => n,
        _ => 0,
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut res = (
        status,
        VotePage {
            ui: Ui::anonymous(lang, "/vote", state.app.clock.today()),
            code,
            ballot,
            choose,
            error,
        },
    )
        .into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

async fn vote_form(St(state): St<State>, headers: HeaderMap, Query(q): Query<CodeQuery>) -> Response {
    let lang = anonymous_lang(&headers);
    if q.c.trim().is_empty() {
        return vote_page(&state, lang, String::new(), None, None);
    }
    match state.app.ballot_for_code(&q.c).await {
        Ok(b) if b.used.is_some() => voted(&state, lang, None, b.used.unwrap_or_default()),
        Ok(b) => vote_page(&state, lang, q.c.trim().to_string(), Some(b), None),
        Err(e) => vote_page(&state, lang, q.c.trim().to_string(), None, Some(e.message(lang))),
    }
}

async fn vote(St(state): St<State>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let lang = anonymous_lang(&headers);
    let code = f.get("code").cloned().unwrap_or_default();
    let ballot = match state.app.ballot_for_code(&code).await {
        Ok(b) if b.used.is_some() => return voted(&state, lang, None, b.used.unwrap_or_default()),
        Ok(b) => b,
        Err(e) => return vote_page(&state, lang, code, None, Some(e.message(lang))),
    };
    let choices = choices_from_form(ballot.kind, ballot.candidates.len(), |k| f.get(k).map(String::as_str));
    match state.app.cast(&code, &choices).await {
        Ok(Cast::Counted { receipt }) => voted(&state, lang, Some(ballot.id), receipt),
        Ok(Cast::AlreadyCounted { receipt }) => voted(&state, lang, None, receipt),
        Err(e) => vote_page(&state, lang, code, Some(ballot), Some(e.message(lang))),
    }
}

fn voted(state: &State, lang: Lang, ballot: Option<i64>, receipt: String) -> Response {
    let heading = match ballot {
        Some(_) => lang.pick("Phiếu của đồng chí đã được ghi nhận", "Your ballot is recorded"),
        None => lang.pick(
            "Mã này đã được dùng: phiếu của mã này đã được ghi nhận trước đó",
            "This code has been used: its ballot was recorded before",
        ),
    };
    VotedPage {
        ui: Ui::anonymous(lang, "/vote", state.app.clock.today()),
        heading: heading.to_string(),
        receipt: Some(receipt),
        ballot: ballot.unwrap_or_default(),
        counted: None,
    }
    .into_response()
}

#[derive(Deserialize, Default)]
struct CheckQuery {
    #[serde(default)]
    b: i64,
    #[serde(default)]
    r: String,
}

async fn check(St(state): St<State>, headers: HeaderMap, Query(q): Query<CheckQuery>) -> Response {
    let lang = anonymous_lang(&headers);
    let counted = state.app.check_receipt(q.b, &q.r).await;
    let (heading, counted) = match counted {
        Ok(Some(true)) => (
            lang.pick(
                "Phiếu có mã xác nhận này đã được kiểm",
                "A ballot with this receipt was counted",
            ),
            Some(true),
        ),
        Ok(Some(false)) => (
            lang.pick(
                "Không có phiếu nào với mã xác nhận này",
                "No ballot with this receipt was counted",
            ),
            Some(false),
        ),
        Ok(None) => (
            lang.pick(
                "Cuộc bỏ phiếu chưa kết thúc: hãy kiểm tra sau khi kết thúc",
                "The ballot has not closed yet: check once it has",
            ),
            None,
        ),
        Err(_) => (lang.pick("Không có cuộc bỏ phiếu này", "No such ballot"), Some(false)),
    };
    VotedPage {
        ui: Ui::anonymous(lang, "/vote", state.app.clock.today()),
        heading: heading.to_string(),
        receipt: Some(q.r.trim().to_string()).filter(|r| !r.is_empty()),
        ballot: q.b,
        counted,
    }
    .into_response()
}
