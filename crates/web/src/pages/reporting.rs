//! The reporting regime's pages: an organization's requests (made and received), a new
//! request, a request's follow-up (who submitted, who is late, reminders, the compiled
//! table and its spreadsheet), and an organization's form with its version for
//! optimistic locking.

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
use dangbo_app::reporting::{FormView, RequestInput, RequestView};
use dangbo_domain::date::short;
use dangbo_domain::org::OrgCode;
use dangbo_domain::report::FieldKind;
use dangbo_store::RequestRow;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/reports", get(list).post(create))
        .route("/reports/{id}", get(request))
        .route("/reports/{id}/remind", post(remind))
        .route("/reports/{id}/export", get(export))
        .route("/reports/{id}/form", get(form).post(save))
}

#[derive(Deserialize, Default, Clone)]
struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    period_from: String,
    #[serde(default)]
    period_to: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    fields: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reporting/list.html")]
struct ListPage {
    ui: Ui,
    org: (String, String),
    /// Requests made: id, title, deadline.
    made: Vec<(i64, String, String)>,
    /// Requests received: id, title, deadline, status in words.
    asked: Vec<(i64, String, String, &'static str)>,
    f: RequestForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct OrgQuery {
    org: Option<String>,
}

fn status_words(status: &str, ctx: &Ctx) -> &'static str {
    match status {
        "submitted" => ctx.lang.pick("Đã nộp", "Submitted"),
        "draft" => ctx.lang.pick("Đang soạn", "Draft"),
        _ => ctx.lang.pick("Chưa nộp", "Not yet"),
    }
}

/// The organization a page is about: the one asked for, or the caller's own.
async fn org_or_own(ctx: &Ctx, org: Option<&str>) -> Result<OrgCode, PageErr> {
    if let Some(s) = org.map(str::trim).filter(|s| !s.is_empty()) {
        return OrgCode::parse(s).map_err(|_| PageErr::at(ctx, WebError::not_found(ctx.lang)));
    }
    let roots = ctx
        .app
        .scope_roots(&ctx.caller, Action::Report, ctx.today)
        .await
        .or_page(ctx)?;
    let first = match roots {
        Some(r) => r.into_iter().next(),
        None => ctx.app.roots(ctx.today).await.or_page(ctx)?.into_iter().next(),
    };
    first
        .map(|o| o.code)
        .ok_or_else(|| PageErr::at(ctx, WebError::not_found(ctx.lang)))
}

async fn list_page(ctx: &Ctx, org: Option<&str>, f: RequestForm, error: Option<String>) -> PageResult {
    let code = org_or_own(ctx, org).await?;
    let (o, made, asked) = ctx.app.report_requests(&ctx.caller, &code).await.or_page(ctx)?;
    let f = RequestForm {
        org: code.to_string(),
        ..f
    };
    let row = |r: &RequestRow| (r.id, r.title.clone(), short(r.deadline));
    Ok(ListPage {
        ui: Ui::new(ctx, "reports"),
        org: (o.code.to_string(), o.name.to_string()),
        made: made.iter().map(row).collect(),
        asked: asked
            .iter()
            .map(|(r, s)| (r.id, r.title.clone(), short(r.deadline), status_words(s, ctx)))
            .collect(),
        f,
        error,
    }
    .into_response())
}

async fn list(ctx: Ctx, Query(q): Query<OrgQuery>) -> PageResult {
    let f = RequestForm {
        fields: "Số đảng viên | số | đảng viên\nSố chi bộ | số | chi bộ\nSố đảng viên được học tập | số\nKết quả nổi bật, hạn chế | chữ".into(),
        ..RequestForm::default()
    };
    list_page(&ctx, q.org.as_deref(), f, None).await
}

async fn create(ctx: Ctx, Form(f): Form<RequestForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let input = RequestInput {
        org: f.org.clone(),
        title: f.title.clone(),
        period_from: f.period_from.clone(),
        period_to: f.period_to.clone(),
        deadline: f.deadline.clone(),
        fields: f.fields.clone(),
    };
    let r = ctx.app.create_report_request(&ctx.caller, &input).await;
    let org = f.org.clone();
    super::answer(
        &ctx,
        r,
        |id| format!("/reports/{id}"),
        |msg| list_page(&ctx, Some(&org), f, Some(msg)),
    )
    .await
}

/// An organization asked: code, name, status in words, submitted, late, last saved,
/// reminders.
type Line = (String, String, &'static str, bool, bool, String, Vec<String>);

#[derive(Template, WebTemplate)]
#[template(path = "reporting/request.html")]
struct RequestPage {
    ui: Ui,
    v: RequestView,
    period: String,
    deadline: String,
    lines: Vec<Line>,
    compiled: (Vec<(String, Vec<String>)>, Vec<String>),
    numeric: Vec<bool>,
    error: Option<String>,
}

async fn request_page(ctx: &Ctx, id: i64, error: Option<String>) -> PageResult {
    let v = ctx.app.report_request(&ctx.caller, id).await.or_page(ctx)?;
    let lines = v
        .lines
        .iter()
        .map(|l| {
            (
                l.org.code.to_string(),
                l.org.name.to_string(),
                status_words(&l.submission.status, ctx),
                l.submission.status == "submitted",
                l.late,
                l.submission
                    .updated
                    .as_ref()
                    .map(|(by, at)| {
                        let who = by.strip_prefix("user:").unwrap_or(by);
                        format!("{who}, {}", dangbo_domain::date::timestamp_short(at))
                    })
                    .unwrap_or_default(),
                l.reminders.clone(),
            )
        })
        .collect();
    Ok(RequestPage {
        ui: Ui::new(ctx, "reports"),
        period: format!("{} – {}", short(v.request.period.0), short(v.request.period.1)),
        deadline: short(v.request.deadline),
        compiled: v.compiled(),
        numeric: v.fields.iter().map(|f| f.kind == FieldKind::Number).collect(),
        lines,
        error,
        v,
    }
    .into_response())
}

async fn request(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    request_page(&ctx, id, None).await
}

#[derive(Deserialize, Default)]
struct RemindForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
}

async fn remind(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<RemindForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let only = match f.org.trim() {
        "" => None,
        s => Some(OrgCode::parse(s).map_err(|_| PageErr::at(&ctx, WebError::not_found(ctx.lang)))?),
    };
    let r = ctx.app.remind(&ctx.caller, id, only.as_ref()).await;
    super::answer(
        &ctx,
        r,
        |_| format!("/reports/{id}"),
        |msg| request_page(&ctx, id, Some(msg)),
    )
    .await
}

async fn export(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let app = ctx.app.clone();
    let caller = ctx.caller.clone();
    let bytes = super::transfer::to_bytes(&ctx, "xlsx", |path| async move {
        app.export_compiled(&caller, id, &path).await
    })
    .await?;
    Ok(super::transfer::download(&ctx, &format!("bao-cao-{id}"), "xlsx", bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "reporting/form.html")]
struct FormPage {
    ui: Ui,
    v: FormView,
    period: String,
    deadline: String,
    /// Each field: key, label, is text, value.
    fields: Vec<(String, String, bool, String)>,
    submitted_at: String,
    error: Option<String>,
}

async fn form_page(
    ctx: &Ctx,
    id: i64,
    org: &str,
    typed: Option<&HashMap<String, String>>,
    error: Option<String>,
) -> PageResult {
    let code = OrgCode::parse(org.trim()).map_err(|_| PageErr::at(ctx, WebError::not_found(ctx.lang)))?;
    let v = ctx.app.report_form(&ctx.caller, id, &code).await.or_page(ctx)?;
    let fields = v
        .values
        .iter()
        .map(|(f, value)| {
            let shown = typed
                .and_then(|t| t.get(&f.key).cloned())
                .unwrap_or_else(|| value.clone());
            (f.key.clone(), f.label.clone(), f.kind == FieldKind::Text, shown)
        })
        .collect();
    Ok(FormPage {
        ui: Ui::new(ctx, "reports"),
        period: format!("{} – {}", short(v.request.period.0), short(v.request.period.1)),
        deadline: short(v.request.deadline),
        fields,
        submitted_at: v
            .submission
            .submitted_at
            .as_deref()
            .map(dangbo_domain::date::timestamp_short)
            .unwrap_or_default(),
        error,
        v,
    }
    .into_response())
}

async fn form(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<OrgQuery>) -> PageResult {
    form_page(&ctx, id, q.org.as_deref().unwrap_or_default(), None, None).await
}

async fn save(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<OrgQuery>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    ctx.check_csrf(f.get("csrf").map_or("", String::as_str)).or_page(&ctx)?;
    let org = q.org.unwrap_or_default();
    let code = OrgCode::parse(org.trim()).map_err(|_| PageErr::at(&ctx, WebError::not_found(ctx.lang)))?;
    let version: i64 = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let answers: Vec<(String, String)> = f
        .iter()
        .filter(|(k, _)| k.starts_with('f') && k[1..].chars().all(|c| c.is_ascii_digit()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let submit = f.get("action").map(String::as_str) == Some("submit");
    let r = ctx
        .app
        .save_report(&ctx.caller, id, &code, version, &answers, submit)
        .await;
    super::answer(
        &ctx,
        r,
        |()| format!("/reports/{id}/form?org={org}"),
        |msg| form_page(&ctx, id, &org, Some(&f), Some(msg)),
    )
    .await
}
