//! One's own account: changing the password, and the second factor (the codes of an
//! authenticator app), which office and administrator accounts are urged to turn on.

use super::{OrPage, PageResult};
use crate::State;
use crate::auth::{Ctx, SESSION_COOKIE, set_cookie};
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State as St};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::access::Role;
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/account", get(page))
        .route("/account/password", post(password))
        .route("/account/2fa/offer", post(offer))
        .route("/account/2fa/on", post(on))
        .route("/account/2fa/off", post(off))
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    ui: Ui,
    username: String,
    /// Whether the account holds a role the second factor is meant for.
    urged: bool,
    on: bool,
    since: String,
    /// The offered secret, grouped, and its QR code.
    offer: Option<(String, String)>,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn render(ctx: &Ctx, error: Option<String>, done: &str) -> PageResult {
    let f = ctx.app.second_factor(&ctx.caller).await.or_page(ctx)?;
    let l = ctx.lang;
    let done = match done {
        "on" => Some(l.pick(
            "Đã bật xác thực hai bước: từ lần đăng nhập sau, hệ thống hỏi mã trên ứng dụng",
            "Two-step sign-in is on: from the next sign-in you will be asked for the app's code",
        )),
        "off" => Some(l.pick("Đã tắt xác thực hai bước", "Two-step sign-in is off")),
        _ => None,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        AccountPage {
            ui: Ui::new(ctx, "account"),
            username: ctx.caller.username.clone(),
            urged: ctx
                .caller
                .grants
                .iter()
                .any(|g| matches!(g.role, Role::Office | Role::Admin)),
            on: f.on,
            since: f.since.as_deref().map(crate::ui::moment).unwrap_or_default(),
            offer: f.offer.map(|(secret, uri)| (secret, crate::ui::qr_svg(&uri, 200))),
            error,
            done: done.map(str::to_string),
        },
    )
        .into_response())
}

async fn page(ctx: Ctx, Query(q): Query<DoneQuery>) -> PageResult {
    render(&ctx, None, &q.done).await
}

#[derive(Deserialize)]
struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
    #[serde(default)]
    code: String,
}

/// What a refused change says on the page again; anything else is an error page.
async fn again(ctx: &Ctx, r: dangbo_app::Result<()>, done: &str) -> PageResult {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/account?done={done}")).into_response()),
        Err(e) if e.is_user_error() => render(ctx, Some(e.message(ctx.lang)), "").await,
        Err(e) => Err(super::PageErr::at(ctx, ctx.err(e))),
    }
}

async fn password(ctx: Ctx, St(state): St<State>, Form(f): Form<AccountForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    if f.password != f.again {
        let msg = ctx.lang.pick(
            "Hai lần nhập mật khẩu mới không giống nhau",
            "The two new passwords differ",
        );
        return render(&ctx, Some(msg.into()), "").await;
    }
    match ctx.app.change_password(&ctx.caller, &f.current, &f.password).await {
        // Every session ended, this one too: sign in again with the new password.
        Ok(()) => {
            let gone = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
            Ok(([(header::SET_COOKIE, gone)], Redirect::to("/login")).into_response())
        }
        Err(e) => again(&ctx, Err(e), "").await,
    }
}

async fn offer(ctx: Ctx, Form(f): Form<AccountForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx.app.offer_second_factor(&ctx.caller).await;
    again(&ctx, r, "offer").await
}

async fn on(ctx: Ctx, Form(f): Form<AccountForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx.app.enable_second_factor(&ctx.caller, &f.code).await;
    again(&ctx, r, "on").await
}

async fn off(ctx: Ctx, Form(f): Form<AccountForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx.app.disable_second_factor(&ctx.caller, &f.current).await;
    again(&ctx, r, "off").await
}
