//! Documents: the registry, registering one, its page with files, targets and tasks,
//! downloading a file, and the list of follow-up tasks with the overdue ones first.

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::access::Action;
use dangbo_app::documents::{DocumentInput, DocumentView, TargetInput, overdue};
use dangbo_domain::date::short;
use dangbo_domain::document::DocKind;
use dangbo_domain::indicator::Indicator;
use dangbo_store::{DocumentRow, TaskRow};
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/documents", get(list).post(create))
        .route("/documents/new", get(new_form))
        .route("/documents/{id}", get(detail))
        .route("/documents/{id}/files", post(attach))
        .route("/documents/{id}/files/{file}", get(download))
        .route("/documents/{id}/tasks", post(add_task))
        .route("/documents/{id}/targets", post(add_target))
        .route("/documents/{id}/indicators", get(indicators))
        .route("/documents/{id}/indicators/{target}", post(report_value))
        .route("/indicator-evidence/{file}", get(evidence))
        .route("/tasks", get(tasks))
        .route("/tasks/{id}/status", post(task_status))
}

fn kind_label(code: &str, l: dangbo_domain::Lang) -> &'static str {
    DocKind::from_code(code).map_or("", |k| k.label(l))
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/list.html")]
struct ListPage {
    ui: Ui,
    rows: Vec<(DocumentRow, &'static str, String)>,
    can_create: bool,
}

fn browse(ctx: &Ctx) -> Result<(), PageErr> {
    if ctx.caller.can(Action::Browse) || ctx.caller.person.is_some() {
        Ok(())
    } else {
        Err(PageErr::at(ctx, WebError::not_found(ctx.lang)))
    }
}

async fn list(ctx: Ctx) -> PageResult {
    browse(&ctx)?;
    let l = ctx.lang;
    let rows = ctx
        .app
        .documents()
        .await
        .or_page(&ctx)?
        .into_iter()
        .map(|d| {
            let kind = kind_label(&d.kind, l);
            let day = short(d.issued_on);
            (d, kind, day)
        })
        .collect();
    Ok(ListPage {
        ui: Ui::new(&ctx, "documents"),
        rows,
        can_create: ctx.caller.can(Action::Disseminate),
    }
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
struct DocForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issued_by: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    solutions: String,
    #[serde(default)]
    kind: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/new.html")]
struct NewPage {
    ui: Ui,
    f: DocForm,
    error: Option<String>,
}

async fn new_form(ctx: Ctx) -> PageResult {
    if !ctx.caller.can(Action::Disseminate) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    Ok(NewPage {
        ui: Ui::new(&ctx, "documents"),
        f: DocForm::default(),
        error: None,
    }
    .into_response())
}

async fn create(ctx: Ctx, Form(f): Form<DocForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    if !ctx.caller.can(Action::Disseminate) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let input = DocumentInput {
        number: f.number.clone(),
        issued_by: f.issued_by.clone(),
        org: f.org.clone(),
        issued_on: f.issued_on.clone(),
        title: f.title.clone(),
        summary: f.summary.clone(),
        solutions: f.solutions.clone(),
        kind: f.kind.clone(),
    };
    let r = ctx.app.register_document(&ctx.caller, &input).await;
    super::answer(
        &ctx,
        r,
        |id| format!("/documents/{id}"),
        |msg| async {
            Ok(NewPage {
                ui: Ui::new(&ctx, "documents"),
                error: Some(msg),
                f,
            }
            .into_response())
        },
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/detail.html")]
struct DetailPage {
    ui: Ui,
    v: DocumentView,
    kind: &'static str,
    issued_on: String,
    solutions: Vec<String>,
    tasks: Vec<(TaskRow, String, String, bool)>,
    manage: bool,
    error: Option<String>,
    /// The target form as typed (kept when it is refused).
    tf: TargetForm,
    /// The indicators to choose from: code and name, the reported kind first.
    indicators: Vec<(&'static str, &'static str)>,
}

/// The form that adds a target to a document.
#[derive(Debug, Clone, Default, Deserialize)]
struct TargetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    comparison: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    value_to: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    level_province: Option<String>,
    #[serde(default)]
    level_district: Option<String>,
    #[serde(default)]
    level_commune: Option<String>,
    #[serde(default)]
    managed_by: String,
}

async fn detail_page(ctx: &Ctx, id: i64, error: Option<String>) -> PageResult {
    detail_with(ctx, id, error, TargetForm::default()).await
}

async fn detail_with(ctx: &Ctx, id: i64, error: Option<String>, tf: TargetForm) -> PageResult {
    browse(ctx)?;
    let v = ctx.app.document(id).await.or_page(ctx)?;
    let path = org_path(ctx, &v).await?;
    let manage = ctx
        .app
        .allows(&ctx.caller, Action::Disseminate, &path, ctx.today)
        .await
        .or_page(ctx)?;
    let tasks = v
        .tasks
        .iter()
        .map(|(t, org)| (t.clone(), org.clone(), short(t.due_on), overdue(t, ctx.today)))
        .collect();
    Ok(DetailPage {
        ui: Ui::new(ctx, "documents"),
        kind: kind_label(&v.doc.kind, ctx.lang),
        issued_on: short(v.doc.issued_on),
        solutions: v
            .doc
            .solutions
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        tasks,
        manage,
        error,
        v,
        tf,
        indicators: std::iter::once((
            "",
            ctx.lang
                .pick("Chỉ tiêu do các tổ chức báo cáo", "Reported by the organizations"),
        ))
        .chain(Indicator::ALL.iter().map(|i| (i.code(), i.name(ctx.lang))))
        .collect(),
    }
    .into_response())
}

/// `POST /documents/{id}/targets`: a target of the document, typed by its office.
async fn add_target(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TargetForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let levels = [
        ("province", &f.level_province),
        ("district", &f.level_district),
        ("commune", &f.level_commune),
    ]
    .into_iter()
    .filter(|(_, on)| on.is_some())
    .map(|(code, _)| code.to_string())
    .collect();
    let input = TargetInput {
        indicator: f.indicator.clone(),
        label: f.label.clone(),
        comparison: f.comparison.clone(),
        value: f.value.clone(),
        value_to: f.value_to.clone(),
        deadline: f.deadline.clone(),
        levels,
        managed_by: f.managed_by.clone(),
    };
    let r = ctx.app.add_target_typed(&ctx.caller, id, &input).await;
    super::answer(
        &ctx,
        r,
        |_| format!("/documents/{id}"),
        |msg| detail_with(&ctx, id, Some(msg), f),
    )
    .await
}

async fn org_path(ctx: &Ctx, v: &DocumentView) -> Result<dangbo_domain::org::OrgPath, PageErr> {
    ctx.app
        .org_by_id(v.doc.org_id, ctx.today)
        .await
        .or_page(ctx)?
        .map(|o| o.path)
        .ok_or_else(|| PageErr::at(ctx, WebError::not_found(ctx.lang)))
}

async fn detail(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    detail_page(&ctx, id, None).await
}

async fn back_with(ctx: &Ctx, id: i64, r: dangbo_app::Result<()>) -> PageResult {
    super::answer(
        ctx,
        r,
        |_| format!("/documents/{id}"),
        |msg| detail_page(ctx, id, Some(msg)),
    )
    .await
}

async fn attach(ctx: Ctx, Path(id): Path<i64>, form: Multipart) -> PageResult {
    let (mut csrf, mut file) = (String::new(), None);
    for part in super::read_multipart(&ctx, form).await? {
        match part.name.as_str() {
            "csrf" => csrf = part.text(),
            "file" => file = part.filename.map(|f| (f, part.data)),
            _ => {}
        }
    }
    ctx.check_csrf(&csrf).or_page(&ctx)?;
    let r = match file {
        Some((name, data)) => ctx
            .app
            .attach_document_file(&ctx.caller, id, &name, &data)
            .await
            .map(|_| ()),
        None => Err(dangbo_app::AppError::rejected("Chưa chọn tệp", "No file chosen")),
    };
    back_with(&ctx, id, r).await
}

async fn download(ctx: Ctx, Path((id, file)): Path<(i64, i64)>) -> PageResult {
    browse(&ctx)?;
    if !ctx.app.document_has_file(id, file).await.or_page(&ctx)? {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let (att, content) = ctx.app.attachment(file).await.or_page(&ctx)?;
    Ok(as_attachment(att, content))
}

/// A stored file sent as a download, never shown inline; its name is given to the
/// browser only in the RFC 5987 form, never raw.
pub fn as_attachment(att: dangbo_store::AttachmentRow, content: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"tep\"; filename*=UTF-8''{}",
        crate::auth::form_urlencoded(&att.filename).replace('+', "%20")
    );
    (
        [
            (header::CONTENT_TYPE, att.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response()
}

#[derive(Deserialize, Default)]
struct TaskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    status: String,
}

async fn add_task(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TaskForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx
        .app
        .add_task(&ctx.caller, Some(id), None, &f.org, &f.title, &f.due)
        .await
        .map(|_| ());
    back_with(&ctx, id, r).await
}

/// A task, its organization's name, and its deadline as shown.
type TaskLine = (TaskRow, String, String);

#[derive(Template, WebTemplate)]
#[template(path = "documents/tasks.html")]
struct TasksPage {
    ui: Ui,
    groups: Vec<(&'static str, Vec<TaskLine>)>,
    manage: bool,
}

async fn tasks(ctx: Ctx) -> PageResult {
    if !ctx.caller.can(Action::Browse) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let all = ctx.app.tasks_for(&ctx.caller).await.or_page(&ctx)?;
    let (mut late, mut open, mut done) = (Vec::new(), Vec::new(), Vec::new());
    for (t, org) in all {
        let due = short(t.due_on);
        if overdue(&t, ctx.today) {
            late.push((t, org, due));
        } else if t.status == "open" {
            open.push((t, org, due));
        } else {
            done.push((t, org, due));
        }
    }
    Ok(TasksPage {
        ui: Ui::new(&ctx, "tasks"),
        groups: vec![
            (ctx.lang.pick("Quá hạn", "Overdue"), late),
            (ctx.lang.pick("Đang thực hiện", "Open"), open),
            (ctx.lang.pick("Đã xong hoặc hủy", "Done or cancelled"), done),
        ],
        manage: ctx.caller.can(Action::Disseminate),
    }
    .into_response())
}

async fn task_status(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TaskForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    ctx.app
        .set_task_status(&ctx.caller, id, &f.status)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to("/tasks").into_response())
}

/// A target as its page shows it.
struct TargetLine {
    id: i64,
    reported: bool,
    /// The evidence of each organization's latest value: name, file.
    evidence: Vec<(String, i64)>,
    label: String,
    name: String,
    definition: String,
    levels: String,
    deadline: String,
    value: String,
    status: &'static str,
    status_code: &'static str,
    /// By organization or level: name, drill-down link, figure.
    parts: Vec<(String, Option<String>, String)>,
    chart: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents/indicators.html")]
struct IndicatorsPage {
    ui: Ui,
    id: i64,
    number: String,
    title: String,
    org: (String, String),
    on: String,
    targets: Vec<TargetLine>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct IndicatorsQuery {
    org: Option<String>,
    on: Option<String>,
}

/// `GET /documents/{id}/indicators`: the targets measured over an organization's subtree
/// on a day, with what each counts, by organization or level, and their trend.
async fn indicators(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<IndicatorsQuery>,
) -> PageResult {
    indicators_page(&ctx, id, q, None).await
}

async fn indicators_page(ctx: &Ctx, id: i64, q: IndicatorsQuery, error: Option<String>) -> PageResult {
    let l = ctx.lang;
    let on = super::day(ctx, q.on.as_deref())?;
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            dangbo_domain::org::OrgCode::parse(s)
                .map_err(|_| PageErr::at(ctx, crate::error::WebError::not_found(l)))?,
        ),
        None => None,
    };
    let v = ctx
        .app
        .indicators(&ctx.caller, id, org.as_ref(), on)
        .await
        .or_page(ctx)?;
    let on_text = dangbo_domain::date::short(on);
    let targets = v
        .targets
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let rows = m
                .trend
                .iter()
                .map(|(d, s)| {
                    (
                        dangbo_domain::date::short(*d),
                        s.value().map_or(0, |v| (v * 100.0) as u64),
                        s.percent().unwrap_or_else(|| "—".into()),
                    )
                })
                .collect();
            TargetLine {
                id: m.target.id,
                reported: m.indicator.is_none(),
                evidence: m.evidence.clone(),
                label: m.target.label.clone(),
                name: m.indicator.map_or_else(
                    || l.pick("Chỉ tiêu báo cáo", "Reported").to_string(),
                    |i| i.name(l).to_string(),
                ),
                definition: m.definition(l),
                levels: m.levels.iter().map(|lv| lv.label(l)).collect::<Vec<_>>().join(", "),
                deadline: dangbo_domain::date::short(m.target.deadline),
                value: dangbo_app::indicators::describe(m, l),
                status: m.status.label(l),
                status_code: m.status.code(),
                parts: m
                    .parts
                    .iter()
                    .map(|(name, code, s)| {
                        let link = code
                            .as_ref()
                            .map(|c| format!("/documents/{id}/indicators?org={c}&on={on_text}"));
                        let figure = format!("{}/{} ({})", s.num, s.den, s.percent().unwrap_or_else(|| "—".into()));
                        (name.clone(), link, figure)
                    })
                    .collect(),
                chart: crate::charts::Bars::scaled(
                    &format!("trend-{i}"),
                    l.pick("Diễn biến theo năm (%)", "Year by year (%)"),
                    rows,
                    10_000,
                )
                .html(),
            }
        })
        .collect();
    Ok(IndicatorsPage {
        ui: Ui::new(ctx, "documents"),
        id,
        number: v.document.number.clone(),
        title: v.document.title.clone(),
        org: (v.org.code.to_string(), v.org.name.to_string()),
        on: on_text,
        targets,
        error,
    }
    .into_response())
}

/// `POST /documents/{id}/indicators/{target}`: an organization reports its value for a
/// target dangbo does not compute, with the evidence attached.
async fn report_value(ctx: Ctx, Path((id, target)): Path<(i64, i64)>, form: axum::extract::Multipart) -> PageResult {
    let parts = super::read_multipart(&ctx, form).await?;
    let text = |n: &str| {
        parts
            .iter()
            .find(|p| p.name == n)
            .map(super::Part::text)
            .unwrap_or_default()
    };
    ctx.check_csrf(&text("csrf")).or_page(&ctx)?;
    let input = dangbo_app::indicators::ReportedInput {
        org: text("org"),
        period_from: text("period_from"),
        period_to: text("period_to"),
        num: text("num"),
        den: text("den"),
        note: text("note"),
    };
    let file = parts.iter().find(|p| p.name == "evidence" && p.filename.is_some());
    let evidence = file.map(|f| (f.filename.as_deref().unwrap_or(""), f.data.as_ref()));
    let r = ctx.app.report_value(&ctx.caller, target, &input, evidence).await;
    let org = input.org.clone();
    let q = IndicatorsQuery {
        org: Some(org.clone()),
        on: None,
    };
    super::answer(
        &ctx,
        r,
        |_| format!("/documents/{id}/indicators?org={}", crate::auth::form_urlencoded(&org)),
        |msg| indicators_page(&ctx, id, q, Some(msg)),
    )
    .await
}

/// The evidence of a reported value, as an attachment.
async fn evidence(ctx: Ctx, Path(file): Path<i64>) -> PageResult {
    let (att, content) = ctx.app.reported_evidence(&ctx.caller, file).await.or_page(&ctx)?;
    Ok(as_attachment(att, content))
}
