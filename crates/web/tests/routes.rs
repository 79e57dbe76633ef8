//! Every route against every role, in scope (C1, its member) and out of scope (C2, its
//! member): allowed requests answer, everything else is a 404, never a 403, so that
//! existence does not leak. On SQLite, and on PostgreSQL when `DANGBO_TEST_POSTGRES` is set.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use axum::http::StatusCode;
use common::{Fixture, fixture};
use dangbo_app::access::{Action, Role};
use dangbo_store::testing;

/// What a route needs, and how to call it in or out of scope.
struct Route {
    method: &'static str,
    /// The path, with `{org}` and `{person}` to fill in.
    path: &'static str,
    action: Option<Action>,
    /// A form body (with `{org}`/`{person}` filled) that is refused for its content, so
    /// that an allowed call answers without changing anything.
    form: Option<&'static [(&'static str, &'static str)]>,
    json: Option<&'static str>,
    /// The status when allowed.
    ok: u16,
    /// Whether it takes an organization or person (else scope does not apply).
    scoped: bool,
}

const fn get(path: &'static str, action: Option<Action>, scoped: bool) -> Route {
    Route {
        method: "GET",
        path,
        action,
        form: None,
        json: None,
        ok: 200,
        scoped,
    }
}

const ROUTES: &[Route] = &[
    get("/", None, false),
    get("/orgs", None, false),
    get("/orgs?root={org}", Some(Action::Browse), true),
    get("/orgs/{org}", Some(Action::Browse), true),
    get("/orgs/{org}/rename", Some(Action::EditOrgs), true),
    get("/orgs/{org}/restructure?op=move", Some(Action::EditOrgs), true),
    get("/orgs/new?parent={org}", Some(Action::EditOrgs), true),
    get("/members?org={org}", Some(Action::ViewMembers), true),
    get("/members/{person}", Some(Action::ViewMembers), true),
    get("/members/{person}/edit", Some(Action::EditMembers), true),
    get("/members/new?org={org}", Some(Action::EditMembers), false),
    get("/export/members?org={org}", Some(Action::Export), true),
    get("/export/orgs?org={org}", Some(Action::Export), true),
    get("/import", Some(Action::Import), false),
    get("/admin/audit", Some(Action::Administer), false),
    get("/admin/accounts", Some(Action::Administer), false),
    Route {
        method: "POST",
        path: "/orgs/{org}/rename",
        action: Some(Action::EditOrgs),
        form: Some(&[("name", ""), ("on", "21/11/2026")]),
        json: None,
        ok: 422,
        scoped: true,
    },
    Route {
        method: "POST",
        path: "/orgs/{org}/restructure",
        action: Some(Action::EditOrgs),
        form: Some(&[("op", "nothing"), ("on", "21/11/2026")]),
        json: None,
        ok: 422,
        scoped: true,
    },
    Route {
        method: "POST",
        path: "/members/{person}/edit",
        action: Some(Action::EditMembers),
        form: Some(&[("name", ""), ("birth_date", "31/02/2020")]),
        json: None,
        ok: 422,
        scoped: true,
    },
    get("/api/v1/me", None, false),
    get("/api/v1/orgs", None, false),
    get("/api/v1/orgs/{org}", Some(Action::Browse), true),
    get("/api/v1/orgs/{org}/tree", Some(Action::Browse), true),
    get("/api/v1/members?org={org}", Some(Action::ViewMembers), true),
    get("/api/v1/members/{person}", Some(Action::ViewMembers), true),
    Route {
        method: "PUT",
        path: "/api/v1/members/{person}",
        action: Some(Action::EditMembers),
        form: None,
        json: Some(r#"{"full_name": "", "gender": "Nam", "birth_date": "31/02/2020", "ethnicity": "Kinh"}"#),
        ok: 422,
        scoped: true,
    },
    Route {
        method: "POST",
        path: "/api/v1/members",
        action: Some(Action::EditMembers),
        form: None,
        json: Some(
            r#"{"org": "{org}", "full_name": "", "gender": "Nam", "birth_date": "01/01/1990", "ethnicity": "Kinh"}"#,
        ),
        ok: 422,
        scoped: true,
    },
    get("/api/v1/audit", Some(Action::Administer), false),
];

fn fill(s: &str, org: &str, person: i64) -> String {
    s.replace("{org}", org).replace("{person}", &person.to_string())
}

async fn check_all(f: &Fixture) {
    let mut failures = Vec::new();
    for (user, role, _) in common::ACCOUNTS {
        for r in ROUTES {
            for inside in [true, false] {
                if !r.scoped && !inside {
                    continue;
                }
                let (org, person) = if inside { ("T.B1.C1", f.p1) } else { ("T.B2.C2", f.p2) };
                let uri = fill(r.path, org, person);
                let body = match (r.form, r.json) {
                    (Some(fields), _) => {
                        let filled: Vec<(String, String)> = fields
                            .iter()
                            .map(|(k, v)| (k.to_string(), fill(v, org, person)))
                            .collect();
                        let refs: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                        Some(f.form(user, &refs))
                    }
                    (None, Some(j)) => Some(("application/json", fill(j, org, person))),
                    _ => None,
                };
                let reply = f.send(Some(user), r.method, &uri, body).await;
                let allowed = match r.action {
                    None => true,
                    Some(a) => {
                        let own_record =
                            role == Role::Member && a == Action::ViewMembers && r.path.contains("{person}") && inside;
                        role.allows(a) && (inside || role == Role::Admin) || own_record
                    }
                };
                let expected = if allowed { r.ok } else { 404 };
                if reply.status.as_u16() != expected {
                    failures.push(format!(
                        "{user} {} {uri}: expected {expected}, got {}",
                        r.method, reply.status
                    ));
                }
                // A refusal says "not found", never "forbidden".
                assert_ne!(reply.status, StatusCode::FORBIDDEN, "{user} {} {uri}", r.method);
            }
        }
    }
    assert!(failures.is_empty(), "route checks failed:\n{}", failures.join("\n"));
}

async fn anonymous_and_csrf(f: &Fixture) {
    // Nobody signed in: pages send to the sign-in page, the API answers 401.
    for r in ROUTES {
        let uri = fill(r.path, "T.B1.C1", f.p1);
        let reply = f.send(None, r.method, &uri, None).await;
        if uri.starts_with("/api/") {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{uri}");
            assert!(reply.body.contains("\"unauthenticated\""), "{uri}: {}", reply.body);
        } else {
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{uri}");
            assert!(reply.location.unwrap().starts_with("/login?next="), "{uri}");
        }
    }
    // A form without the session's token is refused and changes nothing.
    let body = (
        "application/x-www-form-urlencoded",
        "csrf=wrong&name=Chi+b%E1%BB%99+M%E1%BB%9Bi&on=21%2F11%2F2026".to_string(),
    );
    let reply = f.send(Some("office"), "POST", "/orgs/T.B1.C1/rename", Some(body)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let org = f.app.org(&common::code("T.B1.C1"), common::TODAY).await.unwrap();
    assert_eq!(org.name.as_str(), "Chi bộ Một");
    // With the token, the same change goes through, and is audited with the user's name.
    let body = f.form("office", &[("name", "Chi bộ Mới"), ("on", "21/11/2026")]);
    let reply = f.send(Some("office"), "POST", "/orgs/T.B1.C1/rename", Some(body)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let org = f.app.org(&common::code("T.B1.C1"), common::TODAY).await.unwrap();
    assert_eq!(org.name.as_str(), "Chi bộ Mới");
    let mut tx = f.app.db.read().await.unwrap();
    let lines = tx.audit_for("org:T.B1.C1").await.unwrap();
    assert!(
        lines
            .iter()
            .any(|(_, actor, action, _)| actor == "user:office" && action == "org.rename")
    );
}

async fn member_sees_only_self(f: &Fixture) {
    let own = f.send(Some("member"), "GET", &format!("/members/{}", f.p1), None).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Nguyễn Thị Mai"));
    let other = f.send(Some("member"), "GET", &format!("/members/{}", f.p2), None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("Trần Văn Bình"));
    // A secretary's list holds only their cell's people.
    let list = f.send(Some("secretary"), "GET", "/members", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Nguyễn Thị Mai"));
    assert!(!list.body.contains("Trần Văn Bình"));
    let api = f.send(Some("secretary"), "GET", "/api/v1/members?q=binh", None).await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.body.contains("\"total\":0"), "{}", api.body);
}

async fn run(f: Fixture) {
    check_all(&f).await;
    member_sees_only_self(&f).await;
    anonymous_and_csrf(&f).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_every_role_sqlite() {
    let db = testing::sqlite().await.unwrap();
    run(fixture(db.db.clone()).await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_every_role_postgres() {
    let Some(db) = testing::postgres().await.unwrap() else {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    };
    run(fixture(db.db.clone()).await).await;
}

#[test]
fn every_api_route_is_enumerated() {
    // The OpenAPI description lists the API the code serves; each of its paths must be
    // among the routes checked above.
    use utoipa::OpenApi;
    let doc = dangbo_web::api::ApiDoc::openapi();
    for (path, _) in doc.paths.paths.iter() {
        let pattern = path.replace("{code}", "{org}").replace("{id}", "{person}");
        assert!(
            ROUTES
                .iter()
                .any(|r| r.path.split('?').next() == Some(pattern.as_str())),
            "{path} is served but not checked"
        );
    }
}
