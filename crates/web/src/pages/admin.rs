//! Administration: searching the audit log and the list of accounts with their roles.

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::Query;
use axum::response::IntoResponse;
use axum::routing::get;
use dangbo_app::access::Action;
use dangbo_app::planning::RuleSetInput;
use dangbo_domain::planning::RULE_PARAMS;
use dangbo_store::{AuditEntry, AuditQuery};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/admin/audit", get(audit))
        .route("/admin/accounts", get(accounts))
        .route("/admin/rules", get(rules).post(save_rules))
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

/// A rule set as the page shows it: source, first day, note, each parameter (key,
/// label, value, unconfirmed).
pub struct RuleSetLine {
    pub source: String,
    pub from: String,
    pub note: String,
    pub unconfirmed: String,
    pub params: Vec<(&'static str, &'static str, String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/rules.html")]
struct RulesPage {
    ui: Ui,
    sets: Vec<RuleSetLine>,
    /// The blank form for a new set: each parameter's key and label.
    params: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn rules_page(ctx: &Ctx, error: Option<String>) -> PageResult {
    if !ctx.caller.can(Action::Administer) {
        return Err(PageErr::at(ctx, WebError::not_found(ctx.lang)));
    }
    let l = ctx.lang;
    let sets = ctx
        .app
        .rule_sets()
        .await
        .or_page(ctx)?
        .into_iter()
        .map(|(r, note)| RuleSetLine {
            params: RULE_PARAMS
                .iter()
                .map(|(k, vi, en)| {
                    (
                        *k,
                        l.pick(vi, en),
                        r.get(k).unwrap_or_default().to_string(),
                        r.unconfirmed.iter().any(|u| u == k),
                    )
                })
                .collect(),
            source: r.source.clone(),
            from: dangbo_domain::date::short(r.from),
            unconfirmed: r.unconfirmed.join(", "),
            note,
        })
        .collect();
    Ok(RulesPage {
        ui: Ui::new(ctx, "rules"),
        sets,
        params: RULE_PARAMS.iter().map(|(k, vi, en)| (*k, l.pick(vi, en))).collect(),
        error,
    }
    .into_response())
}

async fn rules(ctx: Ctx) -> PageResult {
    rules_page(&ctx, None).await
}

async fn save_rules(ctx: Ctx, Form(f): Form<HashMap<String, String>>) -> PageResult {
    ctx.check_csrf(f.get("csrf").map_or("", String::as_str)).or_page(&ctx)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = RuleSetInput {
        editing: get("editing"),
        source: get("source"),
        from: get("from"),
        params: RULE_PARAMS
            .iter()
            .filter_map(|(k, _, _)| {
                f.get(*k)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (k.to_string(), v.clone()))
            })
            .collect(),
        unconfirmed: get("unconfirmed"),
        note: get("note"),
    };
    let r = ctx.app.save_rule_set(&ctx.caller, &input).await;
    super::answer(
        &ctx,
        r,
        |()| "/admin/rules".to_string(),
        |msg| rules_page(&ctx, Some(msg)),
    )
    .await
}
