//! The JSON API under `/api/v1`: what the pages do, with the same access rules, for
//! scripts holding an API token (`Authorization: Bearer …`) and for our own pages.
//! Errors are `{"error": {"code", "message"}}` with a stable code. The OpenAPI 3.1
//! description is generated from these handlers and served at `/api/openapi.json`.

use crate::State;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::pages::PageErr;
use crate::pages::members::{ListQuery, MemberForm, filter_for};
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use dangbo_app::access::Action;
use dangbo_app::members::record_of;
use dangbo_domain::Lang;
use dangbo_domain::date::{iso, short};
use dangbo_domain::member::{PersonId, PersonKind, status_on};
use dangbo_domain::org::OrgCode;
use dangbo_store::{AuditQuery, OrgVersion};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// The `/api/v1` routes.
pub fn routes() -> Router<State> {
    Router::new()
        .route("/me", get(me))
        .route("/orgs", get(orgs))
        .route("/orgs/{code}", get(org))
        .route("/orgs/{code}/tree", get(org_tree))
        .route("/members", get(members).post(create_member))
        .route("/members/{id}", get(member).put(update_member))
        .route("/audit", get(audit))
        .route("/points/{id}/checkins", axum::routing::post(crate::live::checkins))
        .route("/conferences/{id}/live", get(crate::live::live))
        .fallback(|headers: axum::http::HeaderMap| async move {
            error_json(&WebError::not_found(crate::auth::anonymous_lang(&headers)))
        })
        .layer(axum::middleware::from_fn(json_errors))
}

/// Errors made outside the handlers (a path parameter that does not parse, a body over
/// the limit, a method not served) in the API's JSON shape, like every other error.
async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = crate::auth::anonymous_lang(req.headers());
    let res = next.run(req).await;
    let status = res.status();
    let json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (code, vi, en) = match status {
        StatusCode::NOT_FOUND => return error_json(&WebError::not_found(lang)),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "Địa chỉ này không nhận phương thức đó",
            "This address does not take that method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "Nội dung gửi lên quá lớn", "The body is too large"),
        s if s.is_client_error() => ("bad_request", "Yêu cầu không hợp lệ", "The request is not valid"),
        _ => ("internal", "Lỗi hệ thống", "Internal error"),
    };
    let mut out = error_json(&WebError {
        status,
        code,
        message: lang.pick(vi, en).into(),
    });
    if let Some(allow) = res.headers().get(axum::http::header::ALLOW) {
        out.headers_mut().insert(axum::http::header::ALLOW, allow.clone());
    }
    out
}

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "dangbo API", description = "Hệ thống công tác đảng — JSON API"),
    paths(me, orgs, org, org_tree, members, create_member, member, update_member, audit, crate::live::checkins, crate::live::live),
    components(schemas(ErrorBody, ErrorDetail, MeOut, GrantOut, OrgOut, OrgDetailOut, StatsOut, MemberOut, MemberPageOut, MemberInput, CreatedOut, AuditOut, crate::live::CheckinBatch, crate::live::CheckinIn, crate::live::CheckinResults, crate::live::CheckinOut, crate::live::LiveOut, crate::live::LiveRow)),
    modifiers(&BearerAuth, &CommonErrors),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The errors any operation may answer besides its own: a request that does not parse,
/// no or a bad token, a form's CSRF token missing (our own pages' scripts), a body over
/// the limit, and (for check-ins) the writer being unavailable.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let writes = item.post.is_some() || item.put.is_some();
            for op in [&mut item.get, &mut item.post, &mut item.put].into_iter().flatten() {
                let mut common = vec![
                    ("400", "The request does not parse"),
                    ("401", "No valid token"),
                    ("403", "The CSRF token of a browser session is missing"),
                    ("405", "Method not allowed"),
                ];
                if writes {
                    common.extend([("413", "The body is too large"), ("503", "Not written now: send again")]);
                }
                for (status, what) in common {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(what).into());
                }
            }
        }
    }
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// An error.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `not_found`, `invalid`, `rejected`, `duplicate`, `unauthenticated`, `csrf`, `bad_request`, `internal`.
    code: String,
    /// Message in the caller's language.
    message: String,
}

/// An error as JSON.
pub fn error_json(e: &WebError) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: e.code.into(),
            message: e.message.clone(),
        },
    };
    (e.status, Json(body)).into_response()
}

