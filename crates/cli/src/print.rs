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
use dangbo_domain::org::OrgCode;
use dangbo_store::{BodyRow, MemberView, OrgVersion};
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
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or_default();
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
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} ({per_sec}, còn {eta})") {
        bar.set_style(style);
    }
    bar
}

/// The tree, indented, with head counts.
pub fn tree(nodes: &[TreeNode], depth: usize, on: Date, lang: Lang) {
    println!(
        "{} {}",
        lang.pick("Cây tổ chức ngày", "Organization tree on"),
        short(on)
    );
    let base = nodes.first().map(|n| n.org.path.depth()).unwrap_or(1);
    let mut hidden = 0;
    for n in nodes {
        let d = n.org.path.depth() + 1 - base.min(n.org.path.depth());
        if d > depth {
            hidden += 1;
            continue;
        }
        println!(
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
        println!(
            "{}",
            lang.pick(
                &format!("(còn {hidden} tổ chức sâu hơn: dùng --depth)"),
                &format!("({hidden} deeper organizations not shown: use --depth)")
            )
        );
    }
}

/// One version of an organization.
pub fn version(v: &OrgVersion, lang: Lang) {
    let until = v
        .validity
        .to
        .map(short)
        .unwrap_or_else(|| lang.pick("nay", "now").into());
    println!(
        "{} – {}: {} · {} · {} · {} [{}]",
        short(v.validity.from),
        until,
        v.name,
        v.kind.label(lang),
        v.level.label(lang),
        v.path.as_str(),
        v.change
    );
}

/// An organization's details.
pub fn org(
    org: &OrgVersion,
    history: &[OrgVersion],
    sub: &[TreeNode],
    stats: &MemberStats,
    bodies: &[(BodyRow, usize)],
    on: Date,
    lang: Lang,
) {
    println!("{} [{}]", org.name, org.code);
    println!(
        "  {}: {} · {}",
        lang.pick("Loại", "Kind"),
        org.kind.label(lang),
        org.level.label(lang)
    );
    println!(
        "  {}: {}",
        lang.pick("Hiệu lực từ", "Valid from"),
        short(org.validity.from)
    );
    if let Some(to) = org.validity.to {
        println!("  {}: {}", lang.pick("Chấm dứt từ ngày", "Ended on"), short(to));
    }
    if history.len() > 1 {
        println!("  {}:", lang.pick("Lịch sử", "History"));
        for v in history {
            print!("    ");
            version(v, lang);
        }
    }
    let children: Vec<&TreeNode> = sub.iter().filter(|n| n.org.parent == Some(org.id)).collect();
    println!(
        "  {} ({}):",
        lang.pick("Tổ chức trực thuộc", "Sub-organizations"),
        children.len()
    );
    for c in children.iter().take(30) {
        println!(
            "    {} [{}] · {} {}",
            c.org.name,
            c.org.code,
            thousands(c.people),
            lang.pick("người", "people")
        );
    }
    if children.len() > 30 {
        println!("    … {}", children.len() - 30);
    }
    let pct = |n: u64| percent_cut(n, stats.members).unwrap_or_default();
    println!(
        "  {} {}: {}",
        lang.pick("Đảng viên ngày", "Members on"),
        short(on),
        thousands(stats.members)
    );
    println!(
        "    {}: {} · {}: {} · {}: {} ({}) · {}: {}",
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
        .map(|(e, n)| format!("{e} {} ({})", thousands(*n), pct(*n)))
        .collect();
    println!("    {}: {}", lang.pick("Dân tộc", "Ethnicity"), eth.join(" · "));
    let ages: Vec<String> = AGE_BANDS
        .iter()
        .zip(stats.by_age)
        .map(|(b, n)| format!("{b}: {}", thousands(n)))
        .collect();
    println!("    {}: {}", lang.pick("Độ tuổi", "Age"), ages.join(" · "));
    if stats.non_members > 0 {
        println!(
            "    {}: {}",
            lang.pick("Quần chúng ưu tú, khách mời", "Non-members"),
            thousands(stats.non_members)
        );
    }
    if !bodies.is_empty() {
        println!("  {}:", lang.pick("Cơ quan lãnh đạo", "Bodies"));
        for (b, n) in bodies {
            println!(
                "    {} khóa {} ({}–{}): {} {} / {} {}",
                b.kind.label(lang),
                roman(b.term.ordinal),
                b.term.from_year,
                b.term.to_year,
                n,
                lang.pick("ủy viên", "members"),
                b.prescribed_size,
                lang.pick("theo quy định", "prescribed")
            );
        }
    }
}

/// A page of members.
pub fn members(rows: &[MemberView], total: i64, page: i64, limit: i64, on: Date, lang: Lang) {
    println!(
        "{}",
        lang.pick(
            &format!(
                "{} người (trang {page}/{})",
                thousands(total as u64),
                ((total + limit - 1) / limit).max(1)
            ),
            &format!(
                "{} people (page {page} of {})",
                thousands(total as u64),
                ((total + limit - 1) / limit).max(1)
            )
        )
    );
    for v in rows {
        let p = &v.row.person;
        let card = v
            .row
            .membership
            .as_ref()
            .and_then(|m| m.card_number.as_ref())
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|| "—".into());
        let status = v
            .row
            .membership
            .as_ref()
            .map(|m| status_on(m.full_on, on).label(lang))
            .unwrap_or(p.kind.label(lang));
        println!(
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
    println!("{}", p.name.full());
    println!(
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
        println!("  {}: {}", lang.pick("Số CCCD", "Citizen ID"), c.as_str());
    }
    if let Some(ph) = &p.phone {
        println!("  {}: {}", lang.pick("Điện thoại", "Phone"), ph.as_str());
    }
    if let Some(m) = &d.row.membership {
        println!(
            "  {}: {}",
            lang.pick("Số thẻ đảng viên", "Card number"),
            m.card_number.as_ref().map(|c| c.as_str()).unwrap_or("—")
        );
        println!(
            "  {}: {} · {}: {}",
            lang.pick("Ngày vào Đảng", "Admitted"),
            short(m.admitted_on),
            lang.pick("Ngày chính thức", "Full member since"),
            m.full_on.map(short).unwrap_or_else(|| "—".into())
        );
        println!(
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
        println!("  {}", p.kind.label(lang));
    }
    println!("  {}:", lang.pick("Quá trình sinh hoạt đảng", "Placements"));
    for (pl, name) in &d.placements {
        let until = pl
            .validity
            .to
            .map(short)
            .unwrap_or_else(|| lang.pick("nay", "now").into());
        println!(
            "    {} – {}: {} [{}] ({})",
            short(pl.validity.from),
            until,
            name,
            pl.org_code,
            pl.change
        );
    }
    if !d.positions.is_empty() {
        println!("  {}:", lang.pick("Chức vụ", "Positions"));
        for (pos, org) in &d.positions {
            let until = pos
                .validity
                .to
                .map(short)
                .unwrap_or_else(|| lang.pick("nay", "now").into());
            println!(
                "    {} – {}: {}, {} ({})",
                short(pos.validity.from),
                until,
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
        eprintln!("{}", e.message(lang));
    }
    if !r.applied {
        return Err(UserError(match lang {
            Lang::Vi => format!("Không nhập dòng nào: {} lỗi ở {} dòng trên tổng số {} dòng. Sửa tệp rồi nhập lại, hoặc dùng --skip-invalid để chỉ nhập các dòng hợp lệ.", r.errors.len(), r.rejected_rows.max(usize::from(!r.errors.is_empty())), thousands(r.rows as u64)),
            Lang::En => format!("Nothing was imported: {} errors in {} of {} rows. Fix the file and import again, or use --skip-invalid to import only the valid rows.", r.errors.len(), r.rejected_rows.max(usize::from(!r.errors.is_empty())), thousands(r.rows as u64)),
        })
        .into());
    }
    match lang {
        Lang::Vi => println!(
            "Đã nhập {} dòng: tạo mới {}, cập nhật {} (trong đó chuyển sinh hoạt {}), loại {}.",
            thousands(r.rows as u64),
            thousands(r.created as u64),
            thousands(r.updated as u64),
            thousands(r.transferred as u64),
            thousands(r.rejected_rows as u64)
        ),
        Lang::En => println!(
            "Imported {} rows: {} created, {} updated ({} transferred), {} rejected.",
            thousands(r.rows as u64),
            thousands(r.created as u64),
            thousands(r.updated as u64),
            thousands(r.transferred as u64),
            thousands(r.rejected_rows as u64)
        ),
    }
    if let Some(f) = &r.rejects_file {
        println!(
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
    for (row, cells) in &table.rows {
        let (Some(key), Some(part)) = (cells.first().map(|c| c.text()), cells.get(1).map(|c| c.text())) else {
            continue;
        };
        let Ok(part_code) = OrgCode::parse(&part) else { continue };
        let Some(i) = plan.parts.iter().position(|(c, _)| *c == part_code) else {
            return Err(UserError(
                lang.pick(
                    &format!("Tệp phân chia, dòng {row}: «{part}» không phải một phần chia tách (--part)"),
                    &format!("Assignment file, row {row}: «{part}» is not one of the --part codes"),
                )
                .into(),
            )
            .into());
        };
        match OrgCode::parse(&key) {
            Ok(code) if !key.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b' ') => {
                plan.children.insert(code, i);
            }
            _ => {
                plan.members
                    .insert(key.chars().filter(|c| c.is_ascii_digit()).collect(), i);
            }
        }
    }
    Ok(())
}
