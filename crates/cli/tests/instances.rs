//! Two `dangbo serve` processes on one PostgreSQL database behind nginx on loopback: a
//! session opened once is honoured by both; a check-in made through one is seen live by a
//! viewer of the other; and one of them is killed with SIGKILL while clients post
//! check-ins through nginx, retrying what fails with the same request ids. Every check-in
//! any client saw acknowledged is in the database afterwards, once.
//!
//! Needs `DANGBO_TEST_POSTGRES` and Debian's `nginx` (`.ci/run` installs it); says it was
//! skipped otherwise.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::access::Caller;
use dangbo_app::conferences::{ConferenceInput, Live, PointInput};
use dangbo_app::generate::{GenerateOptions, Progress};
use dangbo_app::{App, Clock};
use dangbo_domain::Lang;
use dangbo_store::testing;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;
use common::server::{free_port, http, serve, wait_up};

const CLIENTS: usize = 16;
const REQUESTS_PER_CLIENT: usize = 120;
const PER_REQUEST: usize = 5;

struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// nginx, stopped with SIGTERM when dropped so that its master stops its workers too
/// (SIGKILL would leave them behind).
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

fn nginx_conf(dir: &std::path::Path, port: u16, a: u16, b: u16) -> std::path::PathBuf {
    let d = dir.display();
    let conf = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           upstream dangbo {{ server 127.0.0.1:{a} max_fails=1 fail_timeout=5s; server 127.0.0.1:{b} max_fails=1 fail_timeout=5s; keepalive 32; }}\n\
           server {{\n    listen 127.0.0.1:{port};\n    client_max_body_size 20m;\n\
             location = /metrics {{ deny all; }}\n\
             location / {{ proxy_pass http://dangbo; proxy_http_version 1.1; proxy_set_header Connection \"\"; \
                           proxy_set_header Host $host; \
                           proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_buffering off; }}\n  }}\n}}\n"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

