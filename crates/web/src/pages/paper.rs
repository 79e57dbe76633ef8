//! Documents in the party's format, downloaded from the pages they belong to:
//! `/paper/{kind}/{id}?org=CODE&on=dd/mm/yyyy&format=pdf|docx|xlsx`, for whoever may read
//! what they are made of. Every download is audited.

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use dangbo_app::paperwork::ReportKind;
use dangbo_domain::org::OrgCode;
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new().route("/paper/{kind}/{id}", get(download))
}

#[derive(Deserialize, Default)]
struct PaperQuery {
    org: Option<String>,
    on: Option<String>,
    format: Option<String>,
}

async fn download(ctx: Ctx, Path((kind, id)): Path<(String, i64)>, Query(q): Query<PaperQuery>) -> PageResult {
    let not_found = || PageErr::at(&ctx, WebError::not_found(ctx.lang));
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(OrgCode::parse(s).map_err(|_| not_found())?),
        None => None,
    };
    let on = super::day(&ctx, q.on.as_deref())?;
    let kind = match kind.as_str() {
        "minutes" => ReportKind::Minutes { ballot: id },
        "indicators" => ReportKind::Indicators { document: id, org, on },
        "study" => ReportKind::Study { campaign: id, org },
        "conference" => ReportKind::Conference { conference: id, org },
        "plan" => ReportKind::Plan { list: id, on },
        _ => return Err(not_found()),
    };
    let doc = ctx.app.report_doc(&ctx.caller, &kind, None).await.or_page(&ctx)?;
    let format = q.format.as_deref().unwrap_or("pdf");
    let (bytes, mime, ext) = match format {
        "docx" => (
            dangbo_app::paper::render_docx(&doc).or_page(&ctx)?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        "xlsx" => (
            super::transfer::to_bytes(&ctx, "xlsx", |path| async move {
                dangbo_app::paper::write_tables(&doc, &path)
            })
            .await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => (
            dangbo_app::paper::render_pdf(&doc).or_page(&ctx)?,
            "application/pdf",
            "pdf",
        ),
    };
    ctx.app
        .record("paper.download", &format!("{kind:?}"), format)
        .await
        .or_page(&ctx)?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"van-ban-{id}.{ext}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
