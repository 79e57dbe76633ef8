//! The demo's documents and the events of the seeds, run through the same use cases a
//! user would: Resolution 116-NQ/TU and Project 08-ĐA/TU with their targets and
//! follow-up task, and the national conference of 04/12/2023 relayed by the bloc of
//! provincial agencies to its 63 base organizations (seed 004): 3.113 members and
//! outstanding non-members checked in, then make-up study to 3.252 members (75%).

use crate::access::{Action, Caller};
use crate::conferences::{ConferenceInput, Live, PointInput};
use crate::documents::DocumentInput;
use crate::study::CampaignInput;
use crate::{App, AppError, Result};
use dangbo_domain::Date;
use dangbo_domain::member::PersonId;
use dangbo_domain::org::{OrgCode, OrgId};
use dangbo_store::{CheckinRequest, TargetRow};
use std::collections::BTreeMap;

/// The day of seed 004.
const DAY: Date = Date::constant(2023, 12, 4);
/// Members and outstanding non-members of the bloc checked in that day (seed 004).
const ATTENDED: usize = 3_113;
/// Members of the bloc who had studied by the end of the campaign (seed 004).
const STUDIED: usize = 3_252;

fn code(s: &str) -> Result<OrgCode> {
    OrgCode::parse(s).map_err(|source| AppError::Invalid {
        field: "demo".into(),
        source,
    })
}

/// Everything dangbo's own demo does is done as the system, with an audit trail.
fn system() -> Caller {
    Caller {
        display_name: "Dữ liệu mẫu".into(),
        ..Caller::system("demo")
    }
}

/// A small deterministic shuffle (the demo must be the same on every machine).
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut s = seed ^ 0x2545_F491_4F6C_DD1D;
    for i in (1..items.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        items.swap(i, (s % (i as u64 + 1)) as usize);
    }
}

