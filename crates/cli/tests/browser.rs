//! End-to-end browser tests: a real `dangbo serve --demo` driven through headless Chromium.
//!
//! Skipped (and passing) when chromedriver or Chromium is not installed. Screenshots are
//! written to `<target>/browser-screenshots/`.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The demo accounts the test signs in with.
const USERS: [&str; 6] = ["quantri", "vanphong", "capuy", "bithu", "bithu2", "dangvien"];

/// How long to wait for an element of a page.
const PAGE_WAIT: Duration = Duration::from_secs(60);

/// Kills a child process when dropped, also when the test panics.
struct KillOnDrop(Child, &'static str);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        eprintln!("stopped {}", self.1);
    }
}

/// A demo account as printed by `dangbo serve --demo`.
#[derive(Debug, Clone)]
struct Account {
    password: String,
    scope: String,
}

/// The server: its address, the demo accounts, and the process.
struct Server {
    url: String,
    accounts: HashMap<String, Account>,
    _child: KillOnDrop,
}

impl Server {
    fn account(&self, user: &str) -> &Account {
        self.accounts
            .get(user)
            .unwrap_or_else(|| panic!("the demo did not print the account {user}: {:?}", self.accounts))
    }
}

fn which(name: &str, usual: &str) -> Option<PathBuf> {
    if Path::new(usual).is_file() {
        return Some(PathBuf::from(usual));
    }
    let out = Command::new("which").arg(name).output().ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
}

/// Starts `dangbo serve --demo` on a free port and reads the accounts it prints.
fn start_server(db: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dangbo"))
        .env_remove("DANGBO_DATABASE_URL")
        .env_remove("DANGBO_LANG")
        .env_remove("DANGBO_ADDR")
        .env_remove("DANGBO_SECURE_COOKIES")
        .env_remove("DANGBO_MAX_UPLOAD_MIB")
        .arg("--database-url")
        .arg(db)
        .args(["--lang", "vi", "serve", "--demo", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start dangbo");
    let stdout = child.stdout.take().expect("no stdout");
    let guard = KillOnDrop(child, "dangbo serve");
    let (tx, rx) = mpsc::channel::<String>();
    // Keeps draining stdout for the life of the server, so it never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                // Nobody listens any more: keep reading and drop the lines.
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut accounts = HashMap::new();
    let mut seen = Vec::new();
    let url = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match rx.recv_timeout(left) {
            Ok(l) => l,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("dangbo serve did not print its address within 180 s; it printed: {seen:#?}")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("dangbo serve exited before printing its address; it printed: {seen:#?}")
            }
        };
        eprintln!("server: {line}");
        if let Some(i) = line.find("http://") {
            break line[i..].trim().to_string();
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("  ") && fields.len() >= 3 && USERS.contains(&fields[0]) {
            accounts.insert(
                fields[0].to_string(),
                Account {
                    password: fields[1].to_string(),
                    scope: fields[fields.len() - 1].to_string(),
                },
            );
        }
        seen.push(line);
    };
    for u in USERS {
        assert!(accounts.contains_key(u), "no demo account {u} in {seen:#?}");
    }
    Server {
        url,
        accounts,
        _child: guard,
    }
}

/// Starts chromedriver on a free port and waits until it accepts connections.
fn start_chromedriver(driver: &Path) -> (String, KillOnDrop) {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("no free port");
        l.local_addr().expect("no address").port()
    };
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start chromedriver");
    let guard = KillOnDrop(child, "chromedriver");
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on port {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (format!("http://127.0.0.1:{port}"), guard)
}

/// Where screenshots go: `<target>/browser-screenshots`.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("cannot create the screenshot directory");
    dir
}

async fn screenshot(c: &Client, dir: &Path, name: &str) {
    let png = c.screenshot().await.expect("screenshot failed");
    assert!(png.starts_with(b"\x89PNG"), "the screenshot {name} is not a PNG");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).expect("cannot write the screenshot");
    eprintln!("screenshot: {}", path.display());
}