/// A failed API request.
pub struct ApiErr(WebError);

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        error_json(&self.0)
    }
}

impl From<PageErr> for ApiErr {
    fn from(p: PageErr) -> ApiErr {
        ApiErr(p.err)
    }
}

type ApiResult<T> = Result<Json<T>, ApiErr>;

fn app_err(ctx: &Ctx, e: dangbo_app::AppError) -> ApiErr {
    ApiErr(ctx.err(e))
}

fn query<T>(ctx: &Ctx, q: Result<Query<T>, QueryRejection>) -> Result<T, ApiErr> {
    q.map(|Query(t)| t).map_err(|e| {
        ApiErr(WebError::bad_request(
            ctx.lang,
            &format!("Tham số không hợp lệ: {e}"),
            &format!("Invalid query parameters: {e}"),
        ))
    })
}

fn path<T>(ctx: &Ctx, p: Result<Path<T>, PathRejection>) -> Result<T, ApiErr> {
    p.map(|Path(t)| t).map_err(|_| ApiErr(WebError::not_found(ctx.lang)))
}

fn code(ctx: &Ctx, s: &str) -> Result<OrgCode, ApiErr> {
    OrgCode::parse(s).map_err(|_| ApiErr(WebError::not_found(ctx.lang)))
}

fn day(ctx: &Ctx, on: Option<&str>) -> Result<dangbo_domain::Date, ApiErr> {
    crate::pages::day(ctx, on).map_err(ApiErr::from)
}

fn body<T: for<'de> Deserialize<'de>>(ctx: &Ctx, bytes: &Bytes) -> Result<T, ApiErr> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiErr(WebError::bad_request(
            ctx.lang,
            &format!("Nội dung JSON không hợp lệ: {e}"),
            &format!("Invalid JSON body: {e}"),
        ))
    })
}

/// The signed-in account.
#[derive(Serialize, ToSchema)]
pub struct MeOut {
    username: String,
    display_name: String,
    /// Person id, for members.
    person: Option<i64>,
    grants: Vec<GrantOut>,
}

/// A role held today.
#[derive(Serialize, ToSchema)]
pub struct GrantOut {
    role: String,
    /// Organization id at the root of the scope; absent for everything.
    org_id: Option<i64>,
    from: String,
    to: Option<String>,
}

/// Who the token or session belongs to.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeOut), (status = 401, body = ErrorBody)))]
async fn me(ctx: Ctx) -> ApiResult<MeOut> {
    let c = &ctx.caller;
    Ok(Json(MeOut {
        username: c.username.clone(),
        display_name: c.display_name.clone(),
        person: c.person.map(|p| p.0),
        grants: c
            .grants
            .iter()
            .map(|g| GrantOut {
                role: g.role.code().into(),
                org_id: g.org.map(|o| o.0),
                from: iso(g.validity.from),
                to: g.validity.to.map(iso),
            })
            .collect(),
    }))
}

/// An organization on a day.
#[derive(Serialize, ToSchema)]
pub struct OrgOut {
    code: String,
    name: String,
    /// Kind code: `province`, `bloc`, `base`, `cell`, …
    kind: String,
    level: String,
    /// Parent's organization id.
    parent_id: Option<i64>,
    /// Valid from (ISO date).
    from: String,
    /// People placed in it and below, where counted.
    people: Option<u64>,
}

fn org_out(v: &OrgVersion, people: Option<u64>) -> OrgOut {
    OrgOut {
        code: v.code.to_string(),
        name: v.name.to_string(),
        kind: v.kind.code().into(),
        level: v.level.code().into(),
        parent_id: v.parent.map(|p| p.0),
        from: iso(v.validity.from),
        people,
    }
}

/// The day asked about.
#[derive(Deserialize, IntoParams)]
struct OnParam {
    /// A date, `dd/mm/yyyy` or ISO; today if absent.
    on: Option<String>,
}

