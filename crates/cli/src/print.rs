//! What the command prints: trees, records, reports and progress, as plain text.

use dangbo_app::import::ImportReport;
use dangbo_app::members::{AGE_BANDS, MemberDetail, MemberStats};
use dangbo_app::orgs::{SplitPlan, TreeNode};
use dangbo_domain::Date;
use dangbo_domain::Lang;
use dangbo_domain::cadre::roman;
use dangbo_domain::date::{age_on, short};
use dangbo_domain::member::status_on;
use dangbo_domain::number::{percent_cut, thousands};
use dangbo_domain::org::{OrgCode, OrgName};
use dangbo_store::{BodyRow, MemberView, OrgVersion, Total};
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// A mistake of the person running the command (exit code 1), already worded.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// A database URL with its password hidden.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s && url[s + 3..at].contains(':') => {
            let user = url[s + 3..at].split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// A spinner with a message, on standard error.
pub fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A progress bar for long imports, on standard error (hidden when not a terminal).
pub fn progress() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {percent:>3}% (còn {eta})") {
        bar.set_style(style);
    }
    bar
}

/// The generator's progress: a line per stage on standard error, and a bar on a terminal.
pub struct Stages(ProgressBar);

impl Stages {
    pub fn new() -> Stages {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{msg:16} {bar:40} {pos}/{len} ({per_sec}, còn {eta})") {
            bar.set_style(style);
        }
        Stages(bar)
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl dangbo_app::generate::Progress for Stages {
    fn stage(&self, name: &str, total: u64) {
        if self.0.is_hidden() {
            say_err!("{name}: {}", thousands(total));
        }
        self.0.set_message(name.to_string());
        self.0.set_length(total);
        self.0.set_position(0);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

/// What the generator made, a figure a line.
pub fn generated(s: &dangbo_app::generate::Generated, lang: Lang) {
    let n = |x: usize| thousands(x as u64);
    let lines = [
        (n(s.provinces.1), "tỉnh, thành phố", "provinces"),
        (
            n(s.provinces.0),
            "tỉnh, thành phố trước 01/07/2025",
            "provinces before 1/7/2025",
        ),
        (n(s.districts), "huyện trước 01/07/2025", "districts before 1/7/2025"),
        (n(s.communes.0), "xã trước 01/07/2025", "communes before 1/7/2025"),
        (n(s.communes.1), "xã sau sắp xếp", "communes after"),
        (n(s.bases), "tổ chức cơ sở đảng", "base organizations"),
        (n(s.cells), "chi bộ", "cells"),
        (n(s.versions), "phiên bản tổ chức", "organization versions"),
        (thousands(s.members), "đảng viên", "members"),
        (n(s.bodies), "cấp ủy", "bodies"),
        (n(s.positions), "chức vụ", "positions"),
        (
            n(s.points),
            "điểm cầu của hội nghị toàn quốc",
            "points of the national conference",
        ),
        (
            thousands(s.expected.max(0) as u64),
            "người dự kiến dự hội nghị",
            "participants expected",
        ),
    ];
    out!("{}", lang.pick("Đã tạo:", "Generated:"));
    for (figure, vi, en) in lines {
        out!("  {figure:>10}  {}", lang.pick(vi, en));
    }
}

/// The tree, indented, with head counts.
pub fn tree(nodes: &[TreeNode], depth: usize, on: Date, lang: Lang) {
    out!(
        "{} {}",
        lang.pick("Cây tổ chức ngày", "Organization tree on"),
        short(on)
    );
    if nodes.is_empty() {
        out!(
            "{}",
            lang.pick("(chưa có tổ chức nào vào ngày này)", "(no organizations on that day)")
        );
    }
    let base = nodes.first().map(|n| n.org.path.depth()).unwrap_or(1);
    let mut hidden = 0;
    for n in nodes {
        let d = n.org.path.depth() + 1 - base.min(n.org.path.depth());
        if d > depth {
            hidden += 1;
            continue;
        }
        out!(
            "{}{}  [{}] {} · {} · {} {}",
            "  ".repeat(d - 1),
            n.org.name,
            n.org.code,
            n.org.kind.label(lang),
            n.org.level.label(lang),
            thousands(n.people),
            lang.pick("người", "people")
        );
    }
    if hidden > 0 {
        out!(
            "{}",
            lang.pick(
                &format!("(còn {hidden} tổ chức sâu hơn: dùng --depth)"),
                &format!("({hidden} deeper organizations not shown: use --depth)")
            )
        );
    }
}

/// One version of an organization.
pub fn version(v: &OrgVersion, parent: Option<&OrgName>, lang: Lang, indent: &str) {
    let change = dangbo_app::orgs::change_words(&v.change, lang);
    let under = parent
        .map(|p| format!(" · {} {p}", lang.pick("trực thuộc", "under")))
        .unwrap_or_default();
    let ended = match v.ended_by.as_deref().map(|e| e.split_once(':').unwrap_or((e, ""))) {
        Some(("dissolve", _)) => lang.pick("; giải thể", "; dissolved").to_string(),
        Some(("merge", into)) => format!("; {} {into}", lang.pick("hợp nhất vào", "merged into")),
        Some(("split", parts)) => format!(
            "; {} {}",
            lang.pick("chia tách thành", "split into"),
            parts.replace(',', ", ")
        ),
        _ => String::new(),
    };
    out!(
        "{indent}{}: {} · {} · {}{under} ({change}{ended})",
        v.validity.period(lang),
        v.name,
        v.kind.label(lang),
        v.level.label(lang),
    );
}

/// An organization's details.
pub fn org(
    org: &OrgVersion,
    history: &[(OrgVersion, Option<OrgName>)],
    sub: &[TreeNode],
    stats: &MemberStats,
    bodies: &[(BodyRow, usize, usize)],
    on: Date,
    lang: Lang,
) {
    out!("{} [{}]", org.name, org.code);
    out!(
        "  {}: {} · {}",
        lang.pick("Loại", "Kind"),
        org.kind.label(lang),
        org.level.label(lang)
    );
    out!(
        "  {}: {}",
        lang.pick("Hiệu lực từ", "Valid from"),
        short(org.validity.from)
    );
    if let Some(to) = org.validity.to {
        out!("  {}: {}", lang.pick("Chấm dứt từ ngày", "Ended on"), short(to));
    }
    if history.len() > 1 {
        out!("  {}:", lang.pick("Lịch sử", "History"));
        for (v, parent) in history {
            version(v, parent.as_ref(), lang, "    ");
        }
    }
    let children: Vec<&TreeNode> = sub.iter().filter(|n| n.org.parent == Some(org.id)).collect();
    out!(
        "  {} ({}):",
        lang.pick("Tổ chức trực thuộc", "Sub-organizations"),
        children.len()
    );
    for c in children.iter().take(30) {
        out!(
            "    {} [{}] · {} {}",
            c.org.name,
            c.org.code,
            thousands(c.people),
            lang.pick("người", "people")
        );
    }
    if children.len() > 30 {
        out!(
            "    … {}",
            lang.pick(
                &format!(
                    "và {} tổ chức khác (xem: dangbo org tree {})",
                    children.len() - 30,
                    org.code
                ),
                &format!("and {} more (see: dangbo org tree {})", children.len() - 30, org.code)
            )
        );
    }
    let pct = |n: u64| {
        percent_cut(n, stats.members)
            .map(|p| format!(" ({p})"))
            .unwrap_or_default()
    };
    out!(
        "  {} {}: {}",
        lang.pick("Đảng viên ngày", "Members on"),
        short(on),
        thousands(stats.members)
    );
    out!(
        "    {}: {} · {}: {} · {}: {}{} · {}: {}",
        lang.pick("Chính thức", "Full"),
        thousands(stats.full),
        lang.pick("Dự bị", "Probationary"),
        thousands(stats.probationary),
        lang.pick("Nữ", "Women"),
        thousands(stats.women),
        pct(stats.women),
        lang.pick("Miễn sinh hoạt", "Exempt"),
        thousands(stats.exempt)
    );
    let eth: Vec<String> = stats
        .by_ethnicity
        .iter()
        .take(6)
        .map(|(e, n)| format!("{e} {}{}", thousands(*n), pct(*n)))
        .collect();
    if !eth.is_empty() {
        out!("    {}: {}", lang.pick("Dân tộc", "Ethnicity"), eth.join(" · "));
    }
    let ages: Vec<String> = AGE_BANDS
        .iter()
        .zip(stats.by_age)
        .map(|((vi, en), n)| format!("{}: {}", lang.pick(vi, en), thousands(n)))
        .collect();
    out!("    {}: {}", lang.pick("Độ tuổi", "Age"), ages.join(" · "));
    if stats.non_members > 0 {
        out!(
            "    {}: {}",
            lang.pick("Quần chúng ưu tú, khách mời", "Non-members"),
            thousands(stats.non_members)
        );
    }
    let seated: Vec<&(BodyRow, usize, usize)> = bodies.iter().filter(|b| b.1 > 0).collect();
    if !bodies.is_empty() {
        out!("  {} {}:", lang.pick("Cơ quan lãnh đạo ngày", "Bodies on"), short(on));
        if seated.is_empty() {
            out!(
                "    {}",
                lang.pick(
                    "(không có cơ quan nào có ủy viên vào ngày này)",
                    "(no body has members on that day)"
                )
            );
        }
        for (b, now, _) in &seated {
            out!(
                "    {} {} {} ({}–{}): {} {} / {} {}",
                b.kind.label(lang),
                lang.pick("khóa", "term"),
                roman(b.term.ordinal),
                b.term.from_year,
                b.term.to_year,
                now,
                lang.pick("ủy viên", "members"),
                b.prescribed_size,
                lang.pick("theo quy định", "prescribed")
            );
        }
    }
}

/// A page of members.
pub fn members(rows: &[MemberView], total: Total, page: i64, limit: i64, on: Date, lang: Lang) {
    let n = total.n;
    let pages = ((n + limit - 1) / limit).max(1);
    out!(
        "{}",
        match (lang, total.more) {
            (Lang::Vi, false) => format!("{} người (trang {page}/{pages})", thousands(n as u64)),
            (Lang::Vi, true) => format!("Hơn {} người (trang {page})", thousands(n as u64)),
            (Lang::En, false) => format!("{} people (page {page} of {pages})", thousands(n as u64)),
            (Lang::En, true) => format!("More than {} people (page {page})", thousands(n as u64)),
        }
    );
    if rows.is_empty() && n > 0 {
        out!(
            "{}",
            lang.pick(
                "(trang này không có ai: xem trang trước)",
                "(nobody on this page: see an earlier page)"
            )
        );
    }
    for v in rows {
        let p = &v.row.person;
        let card = v
            .row
            .membership
            .as_ref()
            .and_then(|m| m.card_number.as_ref())
            .map(|c| c.as_str().to_string())
            .or_else(|| p.citizen_id.as_ref().map(|c| format!("CCCD {}", c.as_str())))
            .unwrap_or_else(|| "—".into());
        let status = v
            .row
            .membership
            .as_ref()
            .map(|m| status_on(m.full_on, on).label(lang))
            .unwrap_or(p.kind.label(lang));
        out!(
            "  {:<28} {} {:>3} {} · {:<8} · {:<11} · {} [{}]",
            p.name.full(),
            p.gender.label(lang),
            age_on(p.birth_date, on),
            lang.pick("tuổi", "y"),
            p.ethnicity.name(),
            status,
            v.org_name,
            card
        );
    }
}

/// A member's record and history.
pub fn member(d: &MemberDetail, today: Date, lang: Lang) {
    let p = &d.row.person;
    out!("{}", p.name.full());
    out!(
        "  {}: {} · {}: {} ({} {}) · {}: {}",
        lang.pick("Giới tính", "Gender"),
        p.gender.label(lang),
        lang.pick("Ngày sinh", "Born"),
        short(p.birth_date),
        age_on(p.birth_date, today),
        lang.pick("tuổi", "years"),
        lang.pick("Dân tộc", "Ethnicity"),
        p.ethnicity.name()
    );
    if let Some(c) = &p.citizen_id {
        out!("  {}: {}", lang.pick("Số CCCD", "Citizen ID"), c.as_str());
    }
    if let Some(ph) = &p.phone {
        out!("  {}: {}", lang.pick("Điện thoại", "Phone"), ph.as_str());
    }
    if let Some(m) = &d.row.membership {
        out!(
            "  {}: {}",
            lang.pick("Số thẻ đảng viên", "Card number"),
            m.card_number.as_ref().map(|c| c.as_str()).unwrap_or("—")
        );
        out!(
            "  {}: {} · {}: {}",
            lang.pick("Ngày vào Đảng", "Admitted"),
            short(m.admitted_on),
            lang.pick("Ngày chính thức", "Full member since"),
            m.full_on.map(short).unwrap_or_else(|| "—".into())
        );
        out!(
            "  {}: {}{}",
            lang.pick("Trạng thái", "Status"),
            status_on(m.full_on, today).label(lang),
            if m.exempt {
                lang.pick(" · miễn sinh hoạt", " · exempt")
            } else {
                ""
            }
        );
    } else {
        out!("  {}", p.kind.label(lang));
    }
    out!("  {}:", lang.pick("Quá trình sinh hoạt đảng", "Placements"));
    for (pl, name) in &d.placements {
        out!(
            "    {}: {} [{}] ({})",
            pl.validity.period(lang),
            name,
            pl.org_code,
            dangbo_app::orgs::change_words(&pl.change, lang)
        );
    }
    if !d.positions.is_empty() {
        out!("  {}:", lang.pick("Chức vụ", "Positions"));
        for (pos, org) in &d.positions {
            out!(
                "    {}: {}, {} ({})",
                pos.validity.period(lang),
                pos.title.as_str(),
                org.as_ref().map(|o| o.as_str()).unwrap_or("?"),
                pos.source.label(lang)
            );
        }
    }
}

/// The outcome of an import; an error when nothing was imported because of bad rows.
pub fn import_report(r: &ImportReport, lang: Lang) -> anyhow::Result<()> {
    for e in &r.errors {
        say_err!("{}", e.message(lang));
    }
    if !r.applied {
        let whole_file = r.errors.iter().any(|e| e.row == 0);
        return Err(UserError(match (lang, whole_file) {
            (Lang::Vi, true) => "Không nhập được tệp này: sửa các điều trên rồi nhập lại.".to_string(),
            (Lang::En, true) => "This file cannot be imported: fix the above and import again.".to_string(),
            (Lang::Vi, false) => format!(
                "Không nhập dòng nào: {} lỗi ở {} dòng trên tổng số {} dòng. Sửa tệp rồi nhập lại, hoặc dùng --skip-invalid để chỉ nhập các dòng hợp lệ.",
                r.errors.len(),
                r.rejected_rows,
                thousands(r.rows as u64)
            ),
            (Lang::En, false) => format!(
                "Nothing was imported: {} errors in {} of {} rows. Fix the file and import again, or use --skip-invalid to import only the valid rows.",
                r.errors.len(),
                r.rejected_rows,
                thousands(r.rows as u64)
            ),
        })
        .into());
    }
    match lang {
        Lang::Vi => out!(
            "Đã nhập {} dòng: tạo mới {}, đối chiếu và cập nhật {} người đã có (trong đó chuyển sinh hoạt {}), loại {}.",
            thousands(r.rows as u64),
            thousands(r.created as u64),
            thousands(r.updated as u64),
            thousands(r.transferred as u64),
            thousands(r.rejected_rows as u64)
        ),
        Lang::En => out!(
            "Imported {} rows: {} created, {} already recorded and brought up to date ({} transferred), {} rejected.",
            thousands(r.rows as u64),
            thousands(r.created as u64),
            thousands(r.updated as u64),
            thousands(r.transferred as u64),
            thousands(r.rejected_rows as u64)
        ),
    }
    if let Some(f) = &r.rejects_file {
        out!(
            "{} {}",
            lang.pick("Các dòng lỗi đã ghi ra", "Rejected rows written to"),
            f.display()
        );
    }
    Ok(())
}

/// Reads a split assignment file: `number or child code, part code` per line.
pub fn read_assignments(file: &std::path::Path, plan: &mut SplitPlan, lang: Lang) -> anyhow::Result<()> {
    let table = dangbo_app::table::read(file)?;
    let mut problems = Vec::new();
    for (k, (row, cells)) in table.rows.iter().enumerate() {
        let key = cells.first().map(|c| c.text()).unwrap_or_default();
        let part = cells.get(1).map(|c| c.text()).unwrap_or_default();
        if key.is_empty() && part.is_empty() {
            continue;
        }
        // A first line whose second cell is not even a code is a header («Số thẻ, Phần»).
        if k == 0 && OrgCode::parse(&part).is_err() {
            continue;
        }
        let found = OrgCode::parse(&part)
            .ok()
            .and_then(|c| plan.parts.iter().position(|(p, _)| *p == c));
        let Some(i) = found else {
            problems.push(
                lang.pick(
                    &format!("dòng {row}: «{part}» không phải mã của một phần chia tách (--part)"),
                    &format!("row {row}: «{part}» is not one of the --part codes"),
                )
                .to_string(),
            );
            continue;
        };
        let earlier = match OrgCode::parse(&key) {
            Ok(code) if !key.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b' ') => {
                plan.children.insert(code, i)
            }
            _ => plan
                .members
                .insert(key.chars().filter(|c| c.is_ascii_digit()).collect(), i),
        };
        if earlier.is_some_and(|e| e != i) {
            problems.push(
                lang.pick(
                    &format!("dòng {row}: «{key}» đã được giao cho phần khác ở dòng trên"),
                    &format!("row {row}: «{key}» was given to another part on an earlier row"),
                )
                .to_string(),
            );
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(UserError(format!(
        "{}: {}",
        lang.pick("Tệp phân chia có lỗi", "The assignment file has errors"),
        problems.join("; ")
    ))
    .into())
}
