//! The web interface and the JSON API of dangbo: server-rendered pages in Vietnamese
//! (and English), the `/api/v1` routes with their OpenAPI description, sign-in and
//! sessions, and the operators' endpoints `/healthz` and `/metrics`.
//!
//! Every handler gets its caller from [`auth::Ctx`] and asks the application
//! ([`dangbo_app::App::org_for`], [`dangbo_app::App::person_for`]) whether the caller may
//! act there before doing anything; outside the caller's scope answers 404.

pub mod api;
mod assets;
pub mod auth;
mod charts;
pub mod error;
pub mod live;
mod metrics;
mod pages;
mod ui;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use dangbo_app::App;
use std::net::SocketAddr;
use std::sync::Arc;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Mark cookies `Secure` (serve behind HTTPS). Off only for plain-HTTP local use.
    pub secure_cookies: bool,
    /// The largest upload accepted, in bytes.
    pub max_upload: usize,
    /// Served behind a reverse proxy on this machine (nginx): a request's address is the
    /// last one the proxy added to `X-Forwarded-For`, not the proxy's.
    pub behind_proxy: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            secure_cookies: false,
            max_upload: 20 * 1024 * 1024,
            behind_proxy: false,
        }
    }
}

/// What every handler shares: the application and the server's settings. Nothing else is
/// kept in memory between requests, so several instances can serve one database.
#[derive(Clone)]
pub struct State {
    /// The application (acting as nobody until a handler picks the caller).
    pub app: App,
    /// Settings.
    pub config: Arc<Config>,
    /// Request counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// The check-in writer and the live events of conferences.
    pub live: dangbo_app::conferences::Live,
}

/// The whole web application as a router; starts the check-in writer and the listener
/// for other instances' events on the current runtime.
pub async fn router(app: App, config: Config) -> Result<Router, dangbo_app::AppError> {
    let max_upload = config.max_upload;
    let secure = config.secure_cookies;
    let live = dangbo_app::conferences::Live::start(app.clone()).await?;
    let state = State {
        app,
        config: Arc::new(config),
        metrics: Arc::new(metrics::Metrics::default()),
        live,
    };
    Ok(Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .merge(assets::routes())
        .route("/api/openapi.json", axum::routing::get(api::openapi_json))
        .route("/healthz", axum::routing::get(metrics::healthz))
        .route("/metrics", axum::routing::get(metrics::render))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(axum::middleware::from_fn(small_bodies))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(move |req, next| {
            assets::security_headers(secure, req, next)
        }))
        .with_state(state))
}

/// The largest body that is not a file upload: a form, a JSON record, a batch of 1,000
/// check-ins. Uploads (`multipart/form-data`) may reach [`Config::max_upload`].
pub const MAX_BODY: u64 = 1024 * 1024;

/// Refuses a body over [`MAX_BODY`] before it is read, unless it carries files.
async fn small_bodies(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::header;
    let h = req.headers();
    let files = h
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"multipart/form-data"));
    // The length announced, or known from the body itself.
    let length = h
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .or_else(|| axum::body::HttpBody::size_hint(req.body()).exact());
    if files || length.is_none_or(|n| n <= MAX_BODY) {
        return next.run(req).await;
    }
    let lang = auth::anonymous_lang(h);
    let e = error::WebError {
        status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        code: "too_large",
        message: lang
            .pick(
                "Nội dung gửi lên quá lớn (tối đa 1 MiB, trừ tệp đính kèm)",
                "The body is too large (at most 1 MiB, files apart)",
            )
            .into(),
    };
    pages::error_response(&e, lang, req.uri().path().starts_with("/api/"))
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    app: App,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    serve_on(listener, app, config, shutdown).await
}

/// Serves on a listener already bound (tests bind port 0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: App,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(app, config)
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
