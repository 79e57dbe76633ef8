//! `dangbo generate`: a national synthetic registry, deterministic for a seed.
//!
//! The tree is Vietnam's as the reorganization of 1/7/2025 left it: a national root over
//! the 63 provinces and their districts and communes until 30/6/2025, then the 34
//! provinces (Resolution 202/2025/QH15: 11 unchanged, 52 merged into 23), the districts
//! ended, and about 10,000 communes merged into 3,321. Under them are base organizations
//! and cells, members placed in the cells, the executive committees of provinces,
//! districts and communes with their members, and the national conference of 7/2/2026 with
//! its connection points. At 5.6 million members (the default) the counts are the
//! nation's; fewer members scale the lower levels down while the 34 provinces stay.
//!
//! It writes into an empty database, many rows per statement, or to the importers'
//! spreadsheet files (the tree as it stands today, and the members).

use crate::demo::person_name;
use crate::rng::{Rng, add_days};
use crate::{App, AppError, Result};
use dangbo_domain::Date;
use dangbo_domain::cadre::{BodyKind, PositionSource, Term, Title};
use dangbo_domain::date::short;
use dangbo_domain::member::{CardNumber, CitizenId, Ethnicity, Gender, MemberField, PersonId, PersonKind};
use dangbo_domain::org::{Level, OrgCode, OrgId, OrgKind, OrgName, OrgPath};
use dangbo_domain::{Lang, Validity};
use dangbo_store::{ConferenceRow, Invitation, MembershipRow, NewOrgVersion, NewPerson, PointRow, PositionRow, Tx};
use std::collections::HashSet;
use std::path::Path;

/// The nation's figures the generator aims at with 5.6 million members.
pub const NATIONAL_MEMBERS: u64 = 5_600_000;
const COMMUNES_BEFORE: f64 = 10_035.0;
const COMMUNES_AFTER: f64 = 3_321.0;
const DISTRICTS: f64 = 705.0;
const BASES: f64 = 55_000.0;
const CELLS: f64 = 270_000.0;
const POINTS: f64 = 31_000.0;
const PARTICIPANTS: f64 = 1_930_000.0;

/// When the generated tree begins, the reorganization, and the national conference.
const FOUNDED: Date = Date::constant(2010, 1, 1);
const REORG: Date = dangbo_domain::org::REORGANIZATION_2025;
const CONGRESS_2020: Date = Date::constant(2020, 10, 15);
const CONGRESS_2025: Date = Date::constant(2025, 10, 15);
const CONFERENCE_DAY: Date = Date::constant(2026, 2, 7);

/// The 63 provinces before 1/7/2025: code, name, weight (rough share of members), and the
/// code of the province it merged into (none: it continued, alone or absorbing others).
#[rustfmt::skip]
const PROVINCES: &[(&str, &str, u32, Option<&str>)] = &[
    ("HN", "thành phố Hà Nội", 90, None), ("HUE", "thành phố Huế", 12, None),
    ("LCH", "tỉnh Lai Châu", 5, None), ("DB", "tỉnh Điện Biên", 6, None), ("SL", "tỉnh Sơn La", 10, None),
    ("LS", "tỉnh Lạng Sơn", 8, None), ("QNI", "tỉnh Quảng Ninh", 14, None), ("TH", "tỉnh Thanh Hóa", 30, None),
    ("NA", "tỉnh Nghệ An", 28, None), ("HT", "tỉnh Hà Tĩnh", 14, None), ("CB", "tỉnh Cao Bằng", 6, None),
    ("TQ", "tỉnh Tuyên Quang", 7, None), ("HG", "tỉnh Hà Giang", 7, Some("TQ")),
    ("LC", "tỉnh Lào Cai", 7, None), ("YB", "tỉnh Yên Bái", 7, Some("LC")),
    ("TN", "tỉnh Thái Nguyên", 11, None), ("BK", "tỉnh Bắc Kạn", 4, Some("TN")),
    ("PT", "tỉnh Phú Thọ", 12, None), ("VP", "tỉnh Vĩnh Phúc", 9, Some("PT")), ("HB", "tỉnh Hòa Bình", 7, Some("PT")),
    ("BN", "tỉnh Bắc Ninh", 10, None), ("BG", "tỉnh Bắc Giang", 13, Some("BN")),
    ("HY", "tỉnh Hưng Yên", 10, None), ("TB", "tỉnh Thái Bình", 16, Some("HY")),
    ("HP", "thành phố Hải Phòng", 16, None), ("HD", "tỉnh Hải Dương", 15, Some("HP")),
    ("NB", "tỉnh Ninh Bình", 8, None), ("HNA", "tỉnh Hà Nam", 7, Some("NB")), ("ND", "tỉnh Nam Định", 16, Some("NB")),
    ("QT", "tỉnh Quảng Trị", 6, None), ("QB", "tỉnh Quảng Bình", 8, Some("QT")),
    ("DNG", "thành phố Đà Nẵng", 10, None), ("QNA", "tỉnh Quảng Nam", 12, Some("DNG")),
    ("QNG", "tỉnh Quảng Ngãi", 10, None), ("KT", "tỉnh Kon Tum", 4, Some("QNG")),
    ("GL", "tỉnh Gia Lai", 10, None), ("BDI", "tỉnh Bình Định", 11, Some("GL")),
    ("KH", "tỉnh Khánh Hòa", 9, None), ("NT", "tỉnh Ninh Thuận", 4, Some("KH")),
    ("LD", "tỉnh Lâm Đồng", 9, None), ("DNO", "tỉnh Đắk Nông", 4, Some("LD")), ("BTH", "tỉnh Bình Thuận", 8, Some("LD")),
    ("DL", "tỉnh Đắk Lắk", 12, None), ("PY", "tỉnh Phú Yên", 6, Some("DL")),
    ("HCM", "Thành phố Hồ Chí Minh", 60, None), ("BD", "tỉnh Bình Dương", 11, Some("HCM")), ("BRVT", "tỉnh Bà Rịa - Vũng Tàu", 8, Some("HCM")),
    ("DNA", "tỉnh Đồng Nai", 13, None), ("BP", "tỉnh Bình Phước", 6, Some("DNA")),
    ("TNI", "tỉnh Tây Ninh", 7, None), ("LA", "tỉnh Long An", 10, Some("TNI")),
    ("CT", "thành phố Cần Thơ", 8, None), ("ST", "tỉnh Sóc Trăng", 7, Some("CT")), ("HAG", "tỉnh Hậu Giang", 4, Some("CT")),
    ("VL", "tỉnh Vĩnh Long", 6, None), ("BTR", "tỉnh Bến Tre", 8, Some("VL")), ("TV", "tỉnh Trà Vinh", 6, Some("VL")),
    ("DT", "tỉnh Đồng Tháp", 9, None), ("TG", "tỉnh Tiền Giang", 10, Some("DT")),
    ("CM", "tỉnh Cà Mau", 6, None), ("BL", "tỉnh Bạc Liêu", 5, Some("CM")),
    ("AG", "tỉnh An Giang", 11, None), ("KG", "tỉnh Kiên Giang", 9, Some("AG")),
];

