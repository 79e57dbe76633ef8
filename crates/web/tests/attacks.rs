//! The injections of the OWASP top ten tried against dangbo's own routes: stored and
//! reflected cross-site scripting through names, document titles and uploaded file names;
//! SQL injection through the search and the filters; path traversal through uploads,
//! downloads and static files; and session fixation. (Access across subtrees and CSRF on
//! every form: `routes.rs`.) On SQLite, and on PostgreSQL when `DANGBO_TEST_POSTGRES` is
//! set.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Fixture, fixture};
use dangbo_app::documents::DocumentInput;
use dangbo_store::testing;
use dangbo_web::auth::form_urlencoded;
use tower::ServiceExt;

const SCRIPT: &str = "<script>alert(1)</script>";
const IMAGE: &str = "\"><img src=x onerror=alert(1)>";

/// Neither payload appears as markup in a page.
fn inert(what: &str, body: &str) {
    for raw in [SCRIPT, IMAGE, "<img src=x", "<script>"] {
        assert!(!body.contains(raw), "{what}: «{raw}» is in the page as markup");
    }
}

async fn stored_xss(f: &Fixture) {
    let admin = f.caller("admin").await;
    let app = f.app.acting_as(&admin);
    // A document titled with markup, with a file whose name is markup too.
    let doc = app
        .register_document(
            &admin,
            &DocumentInput {
                number: "77-NQ/ĐU".into(),
                issued_by: format!("Đảng ủy {IMAGE}"),
                org: "T.B1".into(),
                issued_on: common::ISSUED_ON.into(),
                title: format!("Nghị quyết {SCRIPT}"),
                summary: IMAGE.into(),
                solutions: SCRIPT.into(),
                ..DocumentInput::default()
            },
        )
        .await
        .unwrap();
    let file = app
        .attach_document_file(&admin, doc, &format!("{IMAGE}{SCRIPT}.pdf"), b"%PDF-1.4\n% x\n")
        .await
        .unwrap();
    for uri in ["/documents".to_string(), format!("/documents/{doc}"), "/tasks".into()] {
        let r = f.send(Some("admin"), "GET", &uri, None).await;
        assert_eq!(r.status, 200, "{uri}");
        inert(&uri, &r.body);
        if uri.ends_with(&doc.to_string()) {
            // Shown as text, escaped.
            assert!(
                r.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
                "{}",
                r.body
            );
        }
    }
    // The file's name is cleaned of markup when stored, and sent encoded.
    let res = f
        .router
        .clone()
        .oneshot(
            Request::get(format!("/documents/{doc}/files/{file}"))
                .header(header::COOKIE, format!("dangbo_session={}", f.logins["admin"].token))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
    let name = disposition.split("filename*=UTF-8''").nth(1).unwrap();
    assert!(!name.contains(['<', '>', '"', ' ', ';', '\r', '\n']), "{disposition}");
    // A person's name may not be markup at all: refused, shown back escaped, not stored.
    let before = f.app.db.read().await.unwrap().person_count().await.unwrap();
    let body = f.form(
        "admin",
        &[
            ("org", "T.B1.C1"),
            ("name", SCRIPT),
            ("gender", "Nữ"),
            ("birth_date", "04/03/1985"),
            ("ethnicity", "Tày"),
            ("card_number", "01000099"),
            ("admitted_on", "19/05/2010"),
            ("on", "21/11/2026"),
        ],
    );
    let r = f.send(Some("admin"), "POST", "/members/new", Some(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    inert("a new member named with markup", &r.body);
    assert_eq!(f.app.db.read().await.unwrap().person_count().await.unwrap(), before);
}

async fn reflected_xss(f: &Fixture) {
    for uri in [
        format!("/members?q={}", form_urlencoded(SCRIPT)),
        format!("/members?q={}", form_urlencoded(IMAGE)),
        format!("/orgs/{}", form_urlencoded(SCRIPT)),
        format!("/documents?q={}", form_urlencoded(IMAGE)),
        format!("/login?next={}", form_urlencoded(IMAGE)),
        format!("/vote?c={}", form_urlencoded(IMAGE)),
        format!("/nowhere/{}", form_urlencoded(SCRIPT)),
    ] {
        let user = if uri.starts_with("/login") || uri.starts_with("/vote") {
            None
        } else {
            Some("admin")
        };
        let r = f.send(user, "GET", &uri, None).await;
        assert!(r.status.as_u16() < 500, "{uri}: {}", r.status);
        inert(&uri, &r.body);
    }
}

async fn sql_injection(f: &Fixture) {
    let before = f.app.db.read().await.unwrap().person_count().await.unwrap();
    for q in [
        "' OR '1'='1",
        "' OR 1=1 --",
        "\" OR 1=1 --",
        "'; DROP TABLE person; --",
        "%",
        "_",
        "\\",
        "%' UNION SELECT username, password_hash FROM account --",
    ] {
        let uri = format!("/api/v1/members?q={}", form_urlencoded(q));
        let r = f.send(Some("admin"), "GET", &uri, None).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        match r.status.as_u16() {
            // Nothing to search for: said so.
            400 => assert_eq!(v["error"]["code"], "bad_request", "{q}: {}", r.body),
            200 => assert_eq!(v["total"], 0, "«{q}» matched people: {}", r.body),
            s => panic!("{q}: {s} {}", r.body),
        }
        let page = f
            .send(
                Some("admin"),
                "GET",
                &format!("/members?q={}", form_urlencoded(q)),
                None,
            )
            .await;
        assert!(page.status.as_u16() < 500, "{q}");
        assert!(!page.body.contains("Nguyễn Thị Mai"), "«{q}» matched people");
        assert!(!page.body.contains("$argon2"), "«{q}» shows password hashes");
    }
    // A real name still finds its person, with quotes and dashes read as the punctuation
    // they are: the search works, it just cannot be steered.
    for q in ["mai", "Mai' --", "'mai'"] {
        let r = f
            .send(
                Some("admin"),
                "GET",
                &format!("/api/v1/members?q={}", form_urlencoded(q)),
                None,
            )
            .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["total"], 1, "{q}: {}", r.body);
        assert!(r.body.contains("Nguyễn Thị Mai"), "{}", r.body);
    }
    // Filters: an organization, a status, a page that are not what they should be.
    for uri in [
        "/members?org=T.B1.C1'%20OR%201=1%20--",
        "/members?org=T.B1.C1&status='%20OR%201=1",
        "/members?org=T.B1.C1&gender=x'--",
        "/api/v1/members?org=T.B1&after=1%20OR%201=1",
        "/api/v1/members?org=T.B1&limit=1;DROP%20TABLE%20person",
    ] {
        let r = f.send(Some("admin"), "GET", uri, None).await;
        assert!(r.status.as_u16() < 500, "{uri}: {}", r.status);
        assert!(!r.body.contains("Trần Văn Bình"), "{uri} listed another base's member");
    }
    assert_eq!(f.app.db.read().await.unwrap().person_count().await.unwrap(), before);
}

async fn path_traversal(f: &Fixture) {
    let admin = f.caller("admin").await;
    // An uploaded file's name is a label, never a path: what is stored has no folders.
    let file = f
        .app
        .acting_as(&admin)
        .attach_document_file(&admin, f.doc1, "../../../../etc/passwd.pdf", b"%PDF-1.4\n% y\n")
        .await
        .unwrap();
    let (att, _) = f.app.attachment(file).await.unwrap();
    assert_eq!(att.filename, "passwd.pdf");
    // Addresses that climb out of where they point.
    for uri in [
        "/static/../Cargo.toml",
        "/static/..%2F..%2FCargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/....//....//Cargo.toml",
        "/documents/1/files/..%2F..%2Fetc%2Fpasswd",
        "/export/members?org=..%2F..%2Fetc",
        "/paper/..%2F..%2Fetc/1",
    ] {
        let r = f.send(Some("admin"), "GET", uri, None).await;
        assert!(
            matches!(r.status.as_u16(), 400 | 404 | 422),
            "{uri}: {} {:.200}",
            r.status,
            r.body
        );
        assert!(!r.body.contains("[workspace]") && !r.body.contains("root:x:0"), "{uri}");
    }
    // An import upload's name does not decide where it is written.
    let token = f
        .app
        .stage_upload(admin.account_id, "../../../tmp/evil.csv", "Họ và tên\n".as_bytes())
        .await
        .unwrap();
    let (name, report) = f
        .app
        .import_upload(
            admin.account_id,
            &token,
            &dangbo_app::import::ImportOptions {
                dry_run: true,
                ..dangbo_app::import::ImportOptions::on(common::TODAY)
            },
        )
        .await
        .unwrap();
    assert_eq!(name, "../../../tmp/evil.csv", "the name is kept as a label");
    assert!(!report.errors.is_empty());
    assert!(!std::path::Path::new("/tmp/evil.csv").exists());
}

async fn session_fixation(f: &Fixture) {
    // A session token chosen by someone else and planted in the browser is not adopted:
    // signing in makes a new one, and the planted one opens nothing.
    let planted = "a".repeat(64);
    let page = f.send(None, "GET", "/login", None).await.body;
    let csrf = page
        .split_once("name=\"csrf\" value=\"")
        .unwrap()
        .1
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let req = Request::post("/login")
        .header(header::COOKIE, format!("dangbo_session={planted}; dangbo_login={csrf}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "csrf={csrf}&next=%2F&username=leader&password={}",
            common::PASSWORD
        )))
        .unwrap();
    let r = f.request(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let issued = r
        .cookies
        .iter()
        .find_map(|c| c.strip_prefix("dangbo_session="))
        .unwrap()
        .to_string();
    assert_ne!(issued, planted);
    assert!(f.app.session(&planted).await.unwrap().is_none());
    assert!(f.app.session(&issued).await.unwrap().is_some());
    // Signing out ends the session on the server, not only in the browser.
    let req = Request::post("/logout")
        .header(header::COOKIE, format!("dangbo_session={issued}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "csrf={}",
            f.app.session(&issued).await.unwrap().unwrap().csrf
        )))
        .unwrap();
    assert_eq!(f.request(req).await.status, StatusCode::SEE_OTHER);
    assert!(f.app.session(&issued).await.unwrap().is_none());
}

async fn run(f: Fixture) {
    stored_xss(&f).await;
    reflected_xss(&f).await;
    sql_injection(&f).await;
    path_traversal(&f).await;
    session_fixation(&f).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn attacks_sqlite() {
    let db = testing::sqlite().await.unwrap();
    run(fixture(db.db.clone()).await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn attacks_postgres() {
    let Some(db) = testing::postgres().await.unwrap() else {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    };
    run(fixture(db.db.clone()).await).await;
}