/// Marks the current document, so that [`fresh`] only finds elements of the next one.
async fn mark(c: &Client) {
    c.execute(
        "document.documentElement.setAttribute('data-old', '1'); return null;",
        vec![],
    )
    .await
    .expect("cannot mark the page");
}

/// Waits for an element matching `css` in a document loaded after the last [`mark`].
async fn fresh(c: &Client, css: &str) -> Element {
    let sel = format!("html:not([data-old]) {css}");
    match c.wait().at_most(PAGE_WAIT).for_element(Locator::Css(&sel)).await {
        Ok(e) => e,
        Err(e) => {
            let url = c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let src = c.source().await.unwrap_or_default();
            let cut: String = src.chars().take(3000).collect();
            panic!("no «{css}» on the new page {url}: {e}\n{cut}")
        }
    }
}

/// Opens a path of the server and waits for `css` on it.
async fn open(c: &Client, base: &str, path: &str, css: &str) -> Element {
    mark(c).await;
    c.goto(&format!("{base}{path}")).await.expect("navigation failed");
    fresh(c, css).await
}

/// Clicks `el` after bringing it into view at once: the stylesheet asks for smooth
/// scrolling, and a click during the scroll would land on whatever passes under the pointer.
async fn click(c: &Client, el: &Element) {
    let arg = serde_json::to_value(el).expect("cannot pass the element");
    c.execute(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'}); return null;",
        vec![arg],
    )
    .await
    .expect("cannot scroll");
    el.click().await.expect("click failed");
}

/// Clicks `el` (a link or a submit button) and waits for `css` on the page it leads to.
async fn click_to(c: &Client, el: &Element, css: &str) -> Element {
    mark(c).await;
    click(c, el).await;
    fresh(c, css).await
}

async fn find(c: &Client, css: &str) -> Element {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no «{css}»: {e}"))
}

async fn find_all(c: &Client, css: &str) -> Vec<Element> {
    c.find_all(Locator::Css(css)).await.expect("find_all failed")
}

async fn text(e: &Element) -> String {
    e.text().await.expect("no text").trim().to_string()
}

async fn texts(c: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in find_all(c, css).await {
        out.push(text(&e).await);
    }
    out
}

async fn h1(c: &Client) -> String {
    text(&find(c, "h1").await).await
}

/// The value shown for `label` in the `dl.facts` list of a record.
async fn fact(c: &Client, label: &str) -> String {
    let xpath = format!("//dl[contains(@class,'facts')]/dt[normalize-space()='{label}']/following-sibling::dd[1]");
    let dd = c
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no «{label}» on the record: {e}"));
    text(&dd).await
}

async fn fill(c: &Client, css: &str, value: &str) {
    let e = find(c, css).await;
    e.clear().await.expect("cannot clear");
    e.send_keys(value).await.expect("cannot type");
}

async fn sign_in(c: &Client, base: &str, user: &str, password: &str) {
    open(c, base, "/login", "#username").await;
    fill(c, "#username", user).await;
    fill(c, "#password", password).await;
    let button = find(c, "main form button[type=submit]").await;
    click_to(c, &button, "main h1").await;
    let who = c.find(Locator::Css(".who .name")).await;
    assert!(
        who.is_ok(),
        "signing in as {user} did not work: {:?}",
        texts(c, ".flash.err").await
    );
}

async fn sign_out(c: &Client) {
    let button = find(c, ".who form button").await;
    click_to(c, &button, "#username").await;
    assert!(
        find_all(c, ".who").await.is_empty(),
        "still signed in after signing out"
    );
}

