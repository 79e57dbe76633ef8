//! Signing in and out, the language switch, the dashboard, and "my record".

use super::{OrPage, PageResult};
use crate::State;
use crate::auth::{ClientAddress, Ctx, LANG_COOKIE, LOGIN_COOKIE, SESSION_COOKIE, anonymous_lang, cookie, set_cookie};
use crate::charts::Bars;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State as St};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::access::Action;
use dangbo_app::accounts::{Opened, SESSION_HOURS, SignIn, random_token};
use dangbo_app::members::{AGE_BANDS, MemberStats};
use dangbo_app::signing::same;
use dangbo_domain::Lang;
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/", get(dashboard))
        .route("/login", get(login_form).post(login))
        .route("/login/code", post(login_code))
        .route("/logout", post(logout))
        .route("/lang/{lang}", get(switch_lang))
        .route("/me", get(me))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    ui: Ui,
    token: String,
    next: String,
    username: String,
    error: Option<String>,
    /// Set when the password was right and the authenticator's code is asked for.
    pending: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site: never `//elsewhere` or `https://…`.
/// Where to go after signing in or changing the language: a path on this site, never
/// another site. Browsers drop tabs and line breaks from a URL, so `/<tab>/evil.tld`
/// would become `//evil.tld`; any control character or space is refused with the rest.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn login_page(
    state: &State,
    lang: Lang,
    next: String,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    code_page(state, lang, next, username, String::new(), error, status)
}

/// The sign-in page; with `pending`, its second step, which asks for the code.
fn code_page(
    state: &State,
    lang: Lang,
    next: String,
    username: String,
    pending: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let page = LoginPage {
        ui: Ui::anonymous(lang, "/login", state.app.clock.today()),
        token: token.clone(),
        next,
        username,
        error,
        pending,
    };
    let cookie = set_cookie(LOGIN_COOKIE, &token, 3600, state.config.secure_cookies);
    (status, [(header::SET_COOKIE, cookie)], page).into_response()
}

