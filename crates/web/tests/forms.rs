//! The forms and the API as a user meets them: a correction is saved and audited with the
//! values before and after; bad input gets a message and changes nothing; an import is
//! checked first and written only when confirmed; a restructuring is previewed first.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use axum::http::StatusCode;
use common::{Fixture, fixture};
use dangbo_domain::member::PersonId;
use dangbo_store::testing;

async fn phone_of(f: &Fixture, id: i64) -> Option<String> {
    let d = f.app.member_detail_by_id(PersonId(id)).await.unwrap();
    d.row.person.phone.map(|p| p.as_str().to_string())
}

fn member_form<'a>(phone: &'a str, birth: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "member"),
        ("name", "Nguyễn Thị Mai"),
        ("gender", "female"),
        ("birth_date", birth),
        ("ethnicity", "Tày"),
        ("card_number", "01000001"),
        ("admitted_on", "19/05/2010"),
        ("full_on", "19/05/2011"),
        ("phone", phone),
    ]
}

async fn edits(f: &Fixture) {
    let uri = format!("/members/{}/edit", f.p1);
    // Bad input: a day that does not exist. The page says so; nothing changes.
    let body = f.form("secretary", &member_form("0912345678", "31/02/1985"));
    let reply = f.send(Some("secretary"), "POST", &uri, Some(body)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Ngày sinh"), "{}", reply.body);
    assert!(reply.body.contains("id=\"form-errors\""));
    assert_eq!(phone_of(f, f.p1).await, None);

    // A good correction is saved, and audited with before and after.
    let body = f.form("secretary", &member_form("0912345678", "04/03/1985"));
    let reply = f.send(Some("secretary"), "POST", &uri, Some(body)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(phone_of(f, f.p1).await.as_deref(), Some("0912345678"));
    let mut tx = f.app.db.read().await.unwrap();
    let lines = tx.audit_for(&format!("person:{}", f.p1)).await.unwrap();
    let edit = lines.iter().find(|l| l.2 == "member.edit").unwrap();
    assert_eq!(edit.1, "user:secretary");
    assert!(edit.3.contains("điện thoại: «» → «0912345678»"), "{}", edit.3);
    drop(tx);

    // The API: malformed JSON is a 400 with a stable code, invalid values a 422.
    let reply = f
        .send(
            Some("office"),
            "PUT",
            &format!("/api/v1/members/{}", f.p1),
            Some(("application/json", "{not json".into())),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("\"code\":\"bad_request\""), "{}", reply.body);
    let json = r#"{"full_name": "Nguyễn Thị Mai", "gender": "Nữ", "birth_date": "04/03/1985", "ethnicity": "Tày", "card_number": "01000001", "admitted_on": "19/05/2010", "full_on": "19/05/2011", "phone": "12"}"#;
    let reply = f
        .send(
            Some("office"),
            "PUT",
            &format!("/api/v1/members/{}", f.p1),
            Some(("application/json", json.into())),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("\"code\":\"invalid\""));
    assert_eq!(phone_of(f, f.p1).await.as_deref(), Some("0912345678"));
    let reply = f.send(Some("office"), "GET", "/api/v1/members?after=abc", None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let reply = f.send(Some("office"), "GET", "/members?on=32/13/2024", None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

fn multipart(csrf: &str, filename: &str, content: &str, skip: bool) -> (&'static str, String) {
    let b = "----dangbo-test-boundary";
    let mut body = format!("--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n");
    body.push_str(&format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"on\"\r\n\r\n21/11/2026\r\n"
    ));
    if skip {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"skip_invalid\"\r\n\r\non\r\n"
        ));
    }
    body.push_str(&format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{b}--\r\n"
    ));
    ("multipart/form-data; boundary=----dangbo-test-boundary", body)
}

async fn count(f: &Fixture) -> i64 {
    let mut tx = f.app.db.read().await.unwrap();
    tx.person_count().await.unwrap()
}

async fn import(f: &Fixture) {
    let csrf = f.logins["office"].csrf.clone();
    let before = count(f).await;
    let csv = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Ngày vào Đảng,Mã chi bộ\n\
               Lò Văn Hải,02/09/1990,Nam,Thái,001090000001,03/02/2015,T.B1.C1\n\
               Hà Thị Lan,31/02/1991,Nữ,Tày,001091000002,03/02/2016,T.B1.C1\n\
               Vi Văn Tâm,05/05/1992,Nam,Nùng,001092000003,03/02/2017,T.B2.C2\n";
    // Checked, not written: row 3 has a day that does not exist, row 4 a cell outside the
    // office's scope, which reads as one that does not exist.
    let reply = f
        .send(
            Some("office"),
            "POST",
            "/import",
            Some(multipart(&csrf, "ds.csv", csv, false)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("Dòng 3"), "{}", reply.body);
    assert!(reply.body.contains("Dòng 4"), "{}", reply.body);
    assert!(
        reply.body.contains("Không có tổ chức đảng mã «T.B2.C2»"),
        "{}",
        reply.body
    );
    assert!(!reply.body.contains("id=\"confirm\""));
    assert_eq!(count(f).await, before);

    // A file that is not a spreadsheet is refused by its kind.
    let reply = f
        .send(
            Some("office"),
            "POST",
            "/import",
            Some(multipart(&csrf, "x.exe", "MZ", false)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Chỉ nhận tệp bảng tính"));

    // Skipping the bad rows: the preview offers to confirm; confirming writes one person.
    let reply = f
        .send(
            Some("office"),
            "POST",
            "/import",
            Some(multipart(&csrf, "ds.csv", csv, true)),
        )
        .await;
    assert!(reply.body.contains("id=\"confirm\""), "{}", reply.body);
    assert_eq!(count(f).await, before);
    let token = reply
        .body
        .split("name=\"upload\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    // Another account cannot confirm someone else's upload.
    let body = f.form(
        "admin",
        &[("upload", &token), ("on", "21/11/2026"), ("skip_invalid", "on")],
    );
    let reply = f.send(Some("admin"), "POST", "/import/confirm", Some(body)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let body = f.form(
        "office",
        &[("upload", &token), ("on", "21/11/2026"), ("skip_invalid", "on")],
    );
    let reply = f.send(Some("office"), "POST", "/import/confirm", Some(body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("Đã nhập xong"));
    assert_eq!(count(f).await, before + 1);
    // The audit log names the file as the office uploaded it.
    let mut tx = f.app.db.read().await.unwrap();
    let lines = tx.audit_for("file:ds.csv").await.unwrap();
    assert!(
        lines.iter().any(|l| l.1 == "user:office" && l.2 == "import.members"),
        "{lines:?}"
    );
}

/// Asks, as `user`, to move cell C1 under base committee B2 (`step`: preview or confirm).
async fn move_c1(f: &Fixture, user: &str, step: &str) -> common::Reply {
    let fields = [("op", "move"), ("target", "T.B2"), ("on", "21/11/2026"), ("step", step)];
    f.send(
        Some(user),
        "POST",
        "/orgs/T.B1.C1/restructure",
        Some(f.form(user, &fields)),
    )
    .await
}

async fn restructure_preview(f: &Fixture) {
    // A preview changes nothing; the confirmation does the same thing for real.
    let today = common::TODAY;
    let reply = move_c1(f, "admin", "preview").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("Xem trước"), "{}", reply.body);
    assert!(reply.body.contains("Người chuyển sinh hoạt"));
    let b1 = f.app.org(&common::code("T.B1"), today).await.unwrap();
    assert_eq!(
        f.app.org(&common::code("T.B1.C1"), today).await.unwrap().parent,
        Some(b1.id)
    );
    // A target outside the caller's scope reads as one that does not exist.
    let reply = move_c1(f, "office", "preview").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("Không có tổ chức đảng mã «T.B2»"), "{}", reply.body);
    let reply = move_c1(f, "admin", "confirm").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let moved = f.app.org(&common::code("T.B1.C1"), today).await.unwrap();
    let b2 = f.app.org(&common::code("T.B2"), today).await.unwrap();
    assert_eq!(moved.parent, Some(b2.id));
}

/// A member sees on their own record who else viewed or changed it; nobody else sees
/// that list, and names typed by others are shown escaped.
async fn who_viewed_my_record(f: &Fixture) {
    let mine = format!("/members/{}", f.p1);
    let r = f.send(Some("member"), "GET", &mine, None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Ai đã xem hồ sơ của đồng chí"), "{}", r.body);
    // The office looks at the record; the member then sees it, with when and what.
    assert_eq!(f.send(Some("office"), "GET", &mine, None).await.status, 200);
    let r = f.send(Some("member"), "GET", &mine, None).await;
    let section = r.body.split("Ai đã xem hồ sơ của đồng chí").nth(1).unwrap();
    assert!(
        section.contains("<td data-label=\"Tài khoản\">office</td>"),
        "{section}"
    );
    assert!(section.contains("Xem hồ sơ"), "{section}");
    // The member's own views are not listed as someone else's.
    assert!(!section.contains(">member</td>"), "{section}");
    // The office sees the record, not the list of who looked at it.
    let r = f.send(Some("office"), "GET", &mine, None).await;
    assert!(!r.body.contains("Ai đã xem hồ sơ của đồng chí"));
}

/// What every response tells the browser, and the cookies' flags, plain and behind HTTPS.
async fn security_headers(f: &Fixture) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    for secure in [false, true] {
        let config = dangbo_web::Config {
            secure_cookies: secure,
            ..dangbo_web::Config::default()
        };
        let router = dangbo_web::router(f.app.clone(), config).await.unwrap();
        for (uri, cache) in [
            ("/login", "no-store"),
            ("/static/app.js", "public, max-age=3600"),
            ("/nowhere", "no-store"),
        ] {
            let res = router
                .clone()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let h = |k: &str| {
                res.headers()
                    .get(k)
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default()
            };
            let csp = h("content-security-policy");
            for part in [
                "script-src 'self'",
                "style-src 'self'",
                "frame-ancestors 'none'",
                "object-src 'none'",
            ] {
                assert!(csp.contains(part), "{uri}: {csp}");
            }
            assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
            assert_eq!(h("x-frame-options"), "DENY");
            assert_eq!(h("x-content-type-options"), "nosniff");
            assert_eq!(h("referrer-policy"), "same-origin");
            assert!(h("permissions-policy").contains("camera=(self)"));
            assert_eq!(h("cache-control"), cache, "{uri}");
            assert_eq!(
                h("strict-transport-security").contains("max-age=31536000"),
                secure,
                "{uri}"
            );
            if uri == "/login" {
                let c = h("set-cookie");
                assert!(
                    c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"),
                    "{c}"
                );
                assert_eq!(c.contains("; Secure"), secure, "{c}");
            }
        }
    }
}

/// The value of the first `name="…" value="…"` field, or of the element with this id.
fn field(body: &str, name: &str) -> String {
    let from = body
        .split_once(&format!("name=\"{name}\" value=\""))
        .or_else(|| body.split_once(&format!("id=\"{name}\">")))
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        .1;
    from.split(['"', '<']).next().unwrap().to_string()
}

/// A form posted from the sign-in page: its token goes in the form and in the cookie.
async fn login_post(f: &Fixture, uri: &str, csrf: &str, fields: &str) -> common::Reply {
    let req = axum::http::Request::post(uri)
        .header("cookie", format!("dangbo_login={csrf}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("csrf={csrf}&next=%2F&{fields}")))
        .unwrap();
    f.request(req).await
}

/// The password step of a sign-in that asks for a code next: (form token, wait token).
async fn password_step(f: &Fixture, user: &str) -> (String, String) {
    let page = f.send(None, "GET", "/login", None).await.body;
    let csrf = field(&page, "csrf");
    let r = login_post(
        f,
        "/login",
        &csrf,
        &format!("username={user}&password={}", common::PASSWORD),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("autocomplete=\"one-time-code\""), "{}", r.body);
    let pending = field(&r.body, "pending");
    (csrf, pending)
}

async fn code_step(f: &Fixture, (csrf, pending): &(String, String), code: &str) -> common::Reply {
    login_post(f, "/login/code", csrf, &format!("pending={pending}&code={code}")).await
}

/// Two-step sign-in for an office account: set up from its own page with a code of the
/// offered secret, then asked for at sign-in, each code good once, wrong codes counted
/// as failed sign-ins until the account must wait; and every step audited.
async fn second_factor(f: &Fixture) {
    use dangbo_app::totp;
    let user = "office";
    let r = f.send(Some(user), "GET", "/account", None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("nên bật xác thực hai bước"), "{}", r.body);
    let body = f.form(user, &[]);
    let r = f.send(Some(user), "POST", "/account/2fa/offer", Some(body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = f.send(Some(user), "GET", "/account", None).await.body;
    let secret = totp::from_base32(&field(&page, "totp-secret")).unwrap();
    assert_eq!(secret.len(), 20);
    assert!(page.contains("<svg"), "the QR code is drawn");
    let now = totp::step_of(f.app.clock.unix());
    let wrong = if totp::code(&secret, now) == "000000" {
        "111111"
    } else {
        "000000"
    };
    for bad in [wrong, "12345", "abcdef"] {
        let body = f.form(user, &[("code", bad)]);
        let r = f.send(Some(user), "POST", "/account/2fa/on", Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.body.contains("Mã không đúng"), "{}", r.body);
    }
    let body = f.form(user, &[("code", &totp::code(&secret, now))]);
    let r = f.send(Some(user), "POST", "/account/2fa/on", Some(body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        f.send(Some(user), "GET", "/account", None)
            .await
            .body
            .contains("Đang bật")
    );

    // Signing in now asks for the code after the password.
    let wait = password_step(f, user).await;
    // The code used to turn it on is spent.
    let r = code_step(f, &wait, &totp::code(&secret, now)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("đã dùng"), "{}", r.body);
    let r = code_step(f, &wait, &totp::code(&secret, now + 1)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let session = r.cookies.iter().find(|c| c.starts_with("dangbo_session=")).unwrap();
    let token = session.trim_start_matches("dangbo_session=");
    assert_eq!(f.app.session(token).await.unwrap().unwrap().caller.username, user);
    // Scripts cannot sign such an account in with its password alone.
    assert!(
        f.app
            .login(user, common::PASSWORD, dangbo_domain::Lang::Vi)
            .await
            .is_err()
    );

    // Wrong codes are failed sign-ins: after five the account waits, even with a good code.
    let wait = password_step(f, user).await;
    for _ in 0..5 {
        assert_eq!(code_step(f, &wait, wrong).await.status, StatusCode::UNAUTHORIZED);
    }
    let r = code_step(f, &wait, &totp::code(&secret, now - 1)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Đăng nhập sai quá"), "{}", r.body);
    let audit = f
        .app
        .db
        .read()
        .await
        .unwrap()
        .audit_for(&format!("account:{user}"))
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = audit.iter().map(|e| (e.2.as_str(), e.3.as_str())).collect();
    for want in [
        ("account.2fa-offer", ""),
        ("account.2fa-on", ""),
        ("login.password", "chờ mã xác thực"),
        ("login", "mã xác thực"),
        ("login.fail", "sai mã xác thực"),
        ("login.fail", "đang bị tạm khóa"),
    ] {
        assert!(actions.contains(&want), "{want:?} not in {actions:?}");
    }
    // A lost phone: the administrator takes the second factor away.
    let caller = f.caller(user).await;
    f.app.reset_second_factor(user).await.unwrap();
    assert!(!f.app.second_factor(&caller).await.unwrap().on);
}

/// Errors made before a handler runs (a path that does not parse, a method not served, an
/// address that does not exist) come back in the API's JSON shape too; schemathesis found
/// them as plain text (`.ci/schemathesis`).
async fn api_errors_are_json(f: &Fixture) {
    for (method, uri, status) in [
        ("GET", "/api/v1/conferences/99999999999999999999/live", 400),
        ("POST", "/api/v1/points/-99999999999999999999/checkins", 400),
        ("DELETE", "/api/v1/members/1", 405),
        ("GET", "/api/v1/nothing-here", 404),
    ] {
        let r = f.send(Some("office"), method, uri, None).await;
        assert_eq!(r.status.as_u16(), status, "{method} {uri}: {}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{uri}: {e}: {}", r.body));
        assert!(
            v["error"]["code"].is_string() && v["error"]["message"].is_string(),
            "{v}"
        );
    }
    // The description documents what every operation may answer.
    let doc = f.send(None, "GET", "/api/openapi.json", None).await.body;
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    for code in ["400", "401", "403", "404"] {
        assert!(
            doc["paths"]["/api/v1/members/{id}"]["get"]["responses"][code].is_object(),
            "{code}"
        );
    }
}

/// A body that is not a file upload is refused over 1 MiB, as a page or as JSON, and
/// a file upload of the same size is read.
async fn body_limits(f: &Fixture) {
    let big = "x".repeat(dangbo_web::MAX_BODY as usize + 1);
    let form = f.form("office", &[("name", &big), ("on", "21/11/2026")]);
    let r = f.send(Some("office"), "POST", "/orgs/T.B1.C1/rename", Some(form)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("quá lớn"), "{}", r.body);
    let json = ("application/json", format!(r#"{{"full_name": "{big}"}}"#));
    let r = f
        .send(Some("office"), "PUT", &format!("/api/v1/members/{}", f.p1), Some(json))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("\"too_large\""), "{}", r.body);
    let upload = f.multipart("office", &[("file", Some("lon.csv"), &big), ("on", None, "21/11/2026")]);
    let r = f.send(Some("office"), "POST", "/import", Some(upload)).await;
    assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// A browser session left unused for half an hour ends, before its twelve hours are up;
/// one used within it stays, and its use is noted. API tokens are for scripts that run
/// now and then: they do not end for being idle.
async fn idle_sessions_end(f: &Fixture) {
    use dangbo_app::accounts::{IDLE_MINUTES, token_hash};
    let set_seen = |hash: String, minutes: i64| async move {
        let mut w = f.app.db.write().await.unwrap();
        w.touch_session(&hash, &f.app.clock.timestamp_in(-minutes * 60))
            .await
            .unwrap();
        w.commit().await.unwrap();
    };
    let seen = |hash: String| async move {
        let mut r = f.app.db.read().await.unwrap();
        r.session(&hash).await.unwrap().map(|s| s.seen_at)
    };
    let opened = f
        .app
        .login("leader", common::PASSWORD, dangbo_domain::Lang::Vi)
        .await
        .unwrap();
    let hash = token_hash(&opened.token);
    set_seen(hash.clone(), IDLE_MINUTES - 1).await;
    assert!(f.app.session(&opened.token).await.unwrap().is_some());
    assert_eq!(
        seen(hash.clone()).await,
        Some(f.app.clock.timestamp()),
        "the use is noted"
    );
    set_seen(hash.clone(), IDLE_MINUTES + 1).await;
    assert!(
        f.app.session(&opened.token).await.unwrap().is_none(),
        "an idle session still opens"
    );
    assert_eq!(seen(hash).await, None, "the idle session is still stored");
    let api = f.app.create_token("leader", "kịch bản", 30).await.unwrap();
    set_seen(token_hash(&api), 24 * 60).await;
    assert!(f.app.session(&api).await.unwrap().is_some());
}

/// Many failed sign-ins from one address make that address wait, whatever names were
/// tried; other addresses sign in as usual. Behind a proxy, the address is the last one
/// the proxy added to `X-Forwarded-For`.
async fn throttled_by_address(f: &Fixture) {
    use dangbo_app::accounts::MAX_ADDRESS_FAILURES;
    let proxied = dangbo_web::router(
        f.app.clone(),
        dangbo_web::Config {
            behind_proxy: true,
            ..dangbo_web::Config::default()
        },
    )
    .await
    .unwrap();
    let attempt = |user: String, password: &'static str, peer: [u8; 4], forwarded: Option<&'static str>| {
        let proxied = proxied.clone();
        async move {
            let page = f.send(None, "GET", "/login", None).await.body;
            let csrf = field(&page, "csrf");
            let mut req = axum::http::Request::post("/login")
                .header("cookie", format!("dangbo_login={csrf}"))
                .header("content-type", "application/x-www-form-urlencoded");
            if let Some(x) = forwarded {
                req = req.header("x-forwarded-for", x);
            }
            let mut req = req
                .body(axum::body::Body::from(format!(
                    "csrf={csrf}&next=%2F&username={user}&password={password}"
                )))
                .unwrap();
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((peer, 40000))));
            if forwarded.is_some() {
                use tower::ServiceExt;
                proxied.oneshot(req).await.unwrap().status()
            } else {
                f.request(req).await.status
            }
        }
    };
    for k in 0..MAX_ADDRESS_FAILURES {
        let s = attempt(format!("khong-co-{k}"), "sai-mat-khau", [10, 0, 0, 7], None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // The right password, from that address: refused for now. From another: signed in.
    let s = attempt("leader".into(), common::PASSWORD, [10, 0, 0, 7], None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let s = attempt("leader".into(), common::PASSWORD, [10, 0, 0, 8], None).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // Behind the proxy, the peer is the proxy; the address is the one it added last.
    let s = attempt(
        "leader".into(),
        common::PASSWORD,
        [127, 0, 0, 1],
        Some("1.2.3.4, 10.0.0.7"),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let s = attempt(
        "leader".into(),
        common::PASSWORD,
        [127, 0, 0, 1],
        Some("10.0.0.7, 10.0.0.9"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

async fn run(f: Fixture) {
    throttled_by_address(&f).await;
    idle_sessions_end(&f).await;
    body_limits(&f).await;
    security_headers(&f).await;
    who_viewed_my_record(&f).await;
    edits(&f).await;
    import(&f).await;
    restructure_preview(&f).await;
    api_errors_are_json(&f).await;
    second_factor(&f).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forms_and_api_sqlite() {
    let db = testing::sqlite().await.unwrap();
    run(fixture(db.db.clone()).await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forms_and_api_postgres() {
    let Some(db) = testing::postgres().await.unwrap() else {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    };
    run(fixture(db.db.clone()).await).await;
}