impl App {
    pub(crate) async fn load_demo_events(&self, seed: u64) -> Result<()> {
        let me = system();
        let doc = |number: &str, day: &str, by: &str, title: &str| DocumentInput {
            number: number.into(),
            issued_by: by.into(),
            org: "LS".into(),
            issued_on: day.into(),
            title: title.into(),
            ..DocumentInput::default()
        };
        let nq116 = self
            .register_document(
                &me,
                &DocumentInput {
                    summary: "Xây dựng đội ngũ cán bộ các cấp, cán bộ lãnh đạo, quản lý, nhất là người đứng đầu đủ phẩm chất, năng lực và uy tín, ngang tầm nhiệm vụ đến năm 2025 và định hướng đến năm 2030.".into(),
                    solutions: [
                        "Nâng cao nhận thức, trách nhiệm của cấp ủy, tổ chức đảng về công tác cán bộ",
                        "Đổi mới công tác đánh giá cán bộ",
                        "Làm tốt công tác quy hoạch cán bộ",
                        "Đổi mới công tác đào tạo, bồi dưỡng cán bộ",
                        "Đẩy mạnh luân chuyển, điều động cán bộ",
                        "Thực hiện tốt bổ nhiệm, giới thiệu cán bộ ứng cử",
                        "Thực hiện chính sách đối với cán bộ",
                        "Tăng cường kiểm tra, giám sát, kiểm soát quyền lực trong công tác cán bộ",
                    ]
                    .join("\n"),
                    ..doc(
                        "116-NQ/TU",
                        "04/07/2023",
                        "Ban Thường vụ Tỉnh ủy Lạng Sơn",
                        "Nghị quyết về xây dựng đội ngũ cán bộ các cấp đến năm 2025, định hướng đến năm 2030",
                    )
                },
            )
            .await?;
        self.register_document(
            &me,
            &doc(
                "08-ĐA/TU",
                "04/07/2023",
                "Ban Thường vụ Tỉnh ủy Lạng Sơn",
                "Đề án xây dựng đội ngũ cán bộ các cấp đến năm 2025, định hướng đến năm 2030",
            ),
        )
        .await?;
        // (indicator, as the resolution words it, comparison, value, upper bound, deadline, levels)
        type Target<'a> = (&'a str, &'a str, &'a str, f64, Option<f64>, Date, &'a str);
        let targets: [Target; 9] = [
            (
                "young_committee_share",
                "Cán bộ trẻ trong cấp ủy cấp tỉnh từ 10% trở lên",
                "ge",
                10.0,
                None,
                Date::constant(2025, 12, 31),
                "province",
            ),
            (
                "young_committee_share",
                "Cán bộ trẻ trong cấp ủy cấp huyện từ 20% trở lên",
                "ge",
                20.0,
                None,
                Date::constant(2025, 12, 31),
                "district",
            ),
            (
                "young_committee_share",
                "Cán bộ trẻ trong cấp ủy cấp xã từ 25% trở lên",
                "ge",
                25.0,
                None,
                Date::constant(2025, 12, 31),
                "commune",
            ),
            (
                "young_committee_share",
                "Cán bộ trẻ trong cấp ủy cấp tỉnh từ 15% trở lên",
                "ge",
                15.0,
                None,
                Date::constant(2030, 12, 31),
                "province",
            ),
            (
                "young_committee_share",
                "Cán bộ trẻ trong cấp ủy cấp huyện từ 25% trở lên",
                "ge",
                25.0,
                None,
                Date::constant(2030, 12, 31),
                "district",
            ),
            (
                "young_appointment_share",
                "Cán bộ trẻ được bổ nhiệm từ 10% trở lên",
                "ge",
                10.0,
                None,
                Date::constant(2025, 12, 31),
                "province,district",
            ),
            (
                "young_appointment_share",
                "Cán bộ trẻ được bổ nhiệm từ 15% trở lên",
                "ge",
                15.0,
                None,
                Date::constant(2030, 12, 31),
                "province,district",
            ),
            (
                "rotation_share",
                "Luân chuyển cán bộ từ 10% trở lên",
                "ge",
                10.0,
                None,
                Date::constant(2025, 12, 31),
                "province,district,commune",
            ),
            (
                "rotation_share",
                "Luân chuyển cán bộ từ 10% đến 15%",
                "between",
                10.0,
                Some(15.0),
                Date::constant(2030, 12, 31),
                "province,district,commune",
            ),
        ];
        let province = self
            .org_for(&me, Action::Browse, &code("LS")?, Date::constant(2023, 7, 4))
            .await?
            .id;
        for (i, (indicator, label, cmp, value, to, deadline, levels)) in targets.into_iter().enumerate() {
            self.add_target(
                &me,
                nq116,
                &TargetRow {
                    id: 0,
                    document_id: nq116,
                    seq: i as i64 + 1,
                    indicator: indicator.into(),
                    label: label.into(),
                    comparison: cmp.into(),
                    value,
                    value_to: to,
                    unit: "%".into(),
                    deadline,
                    levels: levels.into(),
                    // Appointments and rotations count the cadres the provincial standing
                    // committee manages, as the resolution words them.
                    managed_by: (indicator != "young_committee_share").then_some(province),
                },
            )
            .await?;
        }
        self.add_task(
            &me,
            Some(nq116),
            None,
            "LS",
            "Ban Tổ chức Tỉnh ủy xây dựng kế hoạch triển khai thực hiện Nghị quyết",
            "31/12/2023",
        )
        .await?;
        for (n, title) in [
            (
                "42-NQ/TW",
                "Về tiếp tục đổi mới, nâng cao chất lượng chính sách xã hội, đáp ứng yêu cầu sự nghiệp xây dựng và bảo vệ Tổ quốc trong giai đoạn mới",
            ),
            (
                "43-NQ/TW",
                "Về tiếp tục phát huy truyền thống, sức mạnh đại đoàn kết toàn dân tộc, xây dựng đất nước ta ngày càng phồn vinh, hạnh phúc",
            ),
            ("44-NQ/TW", "Về Chiến lược bảo vệ Tổ quốc trong tình hình mới"),
            (
                "45-NQ/TW",
                "Về tiếp tục xây dựng và phát huy vai trò của đội ngũ trí thức đáp ứng yêu cầu phát triển đất nước nhanh và bền vững trong giai đoạn mới",
            ),
        ] {
            self.register_document(
                &me,
                &doc(n, "24/11/2023", "Ban Chấp hành Trung ương Đảng khóa XIII", title),
            )
            .await?;
        }
        self.seed_004(&me, seed).await
    }