fn nginx() -> Option<&'static str> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_lose_nothing_when_one_is_killed() {
    let Some(t) = testing::postgres().await.unwrap() else {
        eprintln!("DANGBO_TEST_POSTGRES is not set: skipped");
        return;
    };
    let Some(nginx) = nginx() else {
        eprintln!("nginx is not installed (apt-get install nginx): skipped");
        return;
    };
    // A small nation; a conference of Hà Nội today with a point per base, all live.
    let app = App::new(t.db.clone(), Clock::System, "test");
    app.generate(
        GenerateOptions {
            members: 10_000,
            seed: 5,
        },
        &Quiet,
    )
    .await
    .unwrap();
    let office = Caller::system("test");
    let live = Live::start(app.clone()).await.unwrap();
    let today = app.clock.today();
    let conf = app
        .create_conference(
            &office,
            &ConferenceInput {
                org: "HN".into(),
                kind: "dissemination".into(),
                title: "Hội nghị quán triệt nghị quyết".into(),
                organizer: "Ban Thường vụ Tỉnh ủy".into(),
                held_on: dangbo_domain::date::short(today),
                starts_at: "08:00".into(),
                format: "online".into(),
                ..ConferenceInput::default()
            },
        )
        .await
        .unwrap();
    let province = app
        .add_point(
            &office,
            conf,
            &PointInput {
                host: "HN".into(),
                ..PointInput::default()
            },
        )
        .await
        .unwrap();
    app.add_base_points(&office, conf, "HN", Some(province)).await.unwrap();
    let view = app.conference(&office, conf, Lang::Vi).await.unwrap();
    let mut points = Vec::new();
    for (p, _) in &view.points {
        app.set_point_status(&office, p.id, "live").await.unwrap();
        points.push((p.id, app.point_key(&office, p.id, &live.signer).await.unwrap()));
    }
    assert!(points.len() > 5);
    app.add_user("vanphong", "Văn phòng", "mat-khau-kiem-thu-2026", None)
        .await
        .unwrap();
    app.grant(
        "vanphong",
        dangbo_app::access::Role::Office,
        Some(&dangbo_domain::org::OrgCode::parse("HN").unwrap()),
        today,
    )
    .await
    .unwrap();
    let session = app.login("vanphong", "mat-khau-kiem-thu-2026", Lang::Vi).await.unwrap();
    let cookie = format!("dangbo_session={}", session.token);

    let dir = tempfile::tempdir().unwrap();
    let (a, b, front) = (free_port(), free_port(), free_port());
    let mut first = Some(serve(&t.url, a));
    let _second = serve(&t.url, b);
    wait_up(a).await;
    wait_up(b).await;
    let conf_path = nginx_conf(dir.path(), front, a, b);
    let _nginx = Nginx(
        Command::new(nginx)
            .args(["-c", conf_path.to_str().unwrap(), "-p", dir.path().to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_up(front).await;

    // A ballot open at the conference: each code sent to both instances at once is
    // counted once, whichever commits first.
    let requests = (0..10_000)
        .map(|k| dangbo_store::CheckinRequest {
            request_id: format!("present-{k}"),
            point_id: province,
            code: format!("{:09}", 10_000_000 + k),
            person: None,
            method: "typed".into(),
            by_account: None,
        })
        .collect();
    live.checkin(conf, requests).await.unwrap();
    let cards: Vec<String> = (0..3).map(|k| format!("{:09}", 10_000_000 + k)).collect();
    let vote = common::ballot::open(&app, &office, "HN", conf, &cards, ("kiemphieu", "bau-cu-an-toan-2026")).await;
    assert!(vote.codes.len() > 100, "{} codes", vote.codes.len());
    let form = |code: &str| format!("code={code}&c1=y&c2=n&c3=y");
    let mut counted = 0;
    for code in &vote.codes[..100] {
        let body = form(code);
        let headers = [("Content-Type", "application/x-www-form-urlencoded")];
        let (x, y) = tokio::join!(
            http(a, "POST", "/vote", &headers, &body),
            http(b, "POST", "/vote", &headers, &body)
        );
        for (status, page) in [x.unwrap(), y.unwrap()] {
            if status == 200 && page.contains("Phiếu của đồng chí đã được ghi nhận") {
                counted += 1;
            } else {
                // The other: told the code was used, or refused outright.
                assert!(
                    status == 200 && page.contains("Mã này đã được dùng") || status == 422,
                    "{status}"
                );
            }
        }
    }
    assert_eq!(counted, 100, "each code counted exactly once");
    let mut tx = t.db.read().await.unwrap();
    assert_eq!(tx.casts(vote.ballot).await.unwrap().len(), 100);
    assert_eq!(tx.used_credentials(vote.ballot).await.unwrap().len(), 100);
    drop(tx);

    // The request counters answer on the machine, not through the load balancer.
    assert_eq!(http(a, "GET", "/metrics", &[], "").await.unwrap().0, 200);
    assert_eq!(http(front, "GET", "/metrics", &[], "").await.unwrap().0, 403);

    // The session opened once is honoured by each instance and through nginx.
    for port in [a, b, front, front, front, front] {
        let (status, body) = http(port, "GET", "/api/v1/me", &[("Cookie", &cookie)], "")
            .await
            .unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("vanphong"), "{body}");
    }

    // A viewer of the conference's live figures on one instance hears of a check-in made
    // on the other (PostgreSQL's LISTEN/NOTIFY between them).
    let mut sse = TcpStream::connect(("127.0.0.1", a)).await.unwrap();
    sse.write_all(
        format!("GET /conferences/{conf}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let start = Instant::now();
    while seen.matches("data:").count() < 1 && start.elapsed() < Duration::from_secs(10) {
        let n = tokio::time::timeout(Duration::from_secs(10), sse.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains("200"), "{seen:.200}");
    let first_events = seen.matches("data:").count();
    let (point, key) = &points[0];
    let body = r#"{"checkins":[{"request_id":"live-1","code":"010000000","method":"scan"}]}"#;
    let (status, answer) = http(
        b,
        "POST",
        &format!("/api/v1/points/{point}/checkins"),
        &[
            ("Authorization", &format!("Point {key}")),
            ("Content-Type", "application/json"),
        ],
        body,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{answer}");
    let start = Instant::now();
    while seen.matches("data:").count() <= first_events && start.elapsed() < Duration::from_secs(10) {
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(10), sse.read(&mut buf)).await {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
    assert!(
        seen.matches("data:").count() > first_events,
        "no event on instance A for a check-in on instance B"
    );
    drop(sse);

    // Load through nginx; instance A is killed a second in. Clients retry what fails,
    // with the same request ids, until it is acknowledged.
    let points = Arc::new(points);
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let points = points.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut retries = 0;
            for s in 0..REQUESTS_PER_CLIENT {
                let (point, key) = &points[c % points.len()];
                let ids: Vec<String> = (0..PER_REQUEST).map(|j| format!("k{c}-{s}-{j}")).collect();
                let items: Vec<String> = ids
                    .iter()
                    .enumerate()
                    .map(|(j, id)| {
                        let card = 10_000_000 + (c * REQUESTS_PER_CLIENT * PER_REQUEST + s * PER_REQUEST + j) % 10_000;
                        format!(r#"{{"request_id":"{id}","code":"{card:09}","method":"scan"}}"#)
                    })
                    .collect();
                let body = format!(r#"{{"checkins":[{}]}}"#, items.join(","));
                let path = format!("/api/v1/points/{point}/checkins");
                let auth = format!("Point {key}");
                let mut tries = 0;
                loop {
                    tries += 1;
                    let r = http(
                        front,
                        "POST",
                        &path,
                        &[("Authorization", &auth), ("Content-Type", "application/json")],
                        &body,
                    )
                    .await;
                    match r {
                        Ok((200, answer)) => {
                            assert!(ids.iter().all(|id| answer.contains(id.as_str())), "{answer}");
                            acknowledged.extend(ids);
                            done.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                        _ if tries < 200 => {
                            retries += 1;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        other => panic!("client {c}: not acknowledged after 200 tries: {other:?}"),
                    }
                }
            }
            (acknowledged, retries)
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_kill = done.load(Ordering::SeqCst);
    drop(first.take()); // SIGKILL
    let mut acknowledged = Vec::new();
    let mut retries = 0;
    for t in tasks {
        let (ids, r) = t.await.unwrap();
        acknowledged.extend(ids);
        retries += r;
    }
    // The kill came in the middle of the load, not after it.
    assert!(
        before_kill < CLIENTS * REQUESTS_PER_CLIENT / 2,
        "{before_kill} requests done before the kill"
    );
    assert_eq!(acknowledged.len(), CLIENTS * REQUESTS_PER_CLIENT * PER_REQUEST);

    // Everything acknowledged is stored, once.
    let stored: Vec<Vec<String>> = t.db.read().await.unwrap().dump_for_tests("checkin").await.unwrap();
    let cols = t.db.read().await.unwrap().columns_of("checkin").await.unwrap();
    let rid = cols.iter().position(|c| c == "request_id").unwrap();
    let stored: HashSet<&str> = stored.iter().map(|r| r[rid].as_str()).collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(id.as_str())).collect();
    eprintln!(
        "{} check-ins acknowledged through nginx ({} requests before the kill), {} retries, {} lost",
        acknowledged.len(),
        before_kill,
        retries,
        lost.len()
    );
    assert!(
        lost.is_empty(),
        "acknowledged but not stored: {:?}",
        &lost[..lost.len().min(10)]
    );
    drop(live);
}
