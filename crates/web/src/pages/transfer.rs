//! Spreadsheets through the browser: upload, the validation report, confirmation; and
//! exports of any member list or subtree.

use super::members::{ListQuery, filter_for};
use super::{OrPage, PageErr, PageResult, day};
use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Query};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::access::Action;
use dangbo_app::import::{ImportOptions, ImportReport};
use dangbo_domain::date::{iso, parse_date, short};
use dangbo_domain::org::OrgCode;
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/import", get(import_form).post(upload))
        .route("/import/confirm", post(confirm))
        .route("/export/members", get(export_members))
        .route("/export/orgs", get(export_orgs))
}

#[derive(Template, WebTemplate)]
#[template(path = "transfer/import.html")]
struct ImportPage {
    ui: Ui,
    on: String,
    skip: bool,
    error: Option<String>,
    report: Option<ReportView>,
}

struct ReportView {
    filename: String,
    token: String,
    rows: usize,
    created: usize,
    updated: usize,
    transferred: usize,
    rejected: usize,
    errors: Vec<String>,
    applied: bool,
    can_confirm: bool,
}

fn view(ctx: &Ctx, filename: String, token: String, r: &ImportReport, skip: bool) -> ReportView {
    ReportView {
        filename,
        token,
        rows: r.rows,
        created: r.created,
        updated: r.updated,
        transferred: r.transferred,
        rejected: r.rejected_rows,
        errors: r.errors.iter().take(200).map(|e| e.message(ctx.lang)).collect(),
        applied: r.applied,
        can_confirm: !r.applied && r.rows > 0 && (r.errors.is_empty() || (skip && r.rejected_rows < r.rows)),
    }
}

fn require(ctx: &Ctx) -> Result<(), PageErr> {
    if ctx.caller.can(Action::Import) {
        Ok(())
    } else {
        Err(PageErr::at(ctx, WebError::not_found(ctx.lang)))
    }
}

async fn import_form(ctx: Ctx) -> PageResult {
    require(&ctx)?;
    Ok(ImportPage {
        ui: Ui::new(&ctx, "import"),
        on: iso(ctx.today),
        skip: false,
        error: None,
        report: None,
    }
    .into_response())
}

/// The importer's options for this caller: only organizations in their scope.
async fn options(ctx: &Ctx, on: dangbo_domain::Date, skip: bool, dry_run: bool) -> Result<ImportOptions, PageErr> {
    let scope = ctx
        .app
        .scope_roots(&ctx.caller, Action::Import, on)
        .await
        .or_page(ctx)?
        .map(|roots| roots.into_iter().map(|r| r.path).collect());
    Ok(ImportOptions {
        skip_invalid: skip,
        scope,
        dry_run,
        ..ImportOptions::on(on)
    })
}

async fn upload(ctx: Ctx, form: Multipart) -> PageResult {
    require(&ctx)?;
    let l = ctx.lang;
    let (mut csrf, mut on, mut skip, mut file) = (String::new(), iso(ctx.today), false, None);
    for part in super::read_multipart(&ctx, form).await? {
        match part.name.as_str() {
            "csrf" => csrf = part.text(),
            "on" => on = part.text(),
            "skip_invalid" => skip = true,
            "file" => file = part.filename.map(|f| (f, part.data)),
            _ => {}
        }
    }
    ctx.check_csrf(&csrf).or_page(&ctx)?;
    let page = |error: Option<String>, report: Option<ReportView>| ImportPage {
        ui: Ui::new(&ctx, "import"),
        on: on.clone(),
        skip,
        error,
        report,
    };
    let Some((filename, data)) = file.filter(|(f, d)| !f.is_empty() && !d.is_empty()) else {
        let msg = l
            .pick("Hãy chọn một tệp bảng tính", "Choose a spreadsheet file")
            .to_string();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(Some(msg), None)).into_response());
    };
    let day = match parse_date(&on) {
        Ok(d) => d,
        Err(e) => return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(Some(e.message(l)), None)).into_response()),
    };
    let token = match ctx.app.stage_upload(ctx.caller.account_id, &filename, &data).await {
        Ok(t) => t,
        Err(e) if e.is_user_error() => {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(Some(e.message(l)), None)).into_response());
        }
        Err(e) => return Err(PageErr::at(&ctx, ctx.err(e))),
    };
    let opts = options(&ctx, day, skip, true).await?;
    match ctx.app.import_upload(ctx.caller.account_id, &token, &opts).await {
        Ok((name, report)) => Ok(page(None, Some(view(&ctx, name, token, &report, skip))).into_response()),
        Err(e) if e.is_user_error() => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(Some(e.message(l)), None)).into_response())
        }
        Err(e) => Err(PageErr::at(&ctx, ctx.err(e))),
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    upload: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    skip_invalid: Option<String>,
}