/// The organizations at the top of the caller's scope.
#[utoipa::path(get, path = "/api/v1/orgs", params(OnParam), responses((status = 200, body = [OrgOut]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn orgs(ctx: Ctx, q: Result<Query<OnParam>, QueryRejection>) -> ApiResult<Vec<OrgOut>> {
    let q = query(&ctx, q)?;
    let on = day(&ctx, q.on.as_deref())?;
    let roots = match ctx
        .app
        .scope_roots(&ctx.caller, Action::Browse, on)
        .await
        .map_err(|e| app_err(&ctx, e))?
    {
        Some(r) => r,
        None => ctx.app.roots(on).await.map_err(|e| app_err(&ctx, e))?,
    };
    Ok(Json(roots.iter().map(|r| org_out(r, None)).collect()))
}

/// Head counts.
#[derive(Serialize, ToSchema)]
pub struct StatsOut {
    members: u64,
    full: u64,
    probationary: u64,
    exempt: u64,
    women: u64,
    non_members: u64,
    /// Under 30, 30–39, 40–49, 50–59, 60 and over.
    by_age: Vec<u64>,
    /// (ethnic group, members), largest first.
    by_ethnicity: Vec<(String, u64)>,
}

/// An organization with its children and statistics.
#[derive(Serialize, ToSchema)]
pub struct OrgDetailOut {
    org: OrgOut,
    children: Vec<OrgOut>,
    stats: StatsOut,
}

/// One organization on a day.
#[utoipa::path(get, path = "/api/v1/orgs/{code}", params(("code" = String, Path, description = "Organization code"), OnParam),
    responses((status = 200, body = OrgDetailOut), (status = 404, body = ErrorBody)))]
async fn org(
    ctx: Ctx,
    p: Result<Path<String>, PathRejection>,
    q: Result<Query<OnParam>, QueryRejection>,
) -> ApiResult<OrgDetailOut> {
    let c = code(&ctx, &path(&ctx, p)?)?;
    let on = day(&ctx, query(&ctx, q)?.on.as_deref())?;
    let e = |e| app_err(&ctx, e);
    let v = ctx.app.org_for(&ctx.caller, Action::Browse, &c, on).await.map_err(e)?;
    let children = ctx.app.children(&c, on).await.map_err(e)?;
    let s = ctx.app.member_stats(&c, on).await.map_err(e)?;
    let people = s.members + s.non_members;
    Ok(Json(OrgDetailOut {
        children: children.iter().map(|n| org_out(&n.org, Some(n.people))).collect(),
        org: org_out(&v, Some(people)),
        stats: StatsOut {
            members: s.members,
            full: s.full,
            probationary: s.probationary,
            exempt: s.exempt,
            women: s.women,
            non_members: s.non_members,
            by_age: s.by_age.to_vec(),
            by_ethnicity: s.by_ethnicity,
        },
    }))
}

/// The whole subtree of an organization on a day, parents first.
#[utoipa::path(get, path = "/api/v1/orgs/{code}/tree", params(("code" = String, Path, description = "Organization code"), OnParam),
    responses((status = 200, body = [OrgOut]), (status = 404, body = ErrorBody)))]
async fn org_tree(
    ctx: Ctx,
    p: Result<Path<String>, PathRejection>,
    q: Result<Query<OnParam>, QueryRejection>,
) -> ApiResult<Vec<OrgOut>> {
    let c = code(&ctx, &path(&ctx, p)?)?;
    let on = day(&ctx, query(&ctx, q)?.on.as_deref())?;
    ctx.app
        .org_for(&ctx.caller, Action::Browse, &c, on)
        .await
        .map_err(|e| app_err(&ctx, e))?;
    let nodes = ctx.app.tree(Some(&c), on).await.map_err(|e| app_err(&ctx, e))?;
    Ok(Json(nodes.iter().map(|n| org_out(&n.org, Some(n.people))).collect()))
}

/// A person in a list.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    id: i64,
    full_name: String,
    /// `member`, `candidate` (outstanding non-member) or `guest`.
    kind: String,
    gender: String,
    birth_date: String,
    ethnicity: String,
    /// `full` or `probationary`, for members.
    status: Option<String>,
    card_number: Option<String>,
    citizen_id: Option<String>,
    admitted_on: Option<String>,
    full_on: Option<String>,
    exempt: bool,
    phone: Option<String>,
    /// Their organization on the day asked about.
    org_code: Option<String>,
}

/// A page of the member list.
#[derive(Serialize, ToSchema)]
pub struct MemberPageOut {
    /// How many match; a name search counts up to 500 (see `more`).
    total: i64,
    /// Whether more than `total` match.
    more: bool,
    items: Vec<MemberOut>,
    /// Pass as `after` for the next page; absent on the last page.
    next_after: Option<i64>,
}