/// Ethnic groups across the country, with rough weights.
const ETHNICITIES: &[(&str, u32)] = &[
    ("Kinh", 860),
    ("Tày", 20),
    ("Thái", 18),
    ("Mường", 15),
    ("Nùng", 10),
    ("H'Mông", 10),
    ("Dao", 8),
    ("Hoa", 5),
    ("Sán Chay", 2),
    ("Sán Dìu", 2),
    ("Giáy", 1),
];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    /// Party members.
    pub members: u64,
    /// The seed: the same seed gives the same registry.
    pub seed: u64,
}

/// How far the generator has come, for a progress bar.
pub trait Progress: Send + Sync {
    /// A stage begins, with this many steps.
    fn stage(&self, name: &str, total: u64);
    /// Steps done.
    fn advance(&self, n: u64);
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Provinces before 1/7/2025, and after.
    pub provinces: (usize, usize),
    /// Districts (until 1/7/2025).
    pub districts: usize,
    /// Communes before 1/7/2025, and after.
    pub communes: (usize, usize),
    /// Base organizations today (communes included).
    pub bases: usize,
    /// Cells today (single-cell bases included).
    pub cells: usize,
    /// Organization versions written.
    pub versions: usize,
    /// Members.
    pub members: u64,
    /// Bodies (executive and standing committees) written.
    pub bodies: usize,
    /// Positions in them.
    pub positions: usize,
    /// The national conference's points written.
    pub points: usize,
    /// Participants expected at them.
    pub expected: i64,
}

/// One version of a node, as planned.
#[derive(Debug, Clone)]
struct Ver {
    from: Date,
    /// The day it ended and what ended it.
    end: Option<(Date, String)>,
    parent: Option<usize>,
    name: String,
    kind: OrgKind,
    level: Level,
    change: &'static str,
}

impl Ver {
    fn holds(&self, on: Date) -> bool {
        self.from <= on && self.end.as_ref().is_none_or(|(to, _)| on < *to)
    }
}

#[derive(Debug, Clone)]
struct Node {
    code: String,
    vers: Vec<Ver>,
}

/// A base organization: the node, and its cells (itself, for a single cell).
#[derive(Debug, Clone)]
struct Base {
    node: usize,
    cells: Vec<usize>,
}

/// A body to fill: where, which, the term, its size, how long, the cells its members
/// come from, and whose standing committee manages its members.
#[derive(Debug, Clone)]
struct BodyPlan {
    node: usize,
    kind: BodyKind,
    term: (u16, i16, i16),
    size: usize,
    validity: Validity,
    cells: Vec<usize>,
    manager: usize,
}

/// A connection point of the national conference: its host, the point it relays, its
/// name, and the cells whose members it expects.
#[derive(Debug, Clone)]
struct PointPlan {
    host: usize,
    parent: Option<usize>,
    name: String,
    cells: Vec<usize>,
}

/// The whole plan.
#[derive(Debug, Clone, Default)]
struct Plan {
    nodes: Vec<Node>,
    /// The cells, in the order their members are generated.
    cells: Vec<usize>,
    bodies: Vec<BodyPlan>,
    points: Vec<PointPlan>,
    summary: Generated,
}

fn scaled(full: f64, scale: f64, min: usize) -> usize {
    ((full * scale).round() as usize).max(min)
}

/// Splits `total` into parts proportional to `weights` by largest remainders, each at
/// least `min` (so the parts may then sum to more than `total`).
fn apportion(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
    let sum: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|e| (e.floor() as usize).max(min)).collect();
    let mut given: usize = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.partial_cmp(&ra).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
    });
    let mut k = 0;
    while given < total && !order.is_empty() {
        parts[order[k % order.len()]] += 1;
        given += 1;
        k += 1;
    }
    parts
}

impl Plan {
    fn add(
        &mut self,
        code: String,
        name: String,
        kind: OrgKind,
        level: Level,
        parent: Option<usize>,
        from: Date,
    ) -> usize {
        self.nodes.push(Node {
            code,
            vers: vec![Ver {
                from,
                end: None,
                parent,
                name,
                kind,
                level,
                change: "create",
            }],
        });
        self.nodes.len() - 1
    }

    /// Ends the node's current version on the reorganization day and starts another
    /// under `parent` (its path changes even when its parent does not).
    fn moved(&mut self, node: usize, parent: usize, level: Level) {
        let vers = &mut self.nodes[node].vers;
        let mut next = vers[vers.len() - 1].clone();
        if let Some(last) = vers.last_mut() {
            last.end = Some((REORG, "move".into()));
        }
        next.from = REORG;
        next.parent = Some(parent);
        next.level = level;
        next.change = "move";
        vers.push(next);
    }

