//! Administration: searching the audit log and the list of accounts with their roles.

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::response::IntoResponse;
use axum::routing::get;
use dangbo_app::access::Action;
use dangbo_store::{AuditEntry, AuditQuery};
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/admin/audit", get(audit))
        .route("/admin/accounts", get(accounts))
}

#[derive(Deserialize, Default)]
struct AuditForm {
    actor: Option<String>,
    action: Option<String>,
    subject: Option<String>,
    before: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ui: Ui,
    actor: String,
    action: String,
    subject: String,
    entries: Vec<AuditEntry>,
    older: Option<String>,
}

const AUDIT_PAGE: i64 = 100;

async fn audit(ctx: Ctx, Query(q): Query<AuditForm>) -> PageResult {
    let query = AuditQuery {
        actor: q.actor.clone(),
        action: q.action.clone(),
        subject: q.subject.clone(),
        before: q.before,
        limit: AUDIT_PAGE,
    };
    let entries = ctx.app.audit_search(&ctx.caller, &query).await.or_page(&ctx)?;
    let enc = |s: &Option<String>| crate::auth::form_urlencoded(s.as_deref().unwrap_or_default());
    let older = (entries.len() as i64 == AUDIT_PAGE).then(|| {
        format!(
            "actor={}&action={}&subject={}&before={}",
            enc(&q.actor),
            enc(&q.action),
            enc(&q.subject),
            entries.last().map_or(0, |e| e.id)
        )
    });
    Ok(AuditPage {
        ui: Ui::new(&ctx, "audit"),
        actor: q.actor.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        subject: q.subject.unwrap_or_default(),
        entries,
        older,
    }
    .into_response())
}

/// An account line.
pub struct AccountLine {
    pub username: String,
    pub name: String,
    pub grants: Vec<String>,
    pub disabled: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/accounts.html")]
struct AccountsPage {
    ui: Ui,
    accounts: Vec<AccountLine>,
}

async fn accounts(ctx: Ctx) -> PageResult {
    if !ctx.caller.can(Action::Administer) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let l = ctx.lang;
    let accounts = ctx
        .app
        .accounts()
        .await
        .or_page(&ctx)?
        .into_iter()
        .map(|a| AccountLine {
            username: a.account.username,
            name: a.account.display_name,
            disabled: a.account.disabled,
            grants: a.grants.iter().map(|(g, code)| g.describe(code.as_ref(), l)).collect(),
        })
        .collect();
    Ok(AccountsPage {
        ui: Ui::new(&ctx, "accounts"),
        accounts,
    }
    .into_response())
}
