//! Resolution 116-NQ/TU's targets measured on the demo province before and after the
//! reorganization of 1/7/2025, each value checked against a count made here from the raw
//! rows (bodies, positions, people, organization versions), apart from dangbo's queries.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::access::{Caller, Grant, Role};
use dangbo_app::{App, Clock};
use dangbo_domain::date::{age_on, parse_iso};
use dangbo_domain::indicator::{Indicator, Share, Status};
use dangbo_domain::org::OrgCode;
use dangbo_domain::{Date, Validity};
use dangbo_store::Db;
use std::collections::HashMap;

const TODAY: Date = Date::constant(2026, 11, 1);

/// The raw rows, as text, by column name.
struct Rows(Vec<HashMap<String, String>>);

async fn rows(db: &Db, table: &str) -> Rows {
    let mut tx = db.read().await.unwrap();
    let cols = tx.columns_of(table).await.unwrap();
    let data = tx.dump_for_tests(table).await.unwrap();
    Rows(
        data.into_iter()
            .map(|r| cols.iter().cloned().zip(r).collect())
            .collect(),
    )
}

fn day(s: &str) -> Option<Date> {
    parse_iso(s)
}

/// Whether a half-open `[from, to)` range of text dates holds `on`.
fn holds(r: &HashMap<String, String>, on: Date) -> bool {
    let from = day(&r["valid_from"]).unwrap();
    let to = day(&r["valid_to"]);
    from <= on && to.is_none_or(|t| on < t)
}

/// The whole registry, counted by hand.
struct Registry {
    versions: Rows,
    bodies: Rows,
    positions: Rows,
    births: HashMap<String, Date>,
    /// Each person: a woman, and of an ethnic minority.
    facts: HashMap<String, (bool, bool)>,
}

impl Registry {
    fn level_of(&self, org: &str, on: Date) -> Option<String> {
        self.versions
            .0
            .iter()
            .find(|v| v["org_id"] == org && holds(v, on))
            .map(|v| v["level"].clone())
    }

    fn young(&self, person: &str, on: Date, level: &str) -> bool {
        age_on(self.births[person], on) < if level == "commune" { 35 } else { 40 }
    }

    /// Members of the executive committees at `level` on `on` who are young, women or of
    /// an ethnic minority (`what`).
    fn committees(&self, level: &str, on: Date, what: Indicator) -> Share {
        let mut seats = std::collections::HashSet::new();
        let mut s = Share::default();
        for b in self.bodies.0.iter().filter(|b| b["kind"] == "executive") {
            if self.level_of(&b["org_id"], on).as_deref() != Some(level) {
                continue;
            }
            for p in self
                .positions
                .0
                .iter()
                .filter(|p| p["body_id"] == b["id"] && holds(p, on))
            {
                if seats.insert((b["org_id"].clone(), p["person_id"].clone())) {
                    s.den += 1;
                    let person = &p["person_id"];
                    s.num += u64::from(match what {
                        Indicator::WomenCommitteeShare => self.facts[person].0,
                        Indicator::MinorityCommitteeShare => self.facts[person].1,
                        _ => self.young(person, on, level),
                    });
                }
            }
        }
        s
    }

    /// Posts taken from `since` to `at` at `levels`: young appointments, or rotations;
    /// with `managed_by` (an organization's id), only the posts its standing committee
    /// manages.
    fn posts(&self, levels: &[&str], since: Date, at: Date, rotation: bool, managed_by: Option<&str>) -> Share {
        let mut s = Share::default();
        for p in &self.positions.0 {
            if managed_by.is_some_and(|m| p["managed_by"] != m) {
                continue;
            }
            let from = day(&p["valid_from"]).unwrap();
            if from < since || from > at {
                continue;
            }
            let Some(level) = self.level_of(&p["org_id"], from) else {
                continue;
            };
            if !levels.contains(&level.as_str()) {
                continue;
            }
            let source = p["source"].as_str();
            if rotation {
                if matches!(source, "appointment" | "designation" | "rotation") {
                    s.den += 1;
                    s.num += u64::from(source == "rotation");
                }
            } else if source == "appointment" {
                s.den += 1;
                s.num += u64::from(self.young(&p["person_id"], from, &level));
            }
        }
        s
    }
}