async fn confirm(ctx: Ctx, Form(f): Form<ConfirmForm>) -> PageResult {
    require(&ctx)?;
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let on = day(&ctx, Some(&f.on))?;
    let skip = f.skip_invalid.is_some();
    let opts = options(&ctx, on, skip, false).await?;
    let (name, report) = ctx
        .app
        .import_upload(ctx.caller.account_id, &f.upload, &opts)
        .await
        .or_page(&ctx)?;
    let status = if report.applied {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        ImportPage {
            ui: Ui::new(&ctx, "import"),
            on: iso(on),
            skip,
            error: None,
            report: Some(view(&ctx, name, String::new(), &report, skip)),
        },
    )
        .into_response())
}

#[derive(Deserialize)]
struct Format {
    format: Option<String>,
}

/// A file to download, named for the list and the day.
pub(super) fn download(ctx: &Ctx, name: &str, ext: &str, bytes: Vec<u8>) -> axum::response::Response {
    let kind = if ext == "csv" {
        "text/csv; charset=utf-8"
    } else {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    };
    let filename = format!("{name}-{}.{ext}", iso(ctx.today));
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Runs an export into a private temporary file and returns its bytes.
pub(super) async fn to_bytes<F, Fut>(ctx: &Ctx, ext: &str, write: F) -> Result<Vec<u8>, PageErr>
where
    F: FnOnce(std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = Result<usize, dangbo_app::AppError>>,
{
    let dir = std::env::temp_dir().join(format!("dangbo-export-{}", dangbo_app::accounts::random_token()));
    std::fs::create_dir(&dir).map_err(|e| PageErr::at(ctx, WebError::internal(&e)))?;
    let path = dir.join(format!("xuat.{ext}"));
    let result = write(path.clone()).await;
    let bytes = result.map(|_| std::fs::read(&path));
    let _ = std::fs::remove_dir_all(&dir);
    match bytes {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) => Err(PageErr::at(ctx, WebError::internal(&e))),
        Err(e) => Err(PageErr::at(ctx, ctx.err(e))),
    }
}

fn ext(f: &Format) -> &'static str {
    if f.format.as_deref() == Some("csv") {
        "csv"
    } else {
        "xlsx"
    }
}

async fn export_members(ctx: Ctx, Query(q): Query<ListQuery>, Query(f): Query<Format>) -> PageResult {
    let (filter, org, _) = filter_for(&ctx, &q, Action::Export).await?;
    let label = org
        .as_ref()
        .map_or_else(|| "org:*".to_string(), |o| format!("org:{}", o.code));
    let ext = ext(&f);
    let app = ctx.app.clone();
    let bytes = to_bytes(&ctx, ext, |path| async move {
        app.export_filtered(&filter, &label, &path).await
    })
    .await?;
    let name = format!(
        "dang-vien-{}",
        org.map_or_else(|| "tat-ca".to_string(), |o| o.code.to_string())
    );
    Ok(download(&ctx, &name, ext, bytes))
}

#[derive(Deserialize)]
struct OrgExport {
    org: String,
    on: Option<String>,
    format: Option<String>,
}

async fn export_orgs(ctx: Ctx, Query(q): Query<OrgExport>) -> PageResult {
    let on = day(&ctx, q.on.as_deref())?;
    let code = OrgCode::parse(&q.org).map_err(|_| PageErr::at(&ctx, WebError::not_found(ctx.lang)))?;
    ctx.app
        .org_for(&ctx.caller, Action::Export, &code, on)
        .await
        .or_page(&ctx)?;
    let ext = ext(&Format { format: q.format });
    let app = ctx.app.clone();
    let c = code.clone();
    let bytes = to_bytes(&ctx, ext, |path| async move { app.export_orgs(&c, on, &path).await }).await?;
    let _ = short(on);
    Ok(download(&ctx, &format!("to-chuc-{code}"), ext, bytes))
}