    /// Ends the node on the reorganization day.
    fn end(&mut self, node: usize, by: String) {
        if let Some(v) = self.nodes[node].vers.last_mut() {
            v.end = Some((REORG, by));
        }
    }

    /// A base organization with `cells` cells: a single cell, or a committee over them.
    fn base(&mut self, code: String, agency: &str, number: usize, parent: usize, level: Level, cells: usize) -> Base {
        if cells <= 1 {
            let b = self.add(
                code,
                format!("Chi bộ {agency} số {number}"),
                OrgKind::BaseCell,
                level,
                Some(parent),
                FOUNDED,
            );
            self.cells.push(b);
            return Base {
                node: b,
                cells: vec![b],
            };
        }
        let b = self.add(
            code.clone(),
            format!("Đảng bộ {agency} số {number}"),
            OrgKind::BaseCommittee,
            level,
            Some(parent),
            FOUNDED,
        );
        let mut list = Vec::with_capacity(cells);
        for k in 1..=cells {
            let c = self.add(
                format!("{code}.C{k:02}"),
                format!("Chi bộ {} {k}", UNITS[k % UNITS.len()]),
                OrgKind::SubordinateCell,
                level,
                Some(b),
                FOUNDED,
            );
            self.cells.push(c);
            list.push(c);
        }
        Base { node: b, cells: list }
    }

    /// Moves a base organization (and its cells' paths with it) under `to`.
    fn move_base(&mut self, b: &Base, to: usize) {
        self.moved(b.node, to, Level::Province);
        for &c in b.cells.iter().filter(|&&c| c != b.node) {
            self.moved(c, b.node, Level::Province);
        }
    }
}

const UNITS: &[&str] = &[
    "Văn phòng",
    "Phòng Tổng hợp",
    "Phòng Nghiệp vụ",
    "Phòng Hành chính",
    "Tổ Kỹ thuật",
];

const AGENCIES: &[&str] = &[
    "Sở Tài chính",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Xây dựng",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Công an",
    "Ban Chỉ huy Quân sự",
    "Bệnh viện",
    "Trường Trung học phổ thông",
    "Công ty Điện lực",
    "Kho bạc Nhà nước",
    "Chi cục Thuế",
    "Trung tâm Y tế",
    "Trường Tiểu học",
];

/// One of the 63 provinces as planned: its node, blocs, districts (each with its cells),
/// old communes (each with its cells) and agencies' bases.
struct OldProvince {
    node: usize,
    blocs: [usize; 2],
    districts: Vec<(usize, Vec<usize>)>,
    communes: Vec<(usize, Vec<usize>)>,
    bases: Vec<Base>,
}

