//! Live figures over server-sent events: a check-in sent to one instance reaches a page
//! watching on another instance of the same PostgreSQL database (through LISTEN/NOTIFY),
//! and on SQLite the page watching the one instance.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TODAY, fixture};
use dangbo_app::access::{Caller, Grant, Role};
use dangbo_app::conferences::{ConferenceInput, Live, PointInput};
use dangbo_app::{App, Clock};
use dangbo_domain::Validity;
use dangbo_store::{Db, testing};
use http_body_util::BodyExt;
use std::time::Duration;
use tower::ServiceExt;

fn admin() -> Caller {
    Caller {
        account_id: 0,
        username: "test".into(),
        display_name: "test".into(),
        person: None,
        grants: vec![Grant {
            id: 0,
            role: Role::Admin,
            org: None,
            validity: Validity::since(dangbo_domain::Date::constant(2000, 1, 1)),
        }],
    }
}

/// Reads the stream until an event's data holds `want`, or fails after 5 s.
async fn wait_for(body: &mut Body, want: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = tokio::time::timeout(left, body.frame())
            .await
            .unwrap_or_else(|_| panic!("no event with {want:?} within 5 s; saw:\n{seen}"));
        let Some(Ok(frame)) = frame else {
            panic!("stream ended; saw:\n{seen}")
        };
        if let Some(data) = frame.data_ref() {
            seen.push_str(&String::from_utf8_lossy(data));
            if let Some(event) = seen
                .split("\n\n")
                .find(|e| e.contains("event: figures") && e.contains(want))
            {
                return event.to_string();
            }
        }
    }
}

async fn watch_and_check_in(watcher: Router, sender: Router, app: &App, cookie: &str) {
    let me = admin();
    let conf = app
        .create_conference(
            &me,
            &ConferenceInput {
                org: "T".into(),
                kind: "dissemination".into(),
                title: "Hội nghị quán triệt".into(),
                held_on: dangbo_domain::date::short(TODAY),
                starts_at: "08:00".into(),
                format: "online".into(),
                ..ConferenceInput::default()
            },
        )
        .await
        .unwrap();
    let point = app
        .add_point(
            &me,
            conf,
            &PointInput {
                host: "T.B1.C1".into(),
                ..PointInput::default()
            },
        )
        .await
        .unwrap();
    app.set_point_status(&me, point, "live").await.unwrap();
    // Both instances sign with the secret kept in the database.
    let live = Live::start(app.clone()).await.unwrap();
    let key = app.point_key(&me, point, &live.signer).await.unwrap();

    let req = Request::get(format!("/conferences/{conf}/events"))
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let res = watcher.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = res.into_body();
    wait_for(&mut body, r#""members":"0""#).await;

    let send = |id: &'static str| {
        Request::post(format!("/api/v1/points/{point}/checkins"))
            .header(header::AUTHORIZATION, format!("Point {key}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(
                r#"{{"checkins":[{{"request_id":"{id}","code":"01000001","method":"scan"}}]}}"#
            )))
            .unwrap()
    };
    let res = sender.clone().oneshot(send("r-1")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let answer = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert!(answer.contains(r#""status":"counted""#), "{answer}");
    let event = wait_for(&mut body, r#""members":"1""#).await;
    assert!(event.contains(r#""connected":"1""#), "{event}");
    // Sent again (the answer was lost): still one.
    let res = sender.oneshot(send("r-1")).await.unwrap();
    let answer = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert!(answer.contains(r#""status":"counted""#), "{answer}");
    assert_eq!(app.figures(conf, None).await.unwrap().members, 1);
    assert_eq!(app.db.read().await.unwrap().checkin_count(conf).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_sees_check_ins_live_on_sqlite() {
    let db = testing::sqlite().await.unwrap();
    let f = fixture(db.db.clone()).await;
    let cookie = format!("dangbo_session={}", f.logins["admin"].token);
    watch_and_check_in(f.router.clone(), f.router.clone(), &f.app, &cookie).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_in_on_one_instance_reaches_a_page_on_another() {
    let Some(db) = testing::postgres().await.unwrap() else {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    };
    let f = fixture(db.db.clone()).await;
    // A second instance: its own pool, writer and listener over the same database; the
    // session made on the first works here too.
    let other = App::new(Db::open(&db.url).await.unwrap(), Clock::Fixed(TODAY), "test");
    let second = dangbo_web::router(other, dangbo_web::Config::default()).await.unwrap();
    let cookie = format!("dangbo_session={}", f.logins["admin"].token);
    // Give the second instance's listener a moment to connect.
    tokio::time::sleep(Duration::from_millis(300)).await;
    watch_and_check_in(second, f.router.clone(), &f.app, &cookie).await;
}
