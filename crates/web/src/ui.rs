//! What the layout of every page needs: the language, the signed-in person, the CSRF
//! token for forms, the navigation, and the small formatting helpers templates call.

use crate::auth::{Ctx, form_urlencoded};
use dangbo_app::access::Action;
use dangbo_domain::{Date, Lang};

/// One link of the main navigation.
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// Its label.
    pub label: &'static str,
    /// Whether it is the current section.
    pub current: bool,
}

/// The layout's data.
pub struct Ui {
    /// The language.
    pub l: Lang,
    /// The signed-in person's name and roles, if any.
    pub user: Option<(String, String)>,
    /// The token for forms.
    pub csrf: String,
    /// The main navigation.
    pub nav: Vec<NavItem>,
    /// The current path, percent-encoded, for the language switch.
    pub back: String,
    /// Today, `dd/mm/yyyy`.
    pub today: String,
}

impl Ui {
    /// The layout for a signed-in page in `section` (`home`, `orgs`, `members`, …).
    pub fn new(ctx: &Ctx, section: &str) -> Ui {
        let l = ctx.lang;
        let c = &ctx.caller;
        let mut nav = vec![NavItem {
            href: "/",
            label: l.pick("Tổng quan", "Overview"),
            current: section == "home",
        }];
        if c.can(Action::Browse) {
            nav.push(NavItem {
                href: "/orgs",
                label: l.pick("Tổ chức đảng", "Organizations"),
                current: section == "orgs",
            });
        }
        if c.can(Action::ViewMembers) {
            nav.push(NavItem {
                href: "/members",
                label: l.pick("Đảng viên", "Members"),
                current: section == "members",
            });
        }
        if c.can(Action::Browse) || c.person.is_some() {
            nav.push(NavItem {
                href: "/documents",
                label: l.pick("Văn bản", "Documents"),
                current: section == "documents" || section == "tasks",
            });
        }
        if c.can(Action::Browse) || c.can(Action::Operate) {
            nav.push(NavItem {
                href: "/conferences",
                label: l.pick("Hội nghị", "Conferences"),
                current: section == "conferences",
            });
        }
        if c.can(Action::Browse) {
            nav.push(NavItem {
                href: "/campaigns",
                label: l.pick("Học tập, quán triệt", "Study campaigns"),
                current: section == "campaigns",
            });
        }
        if c.person.is_some() {
            nav.push(NavItem {
                href: "/study",
                label: l.pick("Học tập của tôi", "My study"),
                current: section == "study",
            });
            nav.push(NavItem {
                href: "/checkin",
                label: l.pick("Điểm danh", "Check in"),
                current: section == "checkin",
            });
            nav.push(NavItem {
                href: "/me",
                label: l.pick("Hồ sơ của tôi", "My record"),
                current: section == "me",
            });
        }
        if c.can(Action::Report) {
            nav.push(NavItem {
                href: "/reports",
                label: l.pick("Báo cáo", "Reports"),
                current: section == "reports",
            });
        }
        if c.can(Action::Import) {
            nav.push(NavItem {
                href: "/import",
                label: l.pick("Nhập dữ liệu", "Import"),
                current: section == "import",
            });
        }
        if c.can(Action::Administer) {
            nav.push(NavItem {
                href: "/admin/audit",
                label: l.pick("Nhật ký truy cập", "Audit log"),
                current: section == "audit",
            });
            nav.push(NavItem {
                href: "/admin/accounts",
                label: l.pick("Tài khoản", "Accounts"),
                current: section == "accounts",
            });
            nav.push(NavItem {
                href: "/admin/rules",
                label: l.pick("Quy định", "Rule sets"),
                current: section == "rules",
            });
        }
        let roles: Vec<&str> = c.grants.iter().map(|g| l.pick(g.role.vi(), g.role.en())).collect();
        let mut roles_seen: Vec<&str> = Vec::new();
        for r in roles {
            if !roles_seen.contains(&r) {
                roles_seen.push(r);
            }
        }
        Ui {
            l,
            user: Some((c.display_name.clone(), roles_seen.join(", "))),
            csrf: ctx.csrf.clone(),
            nav,
            back: form_urlencoded(&ctx.path),
            today: dangbo_domain::date::short(ctx.today),
        }
    }

    /// The layout for a page shown before sign-in.
    pub fn anonymous(l: Lang, path: &str, today: Date) -> Ui {
        Ui {
            l,
            user: None,
            csrf: String::new(),
            nav: Vec::new(),
            back: form_urlencoded(path),
            today: dangbo_domain::date::short(today),
        }
    }

    /// Picks the text for the page's language.
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.l.pick(vi, en)
    }

    /// Whether the page is in English.
    pub fn en(&self) -> bool {
        self.l == Lang::En
    }

    /// `4.336` in Vietnamese, `4,336` in English.
    pub fn num(&self, n: impl std::borrow::Borrow<u64>) -> String {
        let s = dangbo_domain::number::thousands(*n.borrow());
        match self.l {
            Lang::Vi => s,
            Lang::En => s.replace('.', ","),
        }
    }
}

/// A QR code of `text` as inline SVG, at least `size` pixels square; empty if the text is
/// too long for one.
pub fn qr_svg(text: &str, size: u32) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color>()
                .min_dimensions(size, size)
                .build()
        })
        .unwrap_or_default()
}

/// A time as the clock writes it (`2026-11-21T09:30:00+07:00`), as `21/11/2026 09:30`.
pub fn moment(at: &str) -> String {
    match (at.get(0..4), at.get(5..7), at.get(8..10), at.get(11..16)) {
        (Some(y), Some(m), Some(d), Some(t)) => format!("{d}/{m}/{y} {t}"),
        _ => at.to_string(),
    }
}
