//! The HTML pages: one module per area, one template struct per page.

mod account;
mod admin;
mod articles;
mod ballots;
mod conferences;
pub(crate) mod documents;
mod home;
pub mod members;
mod orgs;
mod paper;
mod planning;
mod reporting;
mod study;
mod transfer;

use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use dangbo_app::AppError;
use dangbo_domain::{Date, Lang};

pub fn routes() -> Router<State> {
    Router::new()
        .merge(home::routes())
        .merge(account::routes())
        .merge(orgs::routes())
        .merge(members::routes())
        .merge(transfer::routes())
        .merge(admin::routes())
        .merge(conferences::routes())
        .merge(planning::routes())
        .merge(ballots::routes())
        .merge(reporting::routes())
        .merge(articles::routes())
        .merge(paper::routes())
        .merge(documents::routes())
        .merge(study::routes())
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    ui: Ui,
    heading: String,
    message: String,
}

/// An error as a page, or as JSON for the API.
pub fn error_response(e: &WebError, lang: Lang, api: bool) -> Response {
    if api {
        return crate::api::error_json(e);
    }
    render_error(e, Ui::anonymous(lang, "/", dangbo_app::Clock::System.today()))
}

fn render_error(e: &WebError, ui: Ui) -> Response {
    let l = ui.l;
    let heading = match e.status.as_u16() {
        404 => l.pick("Không tìm thấy", "Not found"),
        403 => l.pick("Không thực hiện được", "Not allowed"),
        500 => l.pick("Lỗi hệ thống", "System error"),
        _ => l.pick("Yêu cầu không hợp lệ", "Invalid request"),
    };
    let page = ErrorPage {
        ui,
        heading: heading.into(),
        message: e.message.clone(),
    };
    (e.status, page).into_response()
}

/// A failed page request, shown in the layout of the person who made it.
pub struct PageErr {
    /// What went wrong.
    pub err: WebError,
    ui: Box<Ui>,
}

impl PageErr {
    /// An error page for `ctx`'s caller.
    pub fn at(ctx: &Ctx, err: WebError) -> PageErr {
        PageErr {
            err,
            ui: Box::new(Ui::new(ctx, "")),
        }
    }
}

impl IntoResponse for PageErr {
    fn into_response(self) -> Response {
        render_error(&self.err, *self.ui)
    }
}

/// Results of page handlers.
pub type PageResult = Result<Response, PageErr>;

/// Turns application errors into error pages in the caller's language.
pub trait OrPage<T> {
    /// The value, or the error page.
    fn or_page(self, ctx: &Ctx) -> Result<T, PageErr>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageErr> {
        self.map_err(|e| PageErr::at(ctx, ctx.err(e)))
    }
}

impl<T> OrPage<T> for Result<T, WebError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageErr> {
        self.map_err(|e| PageErr::at(ctx, e))
    }
}

/// Whether the caller may do `action` on `org` (anywhere, for a list of everything): for
/// showing the buttons that lead there.
pub async fn may(
    ctx: &Ctx,
    action: dangbo_app::access::Action,
    org: Option<&dangbo_store::OrgVersion>,
    on: Date,
) -> Result<bool, PageErr> {
    match org {
        Some(o) => ctx.app.allows(&ctx.caller, action, &o.path, on).await.or_page(ctx),
        None => Ok(ctx.caller.can(action)),
    }
}

/// The day a page is about: `on` from the query (`dd/mm/yyyy` or ISO), else today.
pub fn day(ctx: &Ctx, on: Option<&str>) -> Result<Date, PageErr> {
    match on.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(ctx.today),
        Some(s) => dangbo_domain::date::parse_date(s).map_err(|e| {
            PageErr::at(
                ctx,
                WebError::bad_request(
                    ctx.lang,
                    &format!("Ngày xem: {}", e.message(Lang::Vi)),
                    &format!("Date: {}", e.message(Lang::En)),
                ),
            )
        }),
    }
}

/// Any path nothing else answers.
pub async fn not_found(uri: Uri, headers: HeaderMap) -> Response {
    let lang = crate::auth::anonymous_lang(&headers);
    error_response(&WebError::not_found(lang), lang, uri.path().starts_with("/api/"))
}

/// One field of a multipart form: its name, the file name if it is a file, its content.
pub struct Part {
    /// The field's name.
    pub name: String,
    /// The file's name, for a file.
    pub filename: Option<String>,
    /// The content.
    pub data: axum::body::Bytes,
}

impl Part {
    /// The content as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// Reads every field of a multipart form; a form that cannot be read, or a file over the
/// size limit, is a bad request with the reason.
pub async fn read_multipart(ctx: &Ctx, mut form: axum::extract::Multipart) -> Result<Vec<Part>, PageErr> {
    let l = ctx.lang;
    let mut parts = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(parts),
            Err(e) => {
                return Err(PageErr::at(
                    ctx,
                    WebError::bad_request(
                        l,
                        &format!("Không đọc được biểu mẫu: {e}"),
                        &format!("Cannot read the form: {e}"),
                    ),
                ));
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let data = field.bytes().await.map_err(|e| {
            PageErr::at(
                ctx,
                WebError::bad_request(
                    l,
                    &format!("Tệp quá lớn hoặc hỏng: {e}"),
                    &format!("File too large or damaged: {e}"),
                ),
            )
        })?;
        parts.push(Part { name, filename, data });
    }
}

/// How a form is answered: done, a redirect to the page `to` names; refused because of
/// what the caller typed, the form's page again (`again`, given the message) with 422;
/// anything else, an error page.
pub async fn answer<T, Fut>(
    ctx: &Ctx,
    r: dangbo_app::Result<T>,
    to: impl FnOnce(T) -> String,
    again: impl FnOnce(String) -> Fut,
) -> PageResult
where
    Fut: std::future::Future<Output = PageResult>,
{
    match r {
        Ok(v) => Ok(axum::response::Redirect::to(&to(v)).into_response()),
        Err(e) if e.is_form_error() => {
            let page = again(e.message(ctx.lang)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(PageErr::at(ctx, ctx.err(e))),
    }
}