    async fn seed_004(&self, me: &Caller, seed: u64) -> Result<()> {
        let id = self
            .create_conference(
                me,
                &ConferenceInput {
                    org: "LS".into(),
                    kind: "dissemination".into(),
                    title: "Hội nghị toàn quốc nghiên cứu, học tập, quán triệt Nghị quyết Hội nghị lần thứ tám Ban Chấp hành Trung ương Đảng khóa XIII".into(),
                    organizer: "Bộ Chính trị, Ban Bí thư".into(),
                    held_on: "04/12/2023".into(),
                    starts_at: "08:00".into(),
                    format: "online".into(),
                    place: "Hội trường Tỉnh ủy".into(),
                    documents: "42-NQ/TW, 43-NQ/TW, 44-NQ/TW, 45-NQ/TW".into(),
                    agenda: [
                        "Tiếp tục phát huy truyền thống sức mạnh đại đoàn kết toàn dân tộc | Chủ tịch nước",
                        "Tiếp tục đổi mới, nâng cao chất lượng chính sách xã hội | Thủ tướng Chính phủ",
                        "Chiến lược bảo vệ Tổ quốc trong tình hình mới | Bộ trưởng Bộ Quốc phòng",
                        "Tiếp tục xây dựng và phát huy vai trò của đội ngũ trí thức | Trưởng Ban Tuyên giáo Trung ương",
                        "Triển khai tại tỉnh | Trưởng Ban Tuyên giáo Tỉnh ủy",
                    ]
                    .join("\n"),
                    invited: "LS.KCQ".into(),
                },
            )
            .await?;
        let point = |parent: Option<i64>, host: &str, name: &str, place: &str| PointInput {
            parent,
            host: host.into(),
            name: name.into(),
            place: place.into(),
            ..PointInput::default()
        };
        let national = self
            .add_point(
                me,
                id,
                &point(None, "", "Điểm cầu Trung ương", "Hội trường Diên Hồng, Hà Nội"),
            )
            .await?;
        let province = self
            .add_point(
                me,
                id,
                &point(Some(national), "LS", "Điểm cầu tỉnh Lạng Sơn", "Hội trường Tỉnh ủy"),
            )
            .await?;
        let bloc = self
            .add_point(me, id, &point(Some(province), "LS.KCQ", "", "Hội trường Đảng ủy Khối"))
            .await?;
        self.add_base_points(me, id, "LS.KCQ", Some(bloc)).await?;
        let view = self.conference(me, id, dangbo_domain::Lang::Vi).await?;
        for (p, _) in &view.points {
            self.set_point_status(me, p.id, "live").await?;
        }
        let campaign = self
            .create_campaign(
                me,
                &CampaignInput {
                    org: "LS.KCQ".into(),
                    title: "Nghiên cứu, học tập, quán triệt Nghị quyết Trung ương 8 khóa XIII".into(),
                    starts_on: "04/12/2023".into(),
                    ends_on: "31/12/2023".into(),
                    report_due: "31/12/2023".into(),
                    documents: "42-NQ/TW, 43-NQ/TW, 44-NQ/TW, 45-NQ/TW".into(),
                    conferences: id.to_string(),
                    // Seed 004's 75% is of all 4.336 members, exempted ones included.
                    exempt_counted: true,
                    ..CampaignInput::default()
                },
            )
            .await?;

        // Who comes: every base sends people; the outstanding non-members of the bloc
        // come; members fill the rest of the 3.113.
        let mut members: Vec<(PersonId, i64)> = Vec::new();
        let mut outstanding: Vec<(PersonId, i64)> = Vec::new();
        let mut first_of_base: Vec<(PersonId, i64)> = Vec::new();
        {
            let mut tx = self.db.read().await?;
            for (p, _) in view.points.iter().filter(|(p, _)| p.base_id.is_some()) {
                let Some(path) = dangbo_domain::org::OrgPath::parse(&p.host_path) else {
                    continue;
                };
                let roster = tx.roster(&path, DAY, 100_000).await?;
                let mut first = true;
                for (pid, _, card) in roster {
                    match card {
                        Some(_) if first => {
                            first_of_base.push((pid, p.id));
                            first = false;
                        }
                        Some(_) => members.push((pid, p.id)),
                        None => outstanding.push((pid, p.id)),
                    }
                }
            }
        }
        shuffle(&mut members, seed);
        let want = ATTENDED.saturating_sub(outstanding.len() + first_of_base.len());
        let mut attending: Vec<(PersonId, i64)> = first_of_base;
        attending.extend(members.iter().take(want).copied());
        attending.extend(outstanding.iter().copied());
        let live = Live::start(self.clone()).await?;
        for (n, chunk) in attending.chunks(500).enumerate() {
            let requests = chunk
                .iter()
                .enumerate()
                .map(|(i, (person, point))| CheckinRequest {
                    request_id: format!("demo-{n}-{i}"),
                    // A few of the bloc's people follow at the bloc's own point.
                    point_id: if (n * 500 + i) % 97 == 0 { bloc } else { *point },
                    code: String::new(),
                    person: Some(*person),
                    method: ["scan", "typed", "list"][i % 3].into(),
                    by_account: None,
                })
                .collect();
            live.checkin(id, requests).await?;
        }
        self.close_conference(me, id).await?;
        self.add_task(
            me,
            None,
            Some(id),
            "LS",
            "Dự thảo Chương trình hành động thực hiện Nghị quyết Trung ương 8 khóa XIII",
            "quý I/2024",
        )
        .await?;

        // Those who missed the conference study later at their cells, until 3.252.
        let mut pending = {
            let mut tx = self.db.read().await?;
            let root = tx
                .org_by_code(&code("LS.KCQ")?, DAY)
                .await?
                .ok_or_else(|| AppError::no_org("LS.KCQ", DAY))?;
            tx.study_list(campaign, &root.path, true).await?
        };
        let studied = self.campaign(me, campaign, None).await?.total.numerator as usize;
        shuffle(&mut pending, seed ^ 1);
        let mut by_cell: BTreeMap<OrgId, Vec<PersonId>> = BTreeMap::new();
        for p in pending.iter().take(STUDIED.saturating_sub(studied)) {
            by_cell.entry(p.org_id).or_default().push(p.person_id);
        }
        for (i, (cell, people)) in by_cell.into_iter().enumerate() {
            let Some(org) = self.org_by_id(cell, DAY).await? else {
                continue;
            };
            let day = if i % 2 == 0 { "12/12/2023" } else { "20/12/2023" };
            self.record_makeup(me, campaign, &org.code, day, "Phòng họp chi bộ", &people)
                .await?;
        }
        Ok(())
    }
}