fn admin() -> Caller {
    Caller {
        account_id: 1,
        username: "quantri".into(),
        display_name: "Quản trị".into(),
        person: None,
        grants: vec![Grant {
            id: 1,
            role: Role::Admin,
            org: None,
            validity: Validity::since(Date::constant(2000, 1, 1)),
        }],
    }
}

#[tokio::test]
async fn resolution_116_on_the_demo_province() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("d.db").to_str().unwrap()).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db.clone(), Clock::Fixed(TODAY), "test");
    app.load_demo(2023, &|_| {}).await.unwrap();
    let nq116 = app
        .documents()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.number == "116-NQ/TU")
        .unwrap();
    // Two more targets of the committees' structure, for the shares of women and minorities.
    for (i, (indicator, label, value)) in [
        ("women_committee_share", "Nữ trong cấp ủy cấp tỉnh từ 15% trở lên", 15.0),
        (
            "minority_committee_share",
            "Cán bộ dân tộc thiểu số trong cấp ủy cấp tỉnh từ 50% trở lên",
            50.0,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        app.add_target(
            &admin(),
            nq116.id,
            &dangbo_store::TargetRow {
                id: 0,
                document_id: nq116.id,
                seq: 10 + i as i64,
                indicator: indicator.into(),
                label: label.into(),
                comparison: "ge".into(),
                value,
                value_to: None,
                unit: "%".into(),
                deadline: Date::constant(2025, 12, 31),
                levels: "province".into(),
                managed_by: None,
            },
        )
        .await
        .unwrap();
    }
    let people = rows(&db, "person").await;
    let registry = Registry {
        versions: rows(&db, "org_version").await,
        bodies: rows(&db, "body").await,
        positions: rows(&db, "position").await,
        births: people
            .0
            .iter()
            .map(|p| (p["id"].clone(), day(&p["birth_date"]).unwrap()))
            .collect(),
        facts: people
            .0
            .iter()
            .map(|p| (p["id"].clone(), (p["gender"] == "female", p["ethnicity"] != "Kinh")))
            .collect(),
    };
    let ls = OrgCode::parse("LS").unwrap();
    let ls_id = registry
        .versions
        .0
        .iter()
        .find(|v| v["path"].matches('/').count() == 2)
        .map(|v| v["org_id"].clone())
        .unwrap();
    let before = Date::constant(2025, 6, 30);
    let mut seen_district = false;
    for on in [before, TODAY] {
        let v = app.indicators(&admin(), nq116.id, Some(&ls), on).await.unwrap();
        assert_eq!(v.targets.len(), 11);
        for m in &v.targets {
            let levels: Vec<&str> = m.target.levels.split(',').map(str::trim).collect();
            let at = on.min(m.target.deadline);
            let managed = m.target.managed_by.map(|o| o.0.to_string());
            let managed = managed.as_deref();
            let want = match m.indicator.unwrap() {
                i @ (Indicator::YoungCommitteeShare
                | Indicator::WomenCommitteeShare
                | Indicator::MinorityCommitteeShare) => registry.committees(levels[0], at, i),
                Indicator::YoungAppointmentShare => registry.posts(&levels, nq116.issued_on, at, false, managed),
                Indicator::RotationShare => {
                    // The resolution counts the cadres the provincial standing committee
                    // manages; before the districts ended, the communes' were managed by
                    // the districts' and are left out.
                    assert_eq!(managed, Some(ls_id.as_str()), "{}", m.target.label);
                    assert!(
                        m.definition(dangbo_domain::Lang::Vi)
                            .contains("diện Ban Thường vụ cấp ủy Đảng bộ tỉnh Lạng Sơn")
                    );
                    let all = registry.posts(&levels, nq116.issued_on, at, true, None);
                    let want = registry.posts(&levels, nq116.issued_on, at, true, managed);
                    assert!(all.den > want.den && want.den > 0, "{all:?} {want:?}");
                    want
                }
                Indicator::StudyCoverage => unreachable!("116-NQ/TU has no study target"),
            };
            assert_eq!(m.value, want, "{} on {on}", m.target.label);
            assert_eq!(m.at, at);
            // Parts add up to the whole.
            let sum = m.parts.iter().fold(Share::default(), |a, p| a + p.2);
            assert_eq!(sum, m.value, "{}", m.target.label);
            // The status follows the value.
            if want.den == 0 {
                assert_eq!(m.status, Status::NoData, "{}", m.target.label);
            } else if on >= m.target.deadline {
                assert!(
                    matches!(m.status, Status::Reached | Status::Missed),
                    "{}",
                    m.target.label
                );
            }
            if m.target.label.contains("cấp huyện") && m.indicator == Some(Indicator::YoungCommitteeShare) {
                if on == before {
                    assert!(want.den > 200, "the districts' committees on 30/06/2025: {want:?}");
                    seen_district = true;
                } else {
                    assert_eq!(want.den, 0, "no district level after 1/7/2025");
                    assert_eq!(m.status, Status::NoData);
                }
            }
            assert!(!m.trend.is_empty());
            assert_eq!(m.trend.last().unwrap(), &(at, m.value));
        }
    }
    assert!(seen_district);
    // The committees at province level are shown one by one, the province's among them,
    // each a link to its own subtree; a committee's subtree counts its own committee.
    let v = app.indicators(&admin(), nq116.id, Some(&ls), TODAY).await.unwrap();
    let province = v
        .targets
        .iter()
        .find(|m| m.target.label.contains("cấp tỉnh từ 10%"))
        .unwrap();
    let own = province
        .parts
        .iter()
        .find(|p| p.0 == "Đảng bộ tỉnh Lạng Sơn")
        .unwrap_or_else(|| panic!("{:?}", province.parts));
    assert_eq!(own.1.as_deref(), Some("LS"));
    let bloc = province
        .parts
        .iter()
        .find(|p| p.1.as_deref() == Some("LS.CQD"))
        .unwrap();
    let cqd = OrgCode::parse("LS.CQD").unwrap();
    let drilled = app.indicators(&admin(), nq116.id, Some(&cqd), TODAY).await.unwrap();
    let m = drilled
        .targets
        .iter()
        .find(|m| m.target.label.contains("cấp tỉnh từ 10%"))
        .unwrap();
    assert_eq!(m.value, bloc.2, "drilling down counts the bloc's committee alone");
    // Study coverage of the 8th Plenum's Resolution 43 in the bloc of agencies, as seed
    // 004 reports it: 3.252 of its 4.336 members (75%).
    let nq43 = app
        .documents()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.number == "43-NQ/TW")
        .unwrap();
    app.add_target(
        &admin(),
        nq43.id,
        &dangbo_store::TargetRow {
            id: 0,
            document_id: nq43.id,
            seq: 1,
            indicator: "study_coverage".into(),
            label: "Đảng viên được học tập, quán triệt từ 75% trở lên".into(),
            comparison: "ge".into(),
            value: 75.0,
            value_to: None,
            unit: "%".into(),
            deadline: Date::constant(2023, 12, 31),
            levels: "province".into(),
            managed_by: None,
        },
    )
    .await
    .unwrap();
    let kcq = OrgCode::parse("LS.KCQ").unwrap();
    let v = app
        .indicators(&admin(), nq43.id, Some(&kcq), Date::constant(2023, 12, 31))
        .await
        .unwrap();
    assert_eq!((v.targets[0].value.num, v.targets[0].value.den), (3_252, 4_336));
    assert_eq!(v.targets[0].status, Status::Reached);
    // Someone who does not browse the province sees nothing of it.
    let member = Caller {
        grants: vec![Grant {
            role: Role::Member,
            ..admin().grants[0].clone()
        }],
        ..admin()
    };
    assert!(app.indicators(&member, nq116.id, Some(&ls), TODAY).await.is_err());

    // Targets typed in the document's form: each mistake is refused with its reason and
    // stores nothing; a good one is stored after the others, with whose cadres count.
    let before = app
        .indicators(&admin(), nq116.id, Some(&ls), TODAY)
        .await
        .unwrap()
        .targets
        .len();
    let good = dangbo_app::documents::TargetInput {
        indicator: "young_appointment_share".into(),
        label: "Cán bộ trẻ được bổ nhiệm từ 20% trở lên".into(),
        comparison: "ge".into(),
        value: "20".into(),
        value_to: String::new(),
        deadline: "31/12/2030".into(),
        levels: vec!["province".into(), "commune".into()],
        managed_by: "LS".into(),
    };
    let bad: Vec<(dangbo_app::documents::TargetInput, &str)> = vec![
        (
            dangbo_app::documents::TargetInput {
                label: " ".into(),
                ..good.clone()
            },
            "Nội dung chỉ tiêu",
        ),
        (
            dangbo_app::documents::TargetInput {
                value: "mười".into(),
                ..good.clone()
            },
            "không phải là một số",
        ),
        (
            dangbo_app::documents::TargetInput {
                value: "150".into(),
                ..good.clone()
            },
            "từ 0 đến 100%",
        ),
        (
            dangbo_app::documents::TargetInput {
                comparison: "between".into(),
                ..good.clone()
            },
            "hai giá trị",
        ),
        (
            dangbo_app::documents::TargetInput {
                comparison: "between".into(),
                value_to: "15".into(),
                ..good.clone()
            },
            "lớn hơn giá trị dưới",
        ),
        (
            dangbo_app::documents::TargetInput {
                indicator: "Tỷ lệ; DROP".into(),
                ..good.clone()
            },
            "Không có chỉ tiêu",
        ),
        (
            dangbo_app::documents::TargetInput {
                levels: vec![],
                ..good.clone()
            },
            "ít nhất một cấp",
        ),
        (
            dangbo_app::documents::TargetInput {
                levels: vec!["quận".into()],
                ..good.clone()
            },
            "ít nhất một cấp",
        ),
        (
            dangbo_app::documents::TargetInput {
                deadline: "31/13/2030".into(),
                ..good.clone()
            },
            "Thời hạn",
        ),
        (
            dangbo_app::documents::TargetInput {
                indicator: "women_committee_share".into(),
                ..good.clone()
            },
            "Diện quản lý chỉ dùng",
        ),
        (
            dangbo_app::documents::TargetInput {
                managed_by: "LS.XYZ".into(),
                ..good.clone()
            },
            "LS.XYZ",
        ),
    ];
    for (input, why) in bad {
        let e = app.add_target_typed(&admin(), nq116.id, &input).await.unwrap_err();
        let msg = e.message(dangbo_domain::Lang::Vi);
        assert!(msg.contains(why), "{input:?}: {msg}");
    }
    let v = app.indicators(&admin(), nq116.id, Some(&ls), TODAY).await.unwrap();
    assert_eq!(v.targets.len(), before, "a refused target stores nothing");
    app.add_target_typed(&admin(), nq116.id, &good).await.unwrap();
    let v = app.indicators(&admin(), nq116.id, Some(&ls), TODAY).await.unwrap();
    let added = v.targets.last().unwrap();
    assert_eq!(added.target.label, good.label);
    assert_eq!(added.target.seq, v.targets[v.targets.len() - 2].target.seq + 1);
    assert_eq!(added.target.levels, "province,commune");
    assert_eq!(added.managed_by.as_deref(), Some("Đảng bộ tỉnh Lạng Sơn"));
    // An office outside the province may not add targets to its resolution.
    assert!(app.add_target_typed(&member, nq116.id, &good).await.is_err());
}
