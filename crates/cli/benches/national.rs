//! The national registry served by `dangbo serve`: member search without diacritics over
//! the whole nation, pages under 100 concurrent users, and the server's memory.
//!
//! For each database it finds (or makes, with `dangbo generate`, which takes minutes) a
//! national registry, starts `dangbo serve` on it as a process of its own, signs in as an
//! administrator of the nation through the sign-in form, and then measures over loopback:
//!
//! - searching members by a name typed without diacritics (`nguyen van an`) over the whole
//!   nation, one request at a time, 300 names: p50 and p99 (aim p99 < 20 ms);
//! - 100 concurrent clients for 10 seconds each (and at most 100,000 requests) on the
//!   dashboard, a province's page with its tree, and a province's member list, with
//!   `/healthz` measured the same way as the reference: requests per second, p50 and p99
//!   (aim p99 < 100 ms);
//! - the server's resident memory afterwards, now and at its peak (aim < 500 MiB).
//!
//! SQLite: `DANGBO_BENCH_SQLITE` (default `/var/tmp/dangbo-national.db`; `skip` to
//! skip). PostgreSQL:
//! `DANGBO_BENCH_POSTGRES`, the URL of a database of its own (skipped when unset).
//! `DANGBO_BENCH_MEMBERS` sets the size of a registry it has to generate (default
//! 5,600,000). Run with `cargo bench -p dangbo-cli --bench national`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CLIENTS: usize = 100;
const SECONDS: u64 = 10;
const MAX_REQUESTS: usize = 100_000;
const NAMES: &[&str] = &[
    "nguyen van an",
    "tran thi lan",
    "le van hung",
    "hoang thi mai",
    "pham van minh",
    "vu thi hoa",
    "dang van son",
    "bui thi thu",
    "do van tuan",
    "ngo thi huong",
    "nong van binh",
    "luong thi nga",
];
const BIN: &str = env!("CARGO_BIN_EXE_dangbo");

fn dangbo(url: &str, args: &[&str], stdin: Option<&str>) -> bool {
    let mut child = Command::new(BIN)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    child.wait().unwrap().success()
}

/// A national registry at `url`, generated if it is not there yet.
fn ensure_registry(url: &str) {
    assert!(dangbo(url, &["migrate"], None));
    if dangbo(url, &["org", "show", "TW"], None) {
        return;
    }
    let members = std::env::var("DANGBO_BENCH_MEMBERS").unwrap_or_else(|_| "5600000".into());
    eprintln!("generating a national registry of {members} members at {url} (minutes)…");
    assert!(dangbo(url, &["generate", "--members", &members], None));
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One exchange on a fresh connection: status, the `Set-Cookie` values, and the body.
async fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    body: &str,
) -> std::io::Result<(u16, Vec<String>, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    let text = String::from_utf8_lossy(&out);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .collect();
    Ok((status, cookies, body.to_string()))
}

async fn sign_in(port: u16) -> String {
    let (_, cookies, page) = http(port, "GET", "/login", "", "").await.unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the sign-in form's token")
        .to_string();
    let body = format!("username=bench&password=mat-khau-do-hieu-nang-2026&csrf={csrf}");
    let (status, cookies, _) = http(port, "POST", "/login", &cookies.join("; "), &body).await.unwrap();
    assert!(status == 303 || status == 302, "sign-in answered {status}");
    cookies
        .into_iter()
        .find(|c| c.starts_with("dangbo_session="))
        .expect("a session cookie")
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// `CLIENTS` clients on one path: requests per second, p50, p99, errors.
async fn load(port: u16, path: &str, cookie: &str) -> (f64, f64, f64, usize) {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (path, cookie) = (path.to_string(), cookie.to_string());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0);
            while Instant::now() < deadline && lat.len() < MAX_REQUESTS / CLIENTS {
                let t = Instant::now();
                // A request unanswered in 30 s counts as an error, so that a run ends.
                match tokio::time::timeout(Duration::from_secs(30), http(port, "GET", &path, &cookie, "")).await {
                    Ok(Ok((200, _, _))) => lat.push(t.elapsed()),
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable();
    (
        all.len() as f64 / secs,
        quantile(&all, 0.5),
        quantile(&all, 0.99),
        errors,
    )
}

fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|k| k.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn run(label: &str, url: &str) {
    ensure_registry(url);
    // An administrator of the nation to sign in as (already there on a second run).
    let _ = dangbo(
        url,
        &["user", "add", "bench", "--name", "Đo hiệu năng", "--password-stdin"],
        Some("mat-khau-do-hieu-nang-2026\n"),
    );
    let _ = dangbo(url, &["user", "grant", "bench", "admin"], None);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server(
        Command::new(BIN)
            .args(["--database-url", url, "serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("DANGBO_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let up = Instant::now();
    while http(port, "GET", "/healthz", "", "").await.map(|r| r.0).ok() != Some(200) {
        assert!(up.elapsed() < Duration::from_secs(60), "the server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cookie = sign_in(port).await;

    // Figure 5: search over the nation, one request at a time.
    let mut lat = Vec::new();
    let mut found = 0usize;
    for i in 0..300 {
        let q = NAMES[i % NAMES.len()].replace(' ', "+");
        let t = Instant::now();
        let (status, _, body) = http(port, "GET", &format!("/api/v1/members?q={q}"), &cookie, "")
            .await
            .unwrap();
        lat.push(t.elapsed());
        assert_eq!(status, 200, "{body:.200}");
        found += usize::from(body.contains("\"id\""));
    }
    lat.sort_unstable();
    println!(
        "{label:<10} member search over the nation (API, {found}/300 found)   p50 {:>7.1} ms  p99 {:>7.1} ms   (aim p99 < 20 ms)",
        quantile(&lat, 0.5),
        quantile(&lat, 0.99)
    );

    // Figure 6: pages under 100 concurrent users, /healthz as the reference.
    for (what, path) in [
        ("/healthz (reference)", "/healthz"),
        ("dashboard", "/"),
        ("a province and its tree", "/orgs/HN"),
        ("a province's member list", "/members?org=HN"),
    ] {
        let (rps, p50, p99, errors) = load(port, path, &cookie).await;
        println!(
            "{label:<10} {what:<28} {CLIENTS} clients  {rps:>8.0} req/s  p50 {p50:>7.1} ms  p99 {p99:>7.1} ms  errors {errors}"
        );
    }

    // Figure 7: the server's memory.
    let (now, peak) = memory_mib(server.0.id());
    println!("{label:<10} server resident memory  now {now:.0} MiB  peak {peak:.0} MiB   (aim < 500 MiB)");
}

#[tokio::main]
async fn main() {
    let sqlite = std::env::var("DANGBO_BENCH_SQLITE").unwrap_or_else(|_| "/var/tmp/dangbo-national.db".into());
    if sqlite == "skip" {
        println!("SQLite: DANGBO_BENCH_SQLITE=skip, skipped");
    } else {
        run("SQLite", &sqlite).await;
    }
    match std::env::var("DANGBO_BENCH_POSTGRES") {
        Ok(pg) => run("PostgreSQL", &pg).await,
        Err(_) => println!("PostgreSQL: DANGBO_BENCH_POSTGRES is not set, skipped"),
    }
}