fn plan(opts: GenerateOptions) -> Result<Plan> {
    let mut rng = Rng::new(opts.seed);
    let scale = (opts.members as f64 / NATIONAL_MEMBERS as f64).min(1.0);
    let mut p = Plan::default();
    let root = p.add(
        "TW".into(),
        "Đảng Cộng sản Việt Nam".into(),
        OrgKind::Central,
        Level::Province,
        None,
        FOUNDED,
    );
    let weights: Vec<f64> = PROVINCES.iter().map(|x| f64::from(x.2)).collect();
    let n = PROVINCES.len();
    let districts = apportion(scaled(DISTRICTS, scale, n), &weights, 1);
    let communes_before = apportion(scaled(COMMUNES_BEFORE, scale, n), &weights, 1);
    let cells_total = scaled(CELLS, scale, 4 * n);
    let commune_cells = apportion(cells_total * 45 / 100, &weights, 1);
    let agency_cells = apportion(cells_total - cells_total * 45 / 100, &weights, 1);
    // The new provinces: the one that continues, with those merged into it.
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, x) in PROVINCES.iter().enumerate() {
        match x.3 {
            None => groups.push((i, vec![i])),
            Some(into) => match groups.iter_mut().find(|(h, _)| PROVINCES[*h].0 == into) {
                Some(g) => g.1.push(i),
                None => {
                    return Err(AppError::rejected(
                        format!("Bảng tỉnh: không có tỉnh {into}"),
                        format!("Province table: no {into}"),
                    ));
                }
            },
        }
    }
    let group_weights: Vec<f64> = groups
        .iter()
        .map(|(_, olds)| olds.iter().map(|&o| communes_before[o] as f64).sum())
        .collect();
    let communes_after = apportion(scaled(COMMUNES_AFTER, scale, groups.len()), &group_weights, 1);
    let agency_bases = apportion(
        scaled(BASES, scale, 2 * n)
            .saturating_sub(communes_after.iter().sum())
            .max(n),
        &weights,
        1,
    );

    // Until 1/7/2025: the 63 provinces, their blocs, districts, communes and bases.
    let mut olds = Vec::with_capacity(n);
    for (i, &(code, name, _, _)) in PROVINCES.iter().enumerate() {
        let node = p.add(
            code.into(),
            format!("Đảng bộ {name}"),
            OrgKind::Provincial,
            Level::Province,
            Some(root),
            FOUNDED,
        );
        let place = name.trim_start_matches("tỉnh ").trim_start_matches("thành phố ");
        let bloc = |p: &mut Plan, suffix: &str, what: &str| {
            p.add(
                format!("{code}.{suffix}"),
                format!("Đảng bộ Khối {what} {place}"),
                OrgKind::UpperBase,
                Level::Province,
                Some(node),
                FOUNDED,
            )
        };
        let blocs = [bloc(&mut p, "KCQ", "các cơ quan"), bloc(&mut p, "KDN", "doanh nghiệp")];
        let mut old = OldProvince {
            node,
            blocs,
            districts: Vec::new(),
            communes: Vec::new(),
            bases: Vec::new(),
        };
        for k in 1..=districts[i] {
            let d = p.add(
                format!("{code}.H{k:02}"),
                format!("Đảng bộ huyện {place} {k}"),
                OrgKind::UpperBase,
                Level::District,
                Some(node),
                FOUNDED,
            );
            old.districts.push((d, Vec::new()));
        }
        let nd = old.districts.len();
        let per_commune = apportion(commune_cells[i], &vec![1.0; communes_before[i]], 1);
        for (k, &ncells) in per_commune.iter().enumerate() {
            let (di, j) = (k % nd, k / nd + 1);
            let d = old.districts[di].0;
            let c = p.add(
                format!("{code}.H{:02}.X{j:02}", di + 1),
                format!("Đảng bộ xã {place} {}-{j}", di + 1),
                OrgKind::BaseCommittee,
                Level::Commune,
                Some(d),
                FOUNDED,
            );
            let mut cells = Vec::with_capacity(ncells);
            for t in 1..=ncells {
                let cell = p.add(
                    format!("{}.C{t:02}", p.nodes[c].code),
                    format!("Chi bộ thôn {t}"),
                    OrgKind::SubordinateCell,
                    Level::Commune,
                    Some(c),
                    FOUNDED,
                );
                p.cells.push(cell);
                cells.push(cell);
            }
            old.districts[di].1.extend(&cells);
            old.communes.push((c, cells));
        }
        // Agencies' bases: a third under the blocs, the rest under the districts.
        let per_base = apportion(agency_cells[i], &vec![1.0; agency_bases[i]], 1);
        for (k, &ncells) in per_base.iter().enumerate() {
            let agency = AGENCIES[rng.index(AGENCIES.len())];
            let code = format!("{code}.CS{:05}", k + 1);
            let b = if k % 3 == 0 {
                p.base(code, agency, k + 1, blocs[k % 2], Level::Province, ncells)
            } else {
                let di = k % nd;
                let b = p.base(code, agency, k + 1, old.districts[di].0, Level::District, ncells);
                old.districts[di].1.extend(&b.cells);
                b
            };
            old.bases.push(b);
        }
        olds.push(old);
    }

    // The province's and the districts' committees of 2020–2025.
    let mut ordinals = Vec::with_capacity(n);
    for (i, old) in olds.iter().enumerate() {
        let absorbed = PROVINCES[i].3.is_some();
        let until = if absorbed { REORG } else { CONGRESS_2025 };
        let cells: Vec<usize> = old.districts.iter().flat_map(|d| d.1.iter().copied()).collect();
        let ordinal = rng.between(15, 20) as u16;
        ordinals.push(ordinal);
        for (kind, size) in [
            (BodyKind::Executive, rng.between(45, 55)),
            (BodyKind::Standing, rng.between(13, 15)),
        ] {
            p.bodies.push(BodyPlan {
                node: old.node,
                kind,
                term: (ordinal, 2020, 2025),
                size: size as usize,
                validity: Validity {
                    from: CONGRESS_2020,
                    to: Some(until),
                },
                cells: cells.clone(),
                manager: root,
            });
        }
        for (d, cells) in &old.districts {
            p.bodies.push(BodyPlan {
                node: *d,
                kind: BodyKind::Executive,
                term: (rng.between(20, 30) as u16, 2020, 2025),
                size: rng.between(33, 39) as usize,
                validity: Validity {
                    from: CONGRESS_2020,
                    to: Some(REORG),
                },
                cells: cells.clone(),
                manager: old.node,
            });
        }
    }

    // 1/7/2025: 34 provinces; districts end; communes merge; bases move.
    p.points.push(PointPlan {
        host: root,
        parent: None,
        name: "Điểm cầu Trung ương".into(),
        cells: Vec::new(),
    });
    let mut base_points = Vec::new();
    let mut new_communes = 0;
    for (g, (head, members)) in groups.iter().enumerate() {
        let province = olds[*head].node;
        let code = PROVINCES[*head].0;
        let place = PROVINCES[*head].1;
        for &o in members.iter().filter(|&&o| o != *head) {
            p.end(olds[o].node, format!("merge:{code}"));
        }
        let cqd = p.add(
            format!("{code}.CQD"),
            format!("Đảng bộ các cơ quan Đảng {place}"),
            OrgKind::UpperBase,
            Level::Province,
            Some(province),
            REORG,
        );
        let ubnd = p.add(
            format!("{code}.UBND"),
            format!("Đảng bộ Ủy ban nhân dân {place}"),
            OrgKind::UpperBase,
            Level::Province,
            Some(province),
            REORG,
        );
        let province_point = p.points.len();
        p.points.push(PointPlan {
            host: province,
            parent: Some(0),
            name: format!("Điểm cầu {place}"),
            cells: Vec::new(),
        });
        let mut province_cells = Vec::new();
        // The old communes, in order, regrouped into the new ones.
        let old_communes: Vec<(usize, Vec<usize>)> =
            members.iter().flat_map(|&o| olds[o].communes.iter().cloned()).collect();
        let count = communes_after[g].min(old_communes.len()).max(1);
        let sizes = apportion(old_communes.len(), &vec![1.0; count], 1);
        let mut it = old_communes.into_iter();
        for (k, size) in sizes.into_iter().enumerate() {
            let word = if k % 5 == 0 { "phường" } else { "xã" };
            let nc = p.add(
                format!("{code}.X{:04}", k + 1),
                format!("Đảng bộ {word} {} số {}", place.trim_start_matches("tỉnh "), k + 1),
                OrgKind::BaseCommittee,
                Level::Commune,
                Some(province),
                REORG,
            );
            let nc_code = p.nodes[nc].code.clone();
            let mut cells = Vec::new();
            for (oc, oc_cells) in it.by_ref().take(size) {
                p.end(oc, format!("merge:{nc_code}"));
                for &c in &oc_cells {
                    p.moved(c, nc, Level::Commune);
                }
                cells.extend(oc_cells);
            }
            p.bodies.push(BodyPlan {
                node: nc,
                kind: BodyKind::Executive,
                term: (1, 2025, 2030),
                size: rng.between(15, 19) as usize,
                validity: Validity::since(Date::constant(2025, 8, 20)),
                cells: cells.clone(),
                manager: province,
            });
            p.points.push(PointPlan {
                host: nc,
                parent: Some(province_point),
                name: format!("Điểm cầu {}", p.nodes[nc].vers[0].name),
                cells: cells.clone(),
            });
            province_cells.extend(cells);
            new_communes += 1;
        }
        for &o in members {
            let old = &olds[o];
            for (d, _) in &old.districts {
                p.end(*d, "dissolve".into());
            }
            p.end(old.blocs[0], format!("merge:{code}.CQD"));
            p.end(old.blocs[1], format!("merge:{code}.UBND"));
            for b in &old.bases {
                // Party agencies' bases go to the committee of the party agencies, the rest
                // to the people's committee's.
                let to = if rng.chance(0.3) { cqd } else { ubnd };
                p.move_base(b, to);
                province_cells.extend(&b.cells);
                base_points.push((province_point, b.node, b.cells.clone()));
            }
        }
        // The congress of the merged province continues the numbering of the one whose
        // name it keeps.
        let ordinal = ordinals[*head] + 1;
        for (kind, size) in [
            (BodyKind::Executive, rng.between(55, 75)),
            (BodyKind::Standing, rng.between(15, 19)),
        ] {
            p.bodies.push(BodyPlan {
                node: province,
                kind,
                term: (ordinal, 2025, 2030),
                size: size as usize,
                validity: Validity::since(CONGRESS_2025),
                cells: province_cells.clone(),
                manager: root,
            });
        }
    }
    // Base organizations host the rest of the 31,000 points, chosen at random.
    let wanted = scaled(POINTS, scale, p.points.len()).saturating_sub(p.points.len());
    rng.shuffle(&mut base_points);
    base_points.truncate(wanted);
    base_points.sort_by_key(|b| b.1);
    for (parent, host, cells) in base_points {
        let name = format!("Điểm cầu {}", p.nodes[host].vers[0].name);
        p.points.push(PointPlan {
            host,
            parent: Some(parent),
            name,
            cells,
        });
    }

    let bases_today = new_communes + olds.iter().map(|o| o.bases.len()).sum::<usize>();
    p.summary = Generated {
        provinces: (n, groups.len()),
        districts: olds.iter().map(|o| o.districts.len()).sum(),
        communes: (olds.iter().map(|o| o.communes.len()).sum(), new_communes),
        bases: bases_today,
        cells: p.cells.len(),
        versions: p.nodes.iter().map(|n| n.vers.len()).sum(),
        members: opts.members,
        bodies: p.bodies.len(),
        positions: 0,
        points: p.points.len(),
        expected: 0,
    };
    Ok(p)
}

