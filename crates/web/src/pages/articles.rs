//! News articles: the office drafts one from a conference, edits and publishes it; the
//! public pages list and show the published ones, with related articles, to anyone,
//! without signing in and without a script, and show nothing else.

use super::{OrPage, PageErr, PageResult};
use crate::State;
use crate::auth::{Ctx, anonymous_lang};
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State as St};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use dangbo_app::articles::paragraphs;
use dangbo_domain::date::timestamp_short;
use dangbo_domain::org::OrgCode;
use dangbo_store::ArticleRow;
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/articles", get(list).post(draft))
        .route("/articles/{id}", get(edit).post(save))
        .route("/articles/{id}/publish", post(publish))
        .route("/tin-tuc", get(public_list))
        .route("/tin-tuc/{id}", get(public_article))
}

#[derive(Deserialize, Default)]
struct OrgQuery {
    org: Option<String>,
}

fn code_of(ctx: &Ctx, s: &str) -> Result<OrgCode, PageErr> {
    OrgCode::parse(s.trim()).map_err(|_| PageErr::at(ctx, WebError::not_found(ctx.lang)))
}

/// An article line: id, headline, published (when) or draft.
type Line = (i64, String, Option<String>);

fn line(a: &ArticleRow) -> Line {
    (a.id, a.title.clone(), a.published_at.as_deref().map(timestamp_short))
}

#[derive(Template, WebTemplate)]
#[template(path = "articles/list.html")]
struct ListPage {
    ui: Ui,
    org: (String, String),
    rows: Vec<Line>,
}

async fn list(ctx: Ctx, Query(q): Query<OrgQuery>) -> PageResult {
    let code = code_of(&ctx, q.org.as_deref().unwrap_or_default())?;
    let (o, rows) = ctx.app.articles(&ctx.caller, &code).await.or_page(&ctx)?;
    Ok(ListPage {
        ui: Ui::new(&ctx, "conferences"),
        org: (o.code.to_string(), o.name.to_string()),
        rows: rows.iter().map(line).collect(),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
struct DraftForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    conference: i64,
    #[serde(default)]
    org: String,
}

async fn draft(ctx: Ctx, Form(f): Form<DraftForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let code = code_of(&ctx, &f.org)?;
    let id = ctx
        .app
        .draft_article(&ctx.caller, f.conference, &code)
        .await
        .or_page(&ctx)?;
    Ok(axum::response::Redirect::to(&format!("/articles/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "articles/edit.html")]
struct EditPage {
    ui: Ui,
    a: ArticleRow,
    org: (String, String),
    paragraphs: Vec<String>,
    error: Option<String>,
}

async fn edit_page(ctx: &Ctx, id: i64, typed: Option<&EditForm>, error: Option<String>) -> PageResult {
    let (mut a, o) = ctx.app.article(&ctx.caller, id).await.or_page(ctx)?;
    if let Some(t) = typed {
        a.title.clone_from(&t.title);
        a.body.clone_from(&t.body);
        a.author.clone_from(&t.author);
    }
    Ok(EditPage {
        ui: Ui::new(ctx, "conferences"),
        paragraphs: paragraphs(&a.body),
        org: (o.code.to_string(), o.name.to_string()),
        a,
        error,
    }
    .into_response())
}

async fn edit(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    edit_page(&ctx, id, None, None).await
}

#[derive(Deserialize, Default)]
struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    author: String,
}

async fn save(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<EditForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let r = ctx
        .app
        .edit_article(&ctx.caller, id, f.version, &f.title, &f.body, &f.author)
        .await;
    super::answer(
        &ctx,
        r,
        |()| format!("/articles/{id}"),
        |msg| edit_page(&ctx, id, Some(&f), Some(msg)),
    )
    .await
}

#[derive(Deserialize, Default)]
struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    publish: String,
}

async fn publish(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<PublishForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    ctx.app
        .publish_article(&ctx.caller, id, f.publish == "1")
        .await
        .or_page(&ctx)?;
    Ok(axum::response::Redirect::to(&format!("/articles/{id}")).into_response())
}

// The public pages: no `Ctx`, nobody needs to sign in.

#[derive(Template, WebTemplate)]
#[template(path = "articles/public_list.html")]
struct PublicListPage {
    ui: Ui,
    org: Option<(String, String)>,
    rows: Vec<Line>,
}

fn not_found(lang: dangbo_domain::Lang) -> Response {
    super::error_response(&WebError::not_found(lang), lang, false)
}

async fn public_list(St(state): St<State>, headers: HeaderMap, Query(q): Query<OrgQuery>) -> Response {
    let lang = anonymous_lang(&headers);
    let code = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match OrgCode::parse(s) {
            Ok(c) => Some(c),
            Err(_) => return not_found(lang),
        },
        None => None,
    };
    match state.app.public_articles(code.as_ref()).await {
        Ok((org, rows)) => PublicListPage {
            ui: Ui::anonymous(lang, "/tin-tuc", state.app.clock.today()),
            org: org.map(|o| (o.code.to_string(), o.name.to_string())),
            rows: rows.iter().map(line).collect(),
        }
        .into_response(),
        Err(_) => not_found(lang),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "articles/public.html")]
struct PublicPage {
    ui: Ui,
    a: ArticleRow,
    org: (String, String),
    published: String,
    paragraphs: Vec<String>,
    related: Vec<Line>,
}

async fn public_article(St(state): St<State>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let lang = anonymous_lang(&headers);
    match state.app.public_article(id).await {
        Ok(p) => PublicPage {
            ui: Ui::anonymous(lang, &format!("/tin-tuc/{id}"), state.app.clock.today()),
            published: p
                .article
                .published_at
                .as_deref()
                .map(timestamp_short)
                .unwrap_or_default(),
            paragraphs: paragraphs(&p.article.body),
            org: (p.org.code.to_string(), p.org.name.to_string()),
            related: p.related.iter().map(line).collect(),
            a: p.article,
        }
        .into_response(),
        Err(_) => not_found(lang),
    }
}
