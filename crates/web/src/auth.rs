//! Who is asking: the session cookie (browsers) or a bearer token (scripts), checked
//! against the sessions kept in the database; the CSRF token forms must carry; and the
//! cookies themselves.

use crate::State;
use crate::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use dangbo_app::App;
use dangbo_app::access::Caller;
use dangbo_app::signing::same;
use dangbo_domain::{Date, Lang};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "dangbo_session";
/// The language cookie, for pages shown before signing in.
pub const LANG_COOKIE: &str = "dangbo_lang";
/// The cookie that pairs with the sign-in form's token (there is no session yet).
pub const LOGIN_COOKIE: &str = "dangbo_login";

/// A signed-in request.
#[derive(Clone)]
pub struct Ctx {
    /// The application, acting as the caller (their name goes into the audit log).
    pub app: App,
    /// The caller and the roles they hold today.
    pub caller: Caller,
    /// Their language.
    pub lang: Lang,
    /// The token their forms carry.
    pub csrf: String,
    /// The session secret (to sign out or change language).
    pub token: String,
    /// Whether they came with an API token rather than a browser session.
    pub api: bool,
    /// The path and query asked for.
    pub path: String,
    /// Today, from the application's clock.
    pub today: Date,
}

impl Ctx {
    /// Refuses a form whose token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if self.api || (!self.csrf.is_empty() && same(sent.as_bytes(), self.csrf.as_bytes())) {
            Ok(())
        } else {
            Err(WebError::csrf(self.lang))
        }
    }

    /// An application error in the caller's language.
    pub fn err(&self, e: dangbo_app::AppError) -> WebError {
        WebError::from_app(&e, self.lang)
    }
}

/// The value of a cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The language of a request before sign-in: the cookie, else Vietnamese.
pub fn anonymous_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE).and_then(Lang::parse).unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The address a request came from, to throttle failed sign-ins by: the connection's
/// peer, or, behind a proxy ([`crate::Config::behind_proxy`]), the last address the proxy
/// added to `X-Forwarded-For` (the one it saw; earlier ones are the client's to write).
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<State> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<ClientAddress, Self::Rejection> {
        let address = if state.config.behind_proxy {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|a| a.parse::<std::net::IpAddr>().is_ok())
                .map(str::to_string)
        } else {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        };
        Ok(ClientAddress(address))
    }
}

impl FromRequestParts<State> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Ctx, Response> {
        // Under a nested router the URI is shortened; the original says where we are.
        let uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        let path = uri
            .path_and_query()
            .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
        let is_api = uri.path().starts_with("/api/");
        let lang = anonymous_lang(&parts.headers);
        let (token, by_bearer) = match (bearer(&parts.headers), cookie(&parts.headers, SESSION_COOKIE)) {
            (Some(t), _) => (t.to_string(), true),
            (None, Some(t)) => (t.to_string(), false),
            (None, None) => return Err(refuse(is_api, &path, lang)),
        };
        let session = match state.app.session(&token).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(refuse(is_api, &path, lang)),
            Err(e) => return Err(crate::pages::error_response(&WebError::internal(&e), lang, is_api)),
        };
        // A token from the header must be an API token, and a cookie a browser session.
        if session.api != by_bearer {
            return Err(refuse(is_api, &path, lang));
        }
        let ctx = Ctx {
            app: state.app.acting_as(&session.caller),
            caller: session.caller,
            lang: session.lang,
            csrf: session.csrf,
            token,
            api: session.api,
            path,
            today: state.app.clock.today(),
        };
        // The API over a browser session (our own scripts) needs the CSRF token in a header.
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if is_api && unsafe_method && !ctx.api {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if let Err(e) = ctx.check_csrf(sent) {
                return Err(crate::pages::error_response(&e, ctx.lang, true));
            }
        }
        Ok(ctx)
    }
}

fn refuse(is_api: bool, path: &str, lang: Lang) -> Response {
    if is_api {
        return crate::pages::error_response(&WebError::unauthenticated(lang), lang, true);
    }
    let next: String = form_urlencoded(path);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// Percent-encodes a value for a query string.
pub fn form_urlencoded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