/// The path of `node` on `on`: its parents' ids from the root down, then its own.
fn path_on(nodes: &[Node], ids: &[OrgId], node: usize, on: Date) -> Option<OrgPath> {
    let v = nodes[node].vers.iter().find(|v| v.holds(on))?;
    Some(match v.parent {
        None => OrgPath::root(ids[node]),
        Some(par) => path_on(nodes, ids, par, on)?.child(ids[node]),
    })
}

/// A generated member, the `k`-th of the whole registry.
struct Member {
    person: NewPerson,
    membership: MembershipRow,
    placed: Date,
}

/// Citizen ID serials so far, by (province, century and gender, year).
type Serials = std::collections::HashMap<(u8, u8, u8), u32>;

fn member(rng: &mut Rng, k: u64, province: u8, serials: &mut Serials) -> Result<Member> {
    let gender = if rng.chance(0.38) { Gender::Female } else { Gender::Male };
    let eth = *rng.weighted(ETHNICITIES);
    let name = person_name(rng, gender, eth)?;
    // Ages from 18 to 95, most between 30 and 65.
    let age = (rng.between(18, 95) + rng.between(25, 65)) / 2;
    let born = add_days(Date::constant(2026, 1, 1), -(age * 365 + rng.between(0, 364)));
    // Admitted from 18 to 40 (counted in calendar years, as the importer checks), and
    // before the end of 2025; everyone is at least 21.
    let adult = born.saturating_add(jiff::Span::new().years(rng.between(18, 40)));
    let admitted = add_days(adult, rng.between(0, 364)).min(Date::constant(2025, 12, 31));
    // Twelve months of probation, then the cell's decision some weeks later.
    let full_on = add_days(admitted.saturating_add(jiff::Span::new().years(1)), rng.between(0, 90));
    let century_gender = u8::from(born.year() >= 2000) * 2 + u8::from(gender == Gender::Female);
    let yy = (born.year() % 100) as u8;
    let serial = serials.entry((province, century_gender, yy)).or_insert(0);
    *serial += 1;
    let cid = format!("0{province:02}{century_gender}{yy:02}{:06}", *serial % 1_000_000);
    let invalid = |e| AppError::Invalid {
        field: "generate".into(),
        source: e,
    };
    Ok(Member {
        person: NewPerson {
            kind: PersonKind::Member,
            name,
            gender,
            birth_date: born,
            ethnicity: Ethnicity::parse(eth).map_err(invalid)?,
            citizen_id: Some(CitizenId::parse(&cid).map_err(invalid)?),
            phone: None,
        },
        membership: MembershipRow {
            card_number: Some(CardNumber::parse(&format!("{:09}", 10_000_000 + k)).map_err(invalid)?),
            admitted_on: admitted,
            full_on: (full_on <= Date::constant(2026, 1, 1)).then_some(full_on),
            exempt: age >= 75 && rng.chance(0.4),
        },
        placed: admitted.max(FOUNDED),
    })
}

/// The members of the registry, cell by cell in the plan's order: the cell's index in
/// `Plan::cells` and the member. The same for a seed whichever way they are written.
struct Members<'a> {
    plan: &'a Plan,
    rng: Rng,
    sizes: Vec<usize>,
    serials: Serials,
    /// The cell, its province number, and how many of its members are made.
    at: (usize, u8, usize),
    k: u64,
}

