//! A small registry for the web tests: province T with two base committees B1 and B2,
//! each with one cell (C1, C2) and one member, and an account for every role, each held
//! over B1 or C1, so that B2, C2 and their member are outside every scope but the
//! administrator's.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dangbo_app::access::Role;
use dangbo_app::orgs::NewOrg;
use dangbo_app::{App, Clock};
use dangbo_domain::member::{CardNumber, Ethnicity, Gender, PersonKind, PersonRecord};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Lang};
use dangbo_store::Db;
use http_body_util::BodyExt;
use std::collections::HashMap;
use tower::ServiceExt;

pub const TODAY: Date = Date::constant(2026, 11, 21);
pub const PASSWORD: &str = "mat-khau-thu-nghiem";

pub fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

/// A signed-in role: its session secret and CSRF token, and an API token.
pub struct Login {
    pub token: String,
    pub csrf: String,
    pub api: String,
}

pub struct Fixture {
    pub app: App,
    pub router: Router,
    pub logins: HashMap<&'static str, Login>,
    /// The member of C1 (in scope) and of C2 (out of scope).
    pub p1: i64,
    pub p2: i64,
}

fn person(name: &str, card: &str) -> PersonRecord {
    PersonRecord {
        kind: PersonKind::Member,
        name: PersonName::parse(name).unwrap(),
        gender: Gender::Female,
        birth_date: Date::constant(1985, 3, 4),
        ethnicity: Ethnicity::parse("Tày").unwrap(),
        citizen_id: None,
        card_number: Some(CardNumber::parse(card).unwrap()),
        admitted_on: Some(Date::constant(2010, 5, 19)),
        full_on: Some(Date::constant(2011, 5, 19)),
        exempt: false,
        phone: None,
    }
}

/// Every role's account name, with the role and the organization it is held over.
pub const ACCOUNTS: [(&str, Role, Option<&str>); 7] = [
    ("admin", Role::Admin, None),
    ("office", Role::Office, Some("T.B1")),
    ("leader", Role::Leadership, Some("T.B1")),
    ("secretary", Role::Secretary, Some("T.B1.C1")),
    ("operator", Role::Operator, Some("T.B1.C1")),
    ("member", Role::Member, Some("T.B1.C1")),
    ("counting", Role::CountingBoard, Some("T.B1.C1")),
];

pub async fn fixture(db: Db) -> Fixture {
    let app = App::new(db, Clock::Fixed(TODAY), "test");
    let founded = Date::constant(2020, 1, 1);
    let orgs = [
        ("T", "Đảng bộ tỉnh Thử", OrgKind::Provincial, None),
        ("T.B1", "Đảng bộ cơ sở Một", OrgKind::BaseCommittee, Some("T")),
        ("T.B2", "Đảng bộ cơ sở Hai", OrgKind::BaseCommittee, Some("T")),
        ("T.B1.C1", "Chi bộ Một", OrgKind::SubordinateCell, Some("T.B1")),
        ("T.B2.C2", "Chi bộ Hai", OrgKind::SubordinateCell, Some("T.B2")),
    ];
    for (c, n, kind, parent) in orgs {
        let new = NewOrg {
            code: code(c),
            name: OrgName::parse(n).unwrap(),
            kind,
            level: Level::Province,
            parent: parent.map(code),
        };
        app.create_org(&new, founded).await.unwrap();
    }
    let p1 = app
        .add_member(&person("Nguyễn Thị Mai", "01000001"), &code("T.B1.C1"), founded)
        .await
        .unwrap();
    let p2 = app
        .add_member(&person("Trần Văn Bình", "01000002"), &code("T.B2.C2"), founded)
        .await
        .unwrap();
    let mut logins = HashMap::new();
    for (user, role, org) in ACCOUNTS {
        let person = (role == Role::Member).then_some("01000001");
        app.add_user(user, user, PASSWORD, person).await.unwrap();
        app.grant(user, role, org.map(code).as_ref(), founded).await.unwrap();
        let opened = app.login(user, PASSWORD, Lang::Vi).await.unwrap();
        let api = app.create_token(user, "test", 30).await.unwrap();
        logins.insert(
            user,
            Login {
                token: opened.token,
                csrf: opened.csrf,
                api,
            },
        );
    }
    let router = dangbo_web::router(app.clone(), dangbo_web::Config::default());
    Fixture {
        app,
        router,
        logins,
        p1: p1.0,
        p2: p2.0,
    }
}

/// A response's status and body.
pub struct Reply {
    pub status: StatusCode,
    pub body: String,
    pub location: Option<String>,
}

impl Fixture {
    /// Sends a request as `user` (a browser session; `None`: nobody).
    pub async fn send(&self, user: Option<&str>, method: &str, uri: &str, body: Option<(&str, String)>) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(u) = user {
            let l = &self.logins[u];
            if uri.starts_with("/api/") {
                req = req.header(header::AUTHORIZATION, format!("Bearer {}", l.api));
            } else {
                req = req.header(header::COOKIE, format!("dangbo_session={}", l.token));
            }
        }
        let req = match body {
            Some((kind, b)) => req.header(header::CONTENT_TYPE, kind).body(Body::from(b)).unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            location,
        }
    }

    /// A URL-encoded form with the user's CSRF token added.
    pub fn form(&self, user: &str, fields: &[(&str, &str)]) -> (&'static str, String) {
        let mut parts = vec![format!("csrf={}", self.logins[user].csrf)];
        for (k, v) in fields {
            parts.push(format!("{k}={}", dangbo_web::auth::form_urlencoded(v)));
        }
        ("application/x-www-form-urlencoded", parts.join("&"))
    }
}