async fn login_form(St(state): St<State>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let lang = anonymous_lang(&headers);
    login_page(
        &state,
        lang,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn login(
    St(state): St<State>,
    ClientAddress(from): ClientAddress,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = anonymous_lang(&headers);
    let next = safe_next(Some(&f.next));
    if !paired(&headers, &f.csrf) {
        let msg = crate::error::WebError::csrf(lang).message;
        return login_page(&state, lang, next, f.username, Some(msg), StatusCode::FORBIDDEN);
    }
    match state.app.sign_in(&f.username, &f.password, lang, from.as_deref()).await {
        Ok(SignIn::Open(opened)) => signed_in(&state, &opened, &next),
        Ok(SignIn::Code(pending)) => code_page(&state, lang, next, f.username, pending, None, StatusCode::OK),
        Err(e) if e.is_user_error() => login_page(
            &state,
            lang,
            next,
            f.username,
            Some(e.message(lang)),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => super::error_response(&crate::error::WebError::internal(&e), lang, false),
    }
}

/// Whether a sign-in form's token is the one its page set in the cookie.
fn paired(headers: &HeaderMap, csrf: &str) -> bool {
    cookie(headers, LOGIN_COOKIE).is_some_and(|c| same(c.as_bytes(), csrf.as_bytes()))
}

/// The session's cookie set, the sign-in form's cookie gone, and on to `next`.
fn signed_in(state: &State, opened: &Opened, next: &str) -> Response {
    let c = set_cookie(
        SESSION_COOKIE,
        &opened.token,
        SESSION_HOURS * 3600,
        state.config.secure_cookies,
    );
    let gone = set_cookie(LOGIN_COOKIE, "", 0, state.config.secure_cookies);
    let mut res = Redirect::to(next).into_response();
    for c in [c, gone] {
        res.headers_mut().append(
            header::SET_COOKIE,
            c.parse().unwrap_or_else(|_| header::HeaderValue::from_static("")),
        );
    }
    res
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    pending: String,
    #[serde(default)]
    code: String,
}

/// The second step of signing in: the code of the authenticator app.
async fn login_code(
    St(state): St<State>,
    ClientAddress(from): ClientAddress,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Response {
    let lang = anonymous_lang(&headers);
    let next = safe_next(Some(&f.next));
    if !paired(&headers, &f.csrf) {
        let msg = crate::error::WebError::csrf(lang).message;
        return login_page(&state, lang, next, String::new(), Some(msg), StatusCode::FORBIDDEN);
    }
    match state.app.sign_in_code(&f.pending, &f.code, from.as_deref()).await {
        Ok(opened) => signed_in(&state, &opened, &next),
        Err(e) if e.is_user_error() => code_page(
            &state,
            lang,
            next,
            String::new(),
            f.pending,
            Some(e.message(lang)),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => super::error_response(&crate::error::WebError::internal(&e), lang, false),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(ctx: Ctx, St(state): St<State>, Form(f): Form<CsrfForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    ctx.app.logout(&ctx.token).await.or_page(&ctx)?;
    let gone = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok(([(header::SET_COOKIE, gone)], Redirect::to("/login")).into_response())
}

#[derive(Deserialize)]
struct BackQuery {
    back: Option<String>,
}

async fn switch_lang(
    St(state): St<State>,
    headers: HeaderMap,
    Path(lang): Path<String>,
    Query(q): Query<BackQuery>,
) -> Response {
    let lang = Lang::parse(&lang).unwrap_or_default();
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        // Unknown or expired sessions change nothing; the cookie below still applies.
        let _ = state.app.set_session_lang(token, lang).await;
    }
    let c = set_cookie(
        LANG_COOKIE,
        lang.pick("vi", "en"),
        365 * 86_400,
        state.config.secure_cookies,
    );
    ([(header::SET_COOKIE, c)], Redirect::to(&safe_next(q.back.as_deref()))).into_response()
}

/// One organization the caller looks after, summed up.
pub struct ScopeCard {
    pub code: String,
    pub name: String,
    pub stats: MemberStats,
    pub orgs: u64,
    pub cells: u64,
    /// When the counts were made.
    pub at: String,
    pub age_chart: String,
    pub status_chart: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct Dashboard {
    ui: Ui,
    name: String,
    scopes: Vec<ScopeCard>,
    can_members: bool,
    has_person: bool,
}

/// The age and status charts of a subtree.
pub fn stat_charts(l: Lang, code: &str, s: &MemberStats, ui: &Ui) -> (String, String) {
    let ages = AGE_BANDS
        .iter()
        .zip(s.by_age)
        .map(|((vi, en), n)| (l.pick(vi, en).to_string(), n, ui.num(n)))
        .collect();
    let age = Bars::new(
        &format!("age-{code}"),
        l.pick("Đảng viên theo độ tuổi", "Members by age"),
        ages,
    )
    .html();
    let status = Bars::new(
        &format!("status-{code}"),
        l.pick("Đảng viên theo tình trạng và giới tính", "Members by status and gender"),
        vec![
            (l.pick("Chính thức", "Full").into(), s.full, ui.num(s.full)),
            (
                l.pick("Dự bị", "Probationary").into(),
                s.probationary,
                ui.num(s.probationary),
            ),
            (l.pick("Nữ", "Women").into(), s.women, ui.num(s.women)),
            (
                l.pick("Nam", "Men").into(),
                s.members - s.women,
                ui.num(s.members - s.women),
            ),
            (l.pick("Miễn sinh hoạt", "Exempt").into(), s.exempt, ui.num(s.exempt)),
        ],
    )
    .html();
    (age, status)
}

async fn dashboard(ctx: Ctx) -> PageResult {
    let ui = Ui::new(&ctx, "home");
    let roots = ctx
        .app
        .scope_roots(&ctx.caller, Action::Browse, ctx.today)
        .await
        .or_page(&ctx)?;
    let roots = match roots {
        Some(r) => r,
        None => ctx.app.roots(ctx.today).await.or_page(&ctx)?,
    };
    let mut scopes = Vec::new();
    for org in roots.iter().take(6) {
        let summary = ctx.app.summary(&org.code, ctx.today).await.or_page(&ctx)?;
        let stats = summary.stats();
        let (orgs, cells) = (summary.orgs, summary.cells);
        let (age_chart, status_chart) = stat_charts(ctx.lang, org.code.as_str(), &stats, &ui);
        scopes.push(ScopeCard {
            code: org.code.to_string(),
            name: org.name.to_string(),
            orgs,
            cells,
            at: crate::ui::moment(&summary.at),
            stats,
            age_chart,
            status_chart,
        });
    }
    Ok(Dashboard {
        name: ctx.caller.display_name.clone(),
        can_members: ctx.caller.can(Action::ViewMembers),
        has_person: ctx.caller.person.is_some(),
        scopes,
        ui,
    }
    .into_response())
}

async fn me(ctx: Ctx) -> PageResult {
    match ctx.caller.person {
        Some(p) => Ok(Redirect::to(&format!("/members/{}", p.0)).into_response()),
        None => Err(super::PageErr::at(&ctx, crate::error::WebError::not_found(ctx.lang))),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/members?org=LS")), "/members?org=LS");
        for bad in [
            "//evil.tld",
            "/\\evil.tld",
            "/\t/evil.tld",
            "/\n/evil.tld",
            "/\r//evil.tld",
            "https://evil.tld",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