impl<'a> Members<'a> {
    fn new(plan: &'a Plan, opts: GenerateOptions) -> Members<'a> {
        let mut rng = Rng::new(opts.seed ^ 0x5EED_F11E);
        let sizes = cell_sizes(&mut rng, plan.cells.len(), opts.members);
        let first = plan.cells.first().map_or(1, |&c| province_of(&plan.nodes, c));
        Members {
            plan,
            rng,
            sizes,
            serials: Serials::new(),
            at: (0, first, 0),
            k: 0,
        }
    }
}

impl Iterator for Members<'_> {
    type Item = Result<(usize, Member)>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.at.2 >= *self.sizes.get(self.at.0)? {
            let next = self.at.0 + 1;
            let province = province_of(&self.plan.nodes, *self.plan.cells.get(next)?);
            self.at = (next, province, 0);
        }
        self.at.2 += 1;
        let m = member(&mut self.rng, self.k, self.at.1, &mut self.serials);
        self.k += 1;
        Some(m.map(|m| (self.at.0, m)))
    }
}

/// How many members each cell holds: about 21 on average, from 5 to 40, summing to the total.
fn cell_sizes(rng: &mut Rng, cells: usize, members: u64) -> Vec<usize> {
    let weights: Vec<f64> = (0..cells).map(|_| rng.between(5, 40) as f64).collect();
    apportion(members as usize, &weights, 0)
}

/// The old province a cell's members were counted in, for their citizen IDs.
fn province_of(nodes: &[Node], cell: usize) -> u8 {
    let mut at = cell;
    while let Some(par) = nodes[at].vers[0].parent {
        if nodes[par].vers[0].kind == OrgKind::Central {
            return PROVINCES
                .iter()
                .position(|x| x.0 == nodes[at].code)
                .map_or(1, |i| i as u8 + 1);
        }
        at = par;
    }
    1
}

const CHUNK: usize = 50_000;