fn member_out(row: &dangbo_store::PersonRow, org: Option<String>, on: dangbo_domain::Date) -> MemberOut {
    let r = record_of(row);
    MemberOut {
        id: row.id.0,
        full_name: r.name.to_string(),
        kind: r.kind.code().into(),
        gender: r.gender.code().into(),
        birth_date: iso(r.birth_date),
        ethnicity: r.ethnicity.name().into(),
        status: (r.kind == PersonKind::Member && row.membership.is_some())
            .then(|| status_on(r.full_on, on).code().to_string()),
        card_number: r.card_number.map(|c| c.as_str().to_string()),
        citizen_id: r.citizen_id.map(|c| c.as_str().to_string()),
        admitted_on: r.admitted_on.map(iso),
        full_on: r.full_on.map(iso),
        exempt: r.exempt,
        phone: r.phone.map(|p| p.as_str().to_string()),
        org_code: org,
    }
}

/// A person's record as the API shows it, with their organization today (audited).
async fn record(ctx: &Ctx, id: PersonId) -> ApiResult<MemberOut> {
    let d = ctx.app.member_detail_by_id(id).await.map_err(|e| app_err(ctx, e))?;
    let org = d
        .placements
        .iter()
        .find(|(p, _)| p.validity.contains(ctx.today))
        .map(|(p, _)| p.org_code.to_string());
    Ok(Json(member_out(&d.row, org, ctx.today)))
}

/// The member list's filters.
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)]
struct MemberParams {
    /// Organization code (default: the caller's scope).
    org: Option<String>,
    /// Name to search, diacritics optional.
    q: Option<String>,
    kind: Option<String>,
    gender: Option<String>,
    status: Option<String>,
    ethnicity: Option<String>,
    on: Option<String>,
    /// The `next_after` of the previous page.
    after: Option<i64>,
    /// The first id of the page after the one wanted (paging back).
    before: Option<i64>,
}

