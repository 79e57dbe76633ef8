//! The live side of conferences over HTTP: check-ins from operators' devices (signed
//! point keys, answered once committed), the figures as JSON, and as server-sent events.

use crate::State;
use crate::api::ErrorBody;
use crate::auth::Ctx;
use crate::error::WebError;
use axum::Json;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use dangbo_app::access::Action;
use dangbo_app::conferences::Figures;
use dangbo_domain::Lang;
use dangbo_domain::member::PersonId;
use dangbo_domain::number::thousands;
use dangbo_domain::org::{OrgCode, OrgId};
use dangbo_store::CheckinRequest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use utoipa::ToSchema;

/// Check-ins sent by an operator's device.
#[derive(Deserialize, ToSchema)]
pub struct CheckinBatch {
    /// At most 1,000 check-ins.
    checkins: Vec<CheckinIn>,
}

/// One check-in.
#[derive(Deserialize, ToSchema)]
pub struct CheckinIn {
    /// The device's id for this check-in (1–64 characters); a resent one counts once.
    request_id: String,
    /// What was scanned or typed: the QR of a person's sheet, or a party card number.
    code: String,
    /// `scan`, `typed` or `list`.
    #[serde(default)]
    method: String,
}

/// The answers, one per check-in, in order.
#[derive(Serialize, ToSchema)]
pub struct CheckinResults {
    results: Vec<CheckinOut>,
}

/// What became of one check-in.
#[derive(Serialize, ToSchema)]
pub struct CheckinOut {
    request_id: String,
    /// `counted`, `already`, `conflict` or `unknown`.
    status: String,
    /// The person's name, when the code named someone.
    name: Option<String>,
    /// A sentence for the operator.
    message: String,
}

fn lang_of(headers: &HeaderMap) -> Lang {
    crate::auth::anonymous_lang(headers)
}

fn api_error(status: StatusCode, code: &'static str, message: String) -> Response {
    crate::api::error_json(&WebError { status, code, message })
}

/// `POST /api/v1/points/{id}/checkins`: authorized by the point key the operator page
/// hands out (`Authorization: Point …`), which is checked without a database read.
#[utoipa::path(post, path = "/api/v1/points/{id}/checkins", params(("id" = i64, Path, description = "Point")),
    request_body = CheckinBatch,
    responses((status = 200, body = CheckinResults), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn checkins(
    AxState(state): AxState<State>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let l = lang_of(&headers);
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Point "));
    let today = state.app.clock.today();
    let Some((point, conference, account)) = key.and_then(|k| state.live.point_key(k.trim(), today)) else {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            l.pick(
                "Khóa điểm cầu không hợp lệ hoặc đã hết hạn: hãy mở lại trang điểm danh",
                "The point key is not valid or has expired: open the check-in page again",
            )
            .into(),
        );
    };
    if point != id {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            l.pick("Khóa này là của điểm cầu khác", "This key belongs to another point")
                .into(),
        );
    }
    let requests = match decode_checkins(&body, l, |code| state.live.read_code(code), point, account) {
        Ok(r) => r,
        Err(message) => return api_error(StatusCode::BAD_REQUEST, "bad_request", message),
    };
    match state.live.checkin(conference, requests).await {
        Ok(out) => Json(CheckinResults {
            results: out
                .into_iter()
                .map(|o| {
                    let (status, message) = dangbo_app::conferences::describe(&o, l);
                    CheckinOut {
                        name: o.person.map(|(_, n)| n),
                        request_id: o.request_id,
                        status: status.into(),
                        message,
                    }
                })
                .collect(),
        })
        .into_response(),
        Err(e) => api_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e.message(l)),
    }
}

/// Reads a device's batch of check-ins (`CheckinBatch` as JSON) into what the writer
/// records, or says in `l` why the batch is refused. `read_code` tells what a scanned or
/// typed code names; a code that names nobody is still recorded, and answered "unknown".
pub fn decode_checkins(
    body: &[u8],
    l: Lang,
    read_code: impl Fn(&str) -> Option<(Option<PersonId>, String)>,
    point: i64,
    account: i64,
) -> Result<Vec<CheckinRequest>, String> {
    let batch: CheckinBatch = serde_json::from_slice(body).map_err(|e| {
        format!(
            "{}: {e}",
            l.pick(
                "Nội dung không đúng dạng JSON yêu cầu",
                "The body is not the JSON expected"
            )
        )
    })?;
    if batch.checkins.is_empty() || batch.checkins.len() > 1000 {
        return Err(l
            .pick(
                "Gửi từ 1 đến 1.000 lượt điểm danh mỗi lần",
                "Send 1 to 1,000 check-ins at a time",
            )
            .into());
    }
    let mut requests = Vec::with_capacity(batch.checkins.len());
    for c in batch.checkins {
        let rid = c.request_id.trim();
        if rid.is_empty() || rid.len() > 64 || !rid.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(l
                .pick(
                    "Mã lượt điểm danh (request_id) phải có 1–64 ký tự",
                    "request_id must be 1–64 characters",
                )
                .into());
        }
        let (person, card) = read_code(&c.code).unwrap_or((None, c.code.chars().take(64).collect()));
        let method = match c.method.as_str() {
            "scan" | "typed" | "list" => c.method,
            _ => "typed".into(),
        };
        requests.push(CheckinRequest {
            request_id: rid.to_string(),
            point_id: point,
            code: if person.is_some() { String::new() } else { card },
            person,
            method,
            by_account: Some(account),
        });
    }
    Ok(requests)
}

/// The figures of a conference as the page shows them.
#[derive(Serialize, ToSchema)]
pub struct LiveOut {
    /// Figures by key, as text.
    pub figs: BTreeMap<String, String>,
    /// Rows by child organization.
    pub rows: Vec<LiveRow>,
}