impl App {
    /// Builds a national registry into an empty database. Refuses a database that already
    /// holds organizations. Audited as one line.
    pub async fn generate(&self, opts: GenerateOptions, progress: &dyn Progress) -> Result<Generated> {
        // One transaction: a generation cut short leaves the database empty.
        let mut tx = self.db.write().await?;
        if tx.org_count().await? > 0 {
            return Err(AppError::rejected(
                "Cơ sở dữ liệu đã có tổ chức đảng: chỉ tạo dữ liệu tổng hợp trong cơ sở dữ liệu trống",
                "The database already holds organizations: the generator writes only into an empty database",
            ));
        }
        progress.stage("Lập cây tổ chức", 1);
        let mut p = plan(opts)?;
        progress.advance(1);
        let load = tx.begin_bulk_load().await?;

        // Organizations and their versions.
        let ids = tx.reserve_org_ids(p.nodes.len()).await?;
        let codes: Vec<OrgCode> = p
            .nodes
            .iter()
            .map(|n| OrgCode::parse(&n.code))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| AppError::field("Mã tổ chức", e))?;
        progress.stage("Tổ chức đảng", p.summary.versions as u64);
        let pairs: Vec<(OrgId, &OrgCode)> = ids.iter().copied().zip(codes.iter()).collect();
        tx.insert_orgs(&pairs).await?;
        let mut versions = Vec::with_capacity(p.summary.versions);
        for (i, n) in p.nodes.iter().enumerate() {
            for v in &n.vers {
                let path = path_on(&p.nodes, &ids, i, v.from).ok_or_else(|| {
                    AppError::rejected(
                        format!("Tổ chức {} không có cấp trên vào ngày {}", n.code, short(v.from)),
                        format!("{} has no parent on {}", n.code, short(v.from)),
                    )
                })?;
                versions.push((
                    NewOrgVersion {
                        id: ids[i],
                        parent: v.parent.map(|x| ids[x]),
                        name: OrgName::parse(&v.name).map_err(|e| AppError::field("Tên tổ chức", e))?,
                        kind: v.kind,
                        level: v.level,
                        path,
                        from: v.from,
                        change: v.change.into(),
                    },
                    v.end.clone(),
                ));
            }
        }
        for chunk in versions.chunks(CHUNK) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|(v, e)| (v, e.as_ref().map(|(d, by)| (*d, by.as_str()))))
                .collect();
            tx.insert_org_versions(&rows).await?;
            progress.advance(chunk.len() as u64);
        }
        drop(versions);

        // Members, cell by cell, in chunks.
        progress.stage("Đảng viên", opts.members);
        let mut person_ids: Vec<i64> = Vec::with_capacity(opts.members as usize);
        // Where each cell's members start in `person_ids`, and where the last ends.
        let mut first: Vec<usize> = vec![0; p.cells.len() + 1];
        let mut batch: Vec<(usize, Member)> = Vec::with_capacity(CHUNK);
        let mut members = Members::new(&p, opts).peekable();
        while let Some(m) = members.next() {
            let (ci, m) = m?;
            first[ci + 1] = person_ids.len() + batch.len() + 1;
            batch.push((p.cells[ci], m));
            if batch.len() >= CHUNK || members.peek().is_none() {
                person_ids.extend(write_members(&mut tx, &batch, &ids).await?);
                progress.advance(batch.len() as u64);
                batch.clear();
            }
        }
        // Cells with no members start where the one before ended.
        for ci in 1..first.len() {
            first[ci] = first[ci].max(first[ci - 1]);
        }
        drop(members);
        progress.stage("Danh sách theo tỉnh và chỉ mục", load.indexes() as u64);
        tx.end_bulk_load(load, || progress.advance(1)).await?;
        let mut rng = Rng::new(opts.seed ^ 0x00B0_D1E5);

        // Bodies and their members.
        progress.stage("Cấp ủy", p.bodies.len() as u64);
        let mut positions = Vec::new();
        for b in &p.bodies {
            let (ordinal, from_year, to_year) = b.term;
            let term = Term::new(ordinal, from_year, to_year).map_err(|e| AppError::field("Nhiệm kỳ", e))?;
            let body = tx.insert_body(ids[b.node], b.kind, term, b.size as i64).await?;
            let mut seats = HashSet::new();
            let mut tries = 0;
            while seats.len() < b.size && tries < b.size * 20 && !b.cells.is_empty() {
                tries += 1;
                // The cells are listed in the order they were made, so sorted.
                let Ok(ci) = p.cells.binary_search(&b.cells[rng.index(b.cells.len())]) else {
                    break;
                };
                let (lo, hi) = (first[ci], first[ci + 1]);
                if hi > lo {
                    seats.insert(person_ids[lo + rng.index(hi - lo)]);
                }
            }
            let mut seats: Vec<i64> = seats.into_iter().collect();
            seats.sort_unstable();
            for (k, person) in seats.into_iter().enumerate() {
                let title = match (b.kind, k) {
                    (BodyKind::Executive, 0) => "Bí thư",
                    (BodyKind::Executive, 1) => "Phó Bí thư",
                    (BodyKind::Executive, _) => "Ủy viên Ban Chấp hành",
                    _ => "Ủy viên Ban Thường vụ",
                };
                positions.push(PositionRow {
                    id: 0,
                    person_id: PersonId(person),
                    org_id: ids[b.node],
                    body_id: Some(body),
                    title: Title::parse(title).map_err(|e| AppError::field("Chức vụ", e))?,
                    source: PositionSource::Election,
                    validity: b.validity,
                    managed_by: Some(ids[b.manager]),
                });
            }
            progress.advance(1);
        }
        tx.insert_positions(&positions).await?;
        p.summary.positions = positions.len();

        // The national conference of 7/2/2026 and its points.
        progress.stage("Điểm cầu", p.points.len() as u64);
        let at = self.clock.timestamp();
        let conference = tx
            .insert_conference(
                &ConferenceRow {
                    id: 0,
                    org_id: ids[0],
                    kind: "dissemination".into(),
                    title:
                        "Hội nghị toàn quốc nghiên cứu, học tập, quán triệt, triển khai thực hiện Nghị quyết Đại hội \
                            đại biểu toàn quốc lần thứ XIV của Đảng"
                            .into(),
                    organizer: "Bộ Chính trị, Ban Bí thư".into(),
                    held_on: CONFERENCE_DAY,
                    starts_at: "08:00".into(),
                    format: "online".into(),
                    place: "Hà Nội".into(),
                    status: "planned".into(),
                    copied_from: None,
                },
                &at,
            )
            .await?;
        tx.add_invitation(conference, &Invitation::Subtree(ids[0])).await?;
        let members_at = |cells: &[usize]| -> i64 {
            cells
                .iter()
                .filter_map(|c| p.cells.binary_search(c).ok())
                .map(|ci| (first[ci + 1] - first[ci]) as i64)
                .sum()
        };
        // Expected participants: about a third of the members under each point.
        let under: Vec<i64> = p.points.iter().map(|pt| members_at(&pt.cells)).collect();
        let total_under: i64 = under.iter().sum::<i64>().max(1);
        let participants = (PARTICIPANTS * (opts.members as f64 / NATIONAL_MEMBERS as f64)).round() as i64;
        let mut codes = HashSet::new();
        let mut point_ids: Vec<i64> = Vec::with_capacity(p.points.len());
        let mut expected_total = 0;
        for (i, pt) in p.points.iter().enumerate() {
            let expected = if pt.cells.is_empty() {
                if pt.parent.is_none() { 300 } else { 150 }
            } else {
                (participants as f64 * under[i] as f64 / total_under as f64).round() as i64
            };
            expected_total += expected;
            let path = path_on(&p.nodes, &ids, pt.host, CONFERENCE_DAY)
                .map(|x| x.as_str().to_string())
                .unwrap_or_default();
            let code = loop {
                const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
                let c: String = (0..6).map(|_| ALPHABET[rng.index(ALPHABET.len())] as char).collect();
                if codes.insert(c.clone()) {
                    break c;
                }
            };
            let is_base = p.nodes[pt.host].vers.last().is_some_and(|v| v.kind.is_base());
            let id = tx
                .insert_point(
                    &PointRow {
                        id: 0,
                        conference_id: conference,
                        parent_id: pt.parent.map(|x| point_ids[x]),
                        host_org_id: Some(ids[pt.host]),
                        host_path: path,
                        base_id: is_base.then_some(ids[pt.host]),
                        name: pt.name.clone(),
                        place: String::new(),
                        operator_id: None,
                        expected,
                        status: "registered".into(),
                        join_code: code,
                        connected: false,
                    },
                    &at,
                )
                .await?;
            point_ids.push(id);
            if i % 1000 == 999 {
                progress.advance(1000);
            }
        }
        p.summary.expected = expected_total;
        let s = &p.summary;
        self.audit(
            &mut tx,
            "generate",
            "org:TW",
            &format!(
                "hạt giống {}: {} tỉnh (trước 1/7/2025: {}), {} xã, {} tổ chức cơ sở, {} chi bộ, {} đảng viên, {} chức vụ, {} điểm cầu",
                opts.seed, s.provinces.1, s.provinces.0, s.communes.1, s.bases, s.cells, s.members, s.positions, s.points
            ),
        )
        .await?;
        tx.commit().await?;
        self.db.settle().await?;
        Ok(p.summary)
    }
}

/// Writes a chunk of members with their placements; returns their ids in order.
async fn write_members(tx: &mut Tx, batch: &[(usize, Member)], ids: &[OrgId]) -> Result<Vec<i64>> {
    let pids = tx.reserve_person_ids(batch.len()).await?;
    let people: Vec<(PersonId, &NewPerson)> = pids.iter().copied().zip(batch.iter().map(|(_, m)| &m.person)).collect();
    tx.insert_people(&people).await?;
    let ms: Vec<(PersonId, &MembershipRow)> = pids
        .iter()
        .copied()
        .zip(batch.iter().map(|(_, m)| &m.membership))
        .collect();
    tx.upsert_memberships(&ms).await?;
    let pl: Vec<(PersonId, OrgId, Date, &str)> = pids
        .iter()
        .zip(batch)
        .map(|(pid, (cell, m))| (*pid, ids[*cell], m.placed, "generate"))
        .collect();
    tx.insert_placements(&pl).await?;
    Ok(pids.into_iter().map(|p| p.0).collect())
}