/// People placed under an organization on a day, in Vietnamese name order.
#[utoipa::path(get, path = "/api/v1/members", params(MemberParams),
    responses((status = 200, body = MemberPageOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn members(ctx: Ctx, q: Result<Query<ListQuery>, QueryRejection>) -> ApiResult<MemberPageOut> {
    let q = query(&ctx, q)?;
    let (filter, org, _) = filter_for(&ctx, &q, Action::ViewMembers).await?;
    let label = org
        .as_ref()
        .map_or_else(|| "org:*".to_string(), |o| format!("org:{}", o.code));
    let (views, total) = ctx
        .app
        .list_members(&filter, &label)
        .await
        .map_err(|e| app_err(&ctx, e))?;
    let next_after = (views.len() as i64 == filter.limit)
        .then(|| views.last().map(|v| v.row.id.0))
        .flatten();
    Ok(Json(MemberPageOut {
        total: total.n,
        more: total.more,
        items: views
            .iter()
            .map(|v| member_out(&v.row, Some(v.org_code.to_string()), filter.on))
            .collect(),
        next_after,
    }))
}

/// One person's record. The view is audited.
#[utoipa::path(get, path = "/api/v1/members/{id}", params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = MemberOut), (status = 404, body = ErrorBody)))]
async fn member(ctx: Ctx, p: Result<Path<i64>, PathRejection>) -> ApiResult<MemberOut> {
    let id = PersonId(path(&ctx, p)?);
    let id = ctx
        .app
        .person_for(&ctx.caller, Action::ViewMembers, id, ctx.today)
        .await
        .map_err(|e| app_err(&ctx, e))?;
    record(&ctx, id).await
}

/// A person's record as sent: dates `dd/mm/yyyy` or ISO, gender `Nam`/`Nữ` or a code.
#[derive(Deserialize, ToSchema, Default)]
pub struct MemberInput {
    /// `member` (default), `candidate` or `guest`.
    #[serde(default)]
    kind: String,
    full_name: String,
    gender: String,
    birth_date: String,
    ethnicity: String,
    #[serde(default)]
    citizen_id: String,
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    admitted_on: String,
    #[serde(default)]
    full_on: String,
    #[serde(default)]
    exempt: bool,
    #[serde(default)]
    phone: String,
    /// For a new person: the cell's code.
    #[serde(default)]
    org: String,
    /// For a new person: placed from this day (default today).
    #[serde(default)]
    on: String,
}

impl MemberInput {
    fn form(&self) -> MemberForm {
        MemberForm {
            kind: self.kind.clone(),
            name: self.full_name.clone(),
            gender: self.gender.clone(),
            birth_date: self.birth_date.clone(),
            ethnicity: self.ethnicity.clone(),
            citizen_id: self.citizen_id.clone(),
            card_number: self.card_number.clone(),
            admitted_on: self.admitted_on.clone(),
            full_on: self.full_on.clone(),
            exempt: self.exempt.then(|| "on".into()),
            phone: self.phone.clone(),
            org: self.org.clone(),
            on: self.on.clone(),
            csrf: String::new(),
        }
    }
}

fn invalid(lang: Lang, errors: Vec<(&'static str, String)>) -> ApiErr {
    let msg: Vec<String> = errors.into_iter().map(|(_, m)| m).collect();
    ApiErr(WebError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid",
        message: if msg.is_empty() {
            lang.pick("Dữ liệu không hợp lệ", "Invalid data").into()
        } else {
            msg.join("; ")
        },
    })
}

/// Corrects a person's record (the audit log keeps each change before and after).
#[utoipa::path(put, path = "/api/v1/members/{id}", params(("id" = i64, Path, description = "Person id")), request_body = MemberInput,
    responses((status = 200, body = MemberOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_member(ctx: Ctx, p: Result<Path<i64>, PathRejection>, bytes: Bytes) -> ApiResult<MemberOut> {
    let id = PersonId(path(&ctx, p)?);
    let id = ctx
        .app
        .person_for(&ctx.caller, Action::EditMembers, id, ctx.today)
        .await
        .map_err(|e| app_err(&ctx, e))?;
    let input: MemberInput = body(&ctx, &bytes)?;
    let rec = input
        .form()
        .parse(ctx.lang, ctx.today)
        .map_err(|e| invalid(ctx.lang, e))?;
    ctx.app.update_member(id, &rec).await.map_err(|e| app_err(&ctx, e))?;
    record(&ctx, id).await
}

/// The id of what was created.
#[derive(Serialize, ToSchema)]
pub struct CreatedOut {
    id: i64,
}

/// Adds a person to a cell.
#[utoipa::path(post, path = "/api/v1/members", request_body = MemberInput,
    responses((status = 201, body = CreatedOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_member(ctx: Ctx, bytes: Bytes) -> Result<(StatusCode, Json<CreatedOut>), ApiErr> {
    let input: MemberInput = body(&ctx, &bytes)?;
    let on = day(&ctx, Some(&input.on))?;
    let c = code(&ctx, &input.org)?;
    ctx.app
        .org_for(&ctx.caller, Action::EditMembers, &c, on)
        .await
        .map_err(|e| app_err(&ctx, e))?;
    let rec = input
        .form()
        .parse(ctx.lang, ctx.today)
        .map_err(|e| invalid(ctx.lang, e))?;
    let id = ctx.app.add_member(&rec, &c, on).await.map_err(|e| app_err(&ctx, e))?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id: id.0 })))
}

/// An audit line.
#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    id: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    detail: String,
}

/// What to look for in the audit log.
#[derive(Deserialize, IntoParams)]
struct AuditParams {
    actor: Option<String>,
    /// Actions starting with this.
    action: Option<String>,
    subject: Option<String>,
    /// Only lines older than this id.
    before: Option<i64>,
}

/// Searches the audit log, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditParams),
    responses((status = 200, body = [AuditOut]), (status = 404, body = ErrorBody)))]
async fn audit(ctx: Ctx, q: Result<Query<AuditParams>, QueryRejection>) -> ApiResult<Vec<AuditOut>> {
    let q = query(&ctx, q)?;
    let found = ctx
        .app
        .audit_search(
            &ctx.caller,
            &AuditQuery {
                actor: q.actor,
                action: q.action,
                subject: q.subject,
                before: q.before,
                limit: 100,
            },
        )
        .await
        .map_err(|e| app_err(&ctx, e))?;
    let _ = short;
    Ok(Json(
        found
            .into_iter()
            .map(|e| AuditOut {
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                detail: e.detail,
            })
            .collect(),
    ))
}