/// One row of the live table.
#[derive(Serialize, ToSchema)]
pub struct LiveRow {
    /// The child organization's code.
    pub key: String,
    /// Cells by key, as text.
    pub cells: BTreeMap<String, String>,
}

/// Figures as text for the page and its script.
pub fn live_json(f: &Figures, org_name: &str, lang: Lang) -> LiveOut {
    let n = |v: i64| thousands(v.max(0) as u64);
    let mut figs = BTreeMap::new();
    figs.insert("points".into(), n(f.points));
    figs.insert("connected".into(), n(f.connected));
    figs.insert("members".into(), n(f.members));
    figs.insert("outstanding".into(), n(f.outstanding));
    figs.insert("guests".into(), n(f.guests));
    figs.insert("total".into(), n(f.total()));
    figs.insert("bases_sent".into(), n(f.bases_sent));
    figs.insert("bases".into(), n(f.bases));
    figs.insert("bases_share".into(), f.bases_share());
    figs.insert("conflicts".into(), n(f.conflicts));
    for (i, s) in f.summary(org_name, lang).into_iter().enumerate() {
        figs.insert(format!("summary{i}"), s);
    }
    let rows = f
        .rows
        .iter()
        .map(|r| {
            let mut cells = BTreeMap::new();
            cells.insert("name".into(), r.name.clone());
            cells.insert("points".into(), n(r.points));
            cells.insert("total".into(), n(r.total));
            cells.insert("bases".into(), format!("{}/{}", n(r.bases_sent), n(r.bases)));
            LiveRow {
                key: r.code.clone(),
                cells,
            }
        })
        .collect();
    LiveOut { figs, rows }
}

/// Which organization a conference is seen from: `org` if given (within the caller's
/// scope and the conference's tree), else the caller's default; with its name.
pub async fn viewpoint(
    ctx: &Ctx,
    id: i64,
    org: Option<&str>,
) -> Result<(dangbo_store::ConferenceRow, OrgId, String), WebError> {
    let (conf, default) = ctx
        .app
        .conference_access(&ctx.caller, id, Action::Browse)
        .await
        .map_err(|e| ctx.err(e))?;
    let root = ctx
        .app
        .org_by_id(conf.org_id, conf.held_on)
        .await
        .map_err(|e| ctx.err(e))?
        .ok_or_else(|| WebError::not_found(ctx.lang))?;
    let view = match org.map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => {
            let code = OrgCode::parse(c).map_err(|_| WebError::not_found(ctx.lang))?;
            let v = ctx
                .app
                .org_for(&ctx.caller, Action::Browse, &code, conf.held_on)
                .await
                .map_err(|e| ctx.err(e))?;
            if !root.path.contains(&v.path) {
                return Err(WebError::not_found(ctx.lang));
            }
            v
        }
        None => ctx
            .app
            .org_by_id(default, conf.held_on)
            .await
            .map_err(|e| ctx.err(e))?
            .ok_or_else(|| WebError::not_found(ctx.lang))?,
    };
    Ok((conf, view.id, view.name.to_string()))
}

async fn figures_for(ctx: &Ctx, id: i64, org: Option<&str>) -> Result<(Figures, String), WebError> {
    let (_, view, name) = viewpoint(ctx, id, org).await?;
    let f = ctx.app.figures(id, Some(view)).await.map_err(|e| ctx.err(e))?;
    Ok((f, name))
}

/// `?org=CODE`: the organization the figures are seen from.
#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct OrgParam {
    /// An organization of the conference's tree (default: the caller's own).
    org: Option<String>,
}

impl OrgParam {
    /// The code asked for, if any.
    pub fn org(&self) -> Option<&str> {
        self.org.as_deref()
    }
}

/// `GET /api/v1/conferences/{id}/live`: the figures now (the page polls this when
/// server-sent events do not get through).
#[utoipa::path(get, path = "/api/v1/conferences/{id}/live", params(("id" = i64, Path, description = "Conference"), OrgParam),
    responses((status = 200, body = LiveOut), (status = 404, body = ErrorBody)))]
pub async fn live(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<OrgParam>) -> Response {
    match figures_for(&ctx, id, q.org.as_deref()).await {
        Ok((f, name)) => Json(live_json(&f, &name, ctx.lang)).into_response(),
        Err(e) => crate::api::error_json(&e),
    }
}

/// `GET /conferences/{id}/events`: the figures as server-sent events, sent again each
/// time a check-in or a correction changes them (at most every 250 ms per viewer).
pub async fn events(
    ctx: Ctx,
    AxState(state): AxState<State>,
    Path(id): Path<i64>,
    Query(q): Query<OrgParam>,
) -> Response {
    let org = q.org;
    if let Err(e) = figures_for(&ctx, id, org.as_deref()).await {
        return crate::pages::error_response(&e, ctx.lang, false);
    }
    let rx = state.live.subscribe();
    let stream = futures_util::stream::unfold((ctx, rx, true), move |(ctx, mut rx, first)| {
        let org = org.clone();
        async move {
            if !first {
                loop {
                    match rx.recv().await {
                        Ok(c) if c == id => break,
                        Ok(_) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    }
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
                while rx.try_recv().is_ok() {}
            }
            let event = match figures_for(&ctx, id, org.as_deref()).await {
                Ok((f, name)) => Event::default()
                    .event("figures")
                    .json_data(live_json(&f, &name, ctx.lang))
                    .unwrap_or_default(),
                Err(_) => return None,
            };
            Some((Ok::<_, std::convert::Infallible>(event), (ctx, rx, false)))
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