/// Writes the registry as the importers' files in `dir`: `to-chuc.csv` (the tree as it
/// stands after the reorganization, parents first) and `dang-vien.csv` (the members
/// with their cells). History, bodies and the conference do not fit those files.
pub fn generate_files(opts: GenerateOptions, dir: &Path, progress: &dyn Progress) -> Result<Generated> {
    let file_err = |e: std::io::Error| AppError::File {
        path: dir.display().to_string(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(file_err)?;
    progress.stage("Lập cây tổ chức", 1);
    let p = plan(opts)?;
    progress.advance(1);
    let today = Date::constant(2026, 1, 1);
    let csv_err = |e: csv::Error| AppError::File {
        path: dir.display().to_string(),
        source: std::io::Error::other(e),
    };
    // Organizations valid today, parents before children.
    let mut live: Vec<(usize, usize, &Ver)> = p
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            n.vers
                .iter()
                .find(|v| v.holds(today))
                .map(|v| (i, depth(&p.nodes, i, today), v))
        })
        .collect();
    live.sort_by_key(|(i, d, _)| (*d, *i));
    progress.stage("Tổ chức đảng", live.len() as u64);
    let mut w = csv::Writer::from_path(dir.join("to-chuc.csv")).map_err(csv_err)?;
    w.write_record(crate::export::ORG_HEADERS).map_err(csv_err)?;
    for (i, _, v) in &live {
        w.write_record([
            p.nodes[*i].code.as_str(),
            &v.name,
            v.kind.vi(),
            v.level.vi(),
            v.parent.map_or("", |x| p.nodes[x].code.as_str()),
            &short(v.from),
        ])
        .map_err(csv_err)?;
    }
    w.flush().map_err(file_err)?;
    progress.advance(live.len() as u64);

    progress.stage("Đảng viên", opts.members);
    let mut w = csv::Writer::from_path(dir.join("dang-vien.csv")).map_err(csv_err)?;
    let header: Vec<&str> = MemberField::ALL.iter().map(|f| f.header(Lang::Vi)).collect();
    w.write_record(&header).map_err(csv_err)?;
    for (k, m) in Members::new(&p, opts).enumerate() {
        let (ci, m) = m?;
        let cell = &p.nodes[p.cells[ci]];
        let x = &m.person;
        let ms = &m.membership;
        w.write_record([
            x.name.full(),
            x.kind.vi(),
            &short(x.birth_date),
            x.gender.vi(),
            x.ethnicity.name(),
            x.citizen_id.as_ref().map_or("", |c| c.as_str()),
            ms.card_number.as_ref().map_or("", |c| c.as_str()),
            &short(ms.admitted_on),
            &ms.full_on.map(short).unwrap_or_default(),
            if ms.exempt { "Có" } else { "Không" },
            "",
            cell.code.as_str(),
            cell.vers.last().map_or("", |v| v.name.as_str()),
        ])
        .map_err(csv_err)?;
        if (k + 1).is_multiple_of(10_000) {
            progress.advance(10_000);
        }
    }
    w.flush().map_err(file_err)?;
    // The files hold no bodies and no conference.
    Ok(Generated {
        bodies: 0,
        points: 0,
        ..p.summary
    })
}

fn depth(nodes: &[Node], node: usize, on: Date) -> usize {
    match nodes[node].vers.iter().find(|v| v.holds(on)).and_then(|v| v.parent) {
        Some(par) => 1 + depth(nodes, par, on),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn apportion_sums_and_keeps_proportions() {
        let parts = apportion(100, &[1.0, 2.0, 7.0], 0);
        assert_eq!(parts, vec![10, 20, 70]);
        let parts = apportion(10, &[1.0, 1.0, 1.0], 1);
        assert_eq!(parts.iter().sum::<usize>(), 10);
        assert!(parts.iter().all(|&x| x == 3 || x == 4));
    }

    #[test]
    fn the_provinces_merge_into_34() {
        assert_eq!(PROVINCES.len(), 63);
        let heads = PROVINCES.iter().filter(|x| x.3.is_none()).count();
        assert_eq!(heads, 34);
        for x in PROVINCES.iter().filter_map(|x| x.3) {
            assert!(PROVINCES.iter().any(|y| y.0 == x && y.3.is_none()), "{x}");
        }
    }

    #[test]
    fn a_small_plan_is_deterministic_and_consistent() {
        let opts = GenerateOptions {
            members: 60_000,
            seed: 7,
        };
        let a = plan(opts).unwrap();
        let b = plan(opts).unwrap();
        assert_eq!(a.summary, b.summary);
        assert_eq!(a.nodes.len(), b.nodes.len());
        assert!(a.nodes.iter().zip(&b.nodes).all(|(x, y)| x.code == y.code));
        assert_eq!(a.summary.provinces, (63, 34));
        // Every version has a parent on its first day, and codes are unique.
        let ids: Vec<OrgId> = (0..a.nodes.len() as i64).map(|i| OrgId(i + 1)).collect();
        for (i, n) in a.nodes.iter().enumerate() {
            for v in &n.vers {
                assert!(path_on(&a.nodes, &ids, i, v.from).is_some(), "{} on {}", n.code, v.from);
            }
        }
        let codes: HashSet<&str> = a.nodes.iter().map(|n| n.code.as_str()).collect();
        assert_eq!(codes.len(), a.nodes.len());
        let c = plan(GenerateOptions { seed: 8, ..opts }).unwrap();
        assert_eq!(c.summary.provinces, (63, 34));
    }
}