/// The `/members/ID` links of the rows of the member list.
async fn member_links(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for a in find_all(c, "#members tbody tr td:first-child a").await {
        out.push(a.attr("href").await.expect("no href").expect("no href"));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_walkthrough() {
    let (Some(driver), Some(chromium)) = (
        which("chromedriver", "/usr/bin/chromedriver"),
        which("chromium", "/usr/bin/chromium"),
    ) else {
        eprintln!(
            "browser tests skipped: chromedriver/chromium not found (install the Debian packages chromium and chromium-driver)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let shots = screenshot_dir();
    let server = start_server(&tmp.path().join("d.db"));
    let base = server.url.clone();
    let (driver_url, _driver) = start_chromedriver(&driver);

    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium.to_string_lossy(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver_url)
        .await
        .expect("cannot open a WebDriver session");

    let bithu = server.account("bithu").clone();
    let bithu2 = server.account("bithu2").clone();
    assert_ne!(bithu.scope, bithu2.scope, "the two secretaries share a cell");

    // a. Sign in as the provincial office; the dashboard shows the province.
    let vanphong = server.account("vanphong").clone();
    assert_eq!(vanphong.scope, "LS");
    sign_in(&c, &base, "vanphong", &vanphong.password).await;
    assert_eq!(h1(&c).await, "Tổng quan");
    let scopes = texts(&c, "section.scope h2").await;
    assert!(
        scopes.iter().any(|s| s == "Đảng bộ tỉnh Lạng Sơn"),
        "the dashboard does not show the province: {scopes:?}"
    );
    assert!(!find_all(&c, "section.scope figure.chart svg").await.is_empty());
    screenshot(&c, &shots, "01-dashboard").await;

    // b. The tree, an organization, and the tree before and after 1/7/2025.
    open(&c, &base, "/orgs", "ul.tree a").await;
    let nodes = find_all(&c, "ul.tree a:not(.more)").await;
    assert!(nodes.len() > 1, "the tree shows {} organizations", nodes.len());
    assert_eq!(text(&nodes[0]).await, "Đảng bộ tỉnh Lạng Sơn");
    screenshot(&c, &shots, "02-tree").await;
    let child = find(&c, "ul.tree ul.tree a:not(.more)").await;
    let child_name = text(&child).await;
    let child_href = child.attr("href").await.unwrap().unwrap();
    click_to(&c, &child, "figure.chart svg").await;
    assert_eq!(h1(&c).await, child_name);
    let code = child_href
        .trim_start_matches("/orgs/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(fact(&c, "Mã").await, code);
    let charts = find_all(&c, "figure.chart svg").await.len();
    assert!(charts >= 3, "the organization page has {charts} charts");
    screenshot(&c, &shots, "03-org").await;

    open(&c, &base, "/orgs?on=2025-06-30", "ul.tree a").await;
    let before = texts(&c, "ul.tree a:not(.more)").await;
    open(&c, &base, "/orgs?on=2025-07-01", "ul.tree a").await;
    let after = texts(&c, "ul.tree a:not(.more)").await;
    let kcq = "Đảng bộ Khối các cơ quan tỉnh";
    assert!(
        before.iter().any(|n| n == kcq),
        "{kcq} missing on 30/6/2025: {before:?}"
    );
    assert!(
        !after.iter().any(|n| n == kcq),
        "{kcq} still there on 1/7/2025: {after:?}"
    );
    let cqd = "Đảng bộ các cơ quan Đảng tỉnh";
    assert!(!before.iter().any(|n| n == cqd), "{cqd} already there on 30/6/2025");
    assert!(after.iter().any(|n| n == cqd), "{cqd} missing on 1/7/2025: {after:?}");

    // c. Searching without diacritics finds names with them.
    open(&c, &base, "/members", "#q").await;
    fill(&c, "#q", "nguyen").await;
    let filter = find(&c, "form.filters button[type=submit]").await;
    click_to(&c, &filter, "#members").await;
    assert_eq!(
        find(&c, "#q").await.prop("value").await.unwrap().as_deref(),
        Some("nguyen")
    );
    let names = texts(&c, "#members tbody tr td:first-child").await;
    assert!(!names.is_empty(), "nobody found for «nguyen»");
    for n in &names {
        assert!(n.contains("Nguyễn"), "«{n}» was found for «nguyen»");
    }
    screenshot(&c, &shots, "04-search").await;

    // d. Edit a record, then try an impossible date.
    let first = find(&c, "#members tbody tr td:first-child a").await;
    let person = first.attr("href").await.unwrap().unwrap();
    let person_name = text(&first).await;
    click_to(&c, &first, "dl.facts").await;
    assert_eq!(h1(&c).await, person_name);
    let birth = fact(&c, "Ngày sinh").await;
    assert!(!birth.is_empty());
    let edit = find(&c, "a[href$='/edit']").await;
    assert_eq!(text(&edit).await, "Sửa hồ sơ");
    click_to(&c, &edit, "#phone").await;
    fill(&c, "#phone", "0912345678").await;
    let save = find(&c, "main form.stack button[type=submit]").await;
    click_to(&c, &save, "dl.facts").await;
    assert!(
        find_all(&c, "#form-errors").await.is_empty(),
        "saving the phone failed: {:?}",
        texts(&c, "#form-errors").await
    );
    assert_eq!(c.current_url().await.unwrap().path(), person);
    assert_eq!(fact(&c, "Điện thoại").await, "0912345678");

    open(&c, &base, &format!("{person}/edit"), "#birth_date").await;
    fill(&c, "#birth_date", "31/02/2020").await;
    let save = find(&c, "main form.stack button[type=submit]").await;
    click_to(&c, &save, "main h1").await;
    let errors = texts(&c, "#form-errors, .flash.err").await;
    assert!(!errors.is_empty(), "an impossible date was accepted");
    assert!(
        errors.iter().any(|e| e.contains("Ngày sinh")),
        "the error does not name the field: {errors:?}"
    );
    assert_eq!(
        find(&c, "#birth_date").await.prop("value").await.unwrap().as_deref(),
        Some("31/02/2020"),
        "the form lost what was typed"
    );
    screenshot(&c, &shots, "05-edit-error").await;
    open(&c, &base, &person, "dl.facts").await;
    assert_eq!(fact(&c, "Ngày sinh").await, birth, "the rejected date was saved");
    assert_eq!(fact(&c, "Điện thoại").await, "0912345678");

    // e. Import a file with an error: refused, then imported with the bad row skipped.
    let csv = tmp.path().join("nhap.csv");
    std::fs::write(
        &csv,
        format!(
            "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Ngày vào Đảng,Mã chi bộ\n\
             Hoàng Thị Thử,12/03/1990,Nữ,Tày,099990001111,15/05/2015,{cell}\n\
             Lý Văn Lỗi,31/02/1990,Nam,Nùng,099990002222,10/10/2016,{cell}\n",
            cell = bithu.scope
        ),
    )
    .unwrap();
    let csv_path = csv.to_str().unwrap();
    open(&c, &base, "/import", "#file").await;
    find(&c, "#file").await.send_keys(csv_path).await.unwrap();
    let upload = find(&c, "form[action='/import'] button[type=submit]").await;
    click_to(&c, &upload, "#report").await;
    let report = text(&find(&c, "#report").await).await;
    assert!(report.contains("Kết quả kiểm tra"), "not a validation report: {report}");
    assert!(
        report.contains("Dòng 3"),
        "the report does not point at row 3: {report}"
    );
    assert!(!report.contains("Dòng 2"), "the valid row 2 is reported: {report}");
    assert!(
        find_all(&c, "#confirm").await.is_empty(),
        "a file with errors can be confirmed without skipping"
    );
    screenshot(&c, &shots, "06-import-errors").await;

    let skip = find(&c, "input[name=skip_invalid]").await;
    click(&c, &skip).await;
    assert!(skip.is_selected().await.unwrap());
    find(&c, "#file").await.send_keys(csv_path).await.unwrap();
    let upload = find(&c, "form[action='/import'] button[type=submit]").await;
    let confirm = click_to(&c, &upload, "#confirm").await;
    let report = text(&find(&c, "#report").await).await;
    assert!(report.contains("Dòng 3"), "{report}");
    assert_eq!(fact(&c, "Dòng có lỗi").await, "1");
    click_to(&c, &confirm, "#report").await;
    let heading = text(&find(&c, "#report h2").await).await;
    assert!(
        heading.contains("Đã nhập xong"),
        "the import was not applied: {heading}"
    );
    assert_eq!(fact(&c, "Người mới").await, "1");
    assert_eq!(fact(&c, "Dòng có lỗi").await, "1");
    assert!(find_all(&c, "#confirm").await.is_empty());
    screenshot(&c, &shots, "06b-import-done").await;

    // f. A cell secretary cannot see another cell.
    open(&c, &base, &format!("/members?org={}", bithu2.scope), "#members").await;
    let others = member_links(&c).await;
    let other = others.first().expect("the other cell is empty").clone();
    sign_out(&c).await;
    sign_in(&c, &base, "bithu", &bithu.password).await;
    open(&c, &base, &other, "main h1").await;
    assert_eq!(
        h1(&c).await,
        "Không tìm thấy",
        "a secretary sees {other} of another cell"
    );
    assert!(find_all(&c, "dl.facts").await.is_empty());
    let hidden = text(&find(&c, ".flash.err").await).await;
    screenshot(&c, &shots, "07-secretary-404").await;
    // Out of scope reads exactly like a record that does not exist.
    let other_id = other.trim_start_matches("/members/");
    open(&c, &base, "/members/999999999", "main h1").await;
    assert_eq!(h1(&c).await, "Không tìm thấy");
    let missing = text(&find(&c, ".flash.err").await).await;
    assert_eq!(
        hidden.replace(other_id, "N"),
        missing.replace("999999999", "N"),
        "an out-of-scope record reads differently from a missing one"
    );
    open(&c, &base, &format!("/members?org={}", bithu2.scope), "main h1").await;
    assert_eq!(h1(&c).await, "Không tìm thấy", "a secretary lists another cell");
    assert!(find_all(&c, "#members").await.is_empty());

    open(&c, &base, "/members", "#members").await;
    let cells = find_all(&c, "#members tbody tr td:nth-child(6) a").await;
    let rows = find_all(&c, "#members tbody tr").await;
    assert!(!rows.is_empty());
    assert_eq!(cells.len(), rows.len());
    let own = format!("/orgs/{}", bithu.scope);
    let mut cell_names = Vec::new();
    for a in &cells {
        assert_eq!(a.attr("href").await.unwrap().as_deref(), Some(own.as_str()));
        cell_names.push(text(a).await);
    }
    cell_names.dedup();
    assert_eq!(cell_names.len(), 1, "the secretary's list spans cells: {cell_names:?}");
    assert!(h1(&c).await.ends_with(&cell_names[0]));
    // The person imported above is in the secretary's cell.
    fill(&c, "#q", "hoang thi thu").await;
    let filter = find(&c, "form.filters button[type=submit]").await;
    click_to(&c, &filter, "#count").await;
    let names = texts(&c, "#members tbody tr td:first-child").await;
    assert_eq!(names, vec!["Hoàng Thị Thử".to_string()]);

    // g. The language switch.
    open(&c, &base, "/", "main h1").await;
    assert_eq!(h1(&c).await, "Tổng quan");
    let english = find(&c, "nav.lang a[lang=en]").await;
    assert_eq!(text(&english).await, "English");
    click_to(&c, &english, "main h1").await;
    assert_eq!(h1(&c).await, "Overview");
    assert_eq!(
        find(&c, "html").await.attr("lang").await.unwrap().as_deref(),
        Some("en")
    );
    screenshot(&c, &shots, "08-english").await;

    c.close().await.expect("cannot close the browser");
}