/// The day of the demo's key-cadre conference that nominates for the bloc's plan: after
/// the bloc was formed (1/7/2025) and QĐ 377-QĐ/TW came into force (8/10/2025).
const NOMINATION_DAY: Date = Date::constant(2025, 10, 15);

impl App {
    /// A planning list of the bloc of Party agencies and a nomination for it modelled on
    /// seed 003: a key-cadre conference whose ballot (electronic, with printed codes) is
    /// cast, counted and locked by the vote-counting board `kiemphieu`, and the two steps
    /// after it left in draft for the user to run. Loaded once the demo's accounts exist.
    pub(crate) async fn load_demo_nomination(&self) -> Result<()> {
        let me = system();
        let bloc = self.org(&code("LS.CQD")?, NOMINATION_DAY).await?;
        // Twenty cadres of the bloc with a card, young enough for two terms.
        let mut cadres: Vec<(PersonId, String)> = Vec::new();
        {
            let mut tx = self.db.read().await?;
            for (pid, _, card) in tx.roster(&bloc.path, NOMINATION_DAY, 5_000).await? {
                let (Some(card), Some(p)) = (card, tx.person(pid).await?) else {
                    continue;
                };
                if p.person.birth_date.year() >= 1976 {
                    cadres.push((pid, card));
                }
                if cadres.len() == 20 {
                    break;
                }
            }
        }
        if cadres.len() < 20 {
            return Ok(());
        }
        let plan = self
            .create_plan_list(
                &me,
                &crate::planning::PlanListInput {
                    org: "LS.CQD".into(),
                    term_ordinal: "1".into(),
                    term_years: "2025-2030".into(),
                    target: "BCH".into(),
                    size: "15".into(),
                },
            )
            .await?;
        for (_, card) in cadres.iter().take(16) {
            let change = crate::planning::PlanChange {
                on: "01/10/2025",
                decision: "15-QĐ/ĐU",
                override_reason: "",
            };
            self.add_to_plan(&me, plan, card, change).await?;
        }
        let invited: Vec<String> = cadres.iter().map(|(_, c)| format!("@{c}")).collect();
        let conf = self
            .create_conference(
                &me,
                &ConferenceInput {
                    org: "LS.CQD".into(),
                    kind: "key_cadre".into(),
                    title: "Hội nghị cán bộ chủ chốt Đảng bộ các cơ quan Đảng tỉnh".into(),
                    held_on: "15/10/2025".into(),
                    starts_at: "08:00".into(),
                    format: "in_person".into(),
                    place: "Hội trường Đảng ủy các cơ quan Đảng tỉnh".into(),
                    invited: invited.join(" "),
                    ..ConferenceInput::default()
                },
            )
            .await?;
        let point = self
            .add_point(
                &me,
                conf,
                &PointInput {
                    host: "LS.CQD".into(),
                    name: "Hội trường".into(),
                    ..PointInput::default()
                },
            )
            .await?;
        let live = Live::start(self.clone()).await?;
        let requests = cadres
            .iter()
            .take(19)
            .enumerate()
            .map(|(i, (person, _))| CheckinRequest {
                request_id: format!("demo-key-{i}"),
                point_id: point,
                code: String::new(),
                person: Some(*person),
                method: "list".into(),
                by_account: None,
            })
            .collect();
        live.checkin(conf, requests).await?;
        let nomination = self
            .create_nomination(
                &me,
                &crate::ballots::NominationInput {
                    org: "LS.CQD".into(),
                    title:
                        "Giới thiệu nhân sự quy hoạch Ban Chấp hành Đảng bộ các cơ quan Đảng tỉnh nhiệm kỳ 2025-2030"
                            .into(),
                    plan_list: plan.to_string(),
                    steps: "Hội nghị cán bộ chủ chốt\nHội nghị Ban Chấp hành\nHội nghị Ban Thường vụ".into(),
                },
            )
            .await?;
        let first = self.nomination(&me, nomination).await?.2[0].id;
        let candidates: String = cadres.iter().take(16).map(|(_, c)| format!("{c}\n")).collect();
        self.configure_ballot(
            &me,
            first,
            &crate::ballots::BallotSettings {
                name: "Hội nghị cán bộ chủ chốt".into(),
                conference: conf.to_string(),
                mode: "electronic".into(),
                kind: "approve".into(),
                base: "convened".into(),
                threshold: "gt1/2".into(),
                board: "kiemphieu".into(),
                candidates,
                ..crate::ballots::BallotSettings::default()
            },
        )
        .await?;
        self.open_ballot(&me, first).await?;
        let codes = self.issue_slips(&me, first, "").await?;
        // Eighteen of the nineteen slips are used; two candidates fall short.
        for (v, code) in codes.iter().take(18).enumerate() {
            let choices: String = (0..16)
                .map(|j| {
                    let agree = match j {
                        14 => v < 8,
                        15 => v < 10,
                        _ => !(v * 3 + j).is_multiple_of(7),
                    };
                    if agree { 'y' } else { 'n' }
                })
                .collect();
            self.cast(code, &choices).await?;
        }
        self.close_ballot(&me, first).await?;
        let board = {
            let mut tx = self.db.read().await?;
            tx.account_by_username("kiemphieu").await?
        };
        if let Some(a) = board {
            let counter = Caller {
                account_id: a.id,
                username: a.username.clone(),
                display_name: a.display_name.clone(),
                person: None,
                grants: Vec::new(),
            };
            self.acting_as(&counter).lock_ballot(&counter, first).await?;
        }
        Ok(())
    }
}
