//! A resolution's targets measured from the registry: each computed indicator's value on
//! a day for an organization's subtree, by organization (for committees) or by level,
//! its trend year by year since the resolution, and the target's status against its
//! deadline. Only counts leave here; who was counted stays in the registry.

use crate::access::{Action, Caller};
use crate::{App, AppError, Result};
use dangbo_domain::cadre::PositionSource;
use dangbo_domain::date::{age_on, parse_date, short};
use dangbo_domain::indicator::{Comparison, Indicator, Share, Status, status};
use dangbo_domain::org::{Level, OrgCode, OrgId};
use dangbo_domain::planning::PlanningRules;
use dangbo_domain::{Date, Lang};
use dangbo_store::{DocumentRow, OrgVersion, PostTaken, TargetRow, Tx};
use std::collections::BTreeMap;

/// One target measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The target.
    pub target: TargetRow,
    /// Its indicator, when dangbo computes it.
    pub indicator: Option<Indicator>,
    /// The levels it applies to.
    pub levels: Vec<Level>,
    /// The day the value is taken on: the day shown, or the deadline once passed.
    pub at: Date,
    /// The value then.
    pub value: Share,
    /// Its status.
    pub status: Status,
    /// The value by organization (committees) or by level: label, drill-down code, share.
    pub parts: Vec<(String, Option<String>, Share)>,
    /// The value year by year: the day and the share.
    pub trend: Vec<(Date, Share)>,
    /// For a reported indicator, the evidence of each organization's latest value: its
    /// name and the stored file.
    pub evidence: Vec<(String, i64)>,
    /// The ages under which a cadre is young (province and district, commune) in the rule
    /// set in force on `at`, for the indicator's definition.
    pub young: (u32, u32),
    /// The organization whose standing committee manages the posts counted, when the
    /// target counts only those.
    pub managed_by: Option<String>,
}

impl Measured {
    /// What is counted, in words: the indicator's definition, and whose cadres.
    pub fn definition(&self, lang: Lang) -> String {
        let Some(ind) = self.indicator else {
            return lang
                .pick(
                    "Chỉ tiêu do các tổ chức báo cáo, chưa tính được từ dữ liệu của dangbo: tổng số đạt ÷ tổng số \
                     theo số liệu mới nhất của mỗi tổ chức trong kỳ kết thúc đến ngày xem, kèm tài liệu minh chứng.",
                    "Reported by the organizations; dangbo does not compute it: the sum of the counts ÷ the sum of \
                     the totals, each organization's latest for a period ended by the day shown, with the evidence.",
                )
                .to_string();
        };
        let mut text = ind.definition(lang, self.young);
        if let Some(body) = &self.managed_by {
            text.push(' ');
            text.push_str(&match lang {
                Lang::Vi => format!("Chỉ tính cán bộ thuộc diện Ban Thường vụ cấp ủy {body} quản lý."),
                Lang::En => format!("Only the cadres managed by the standing committee of {body} count."),
            });
        }
        text
    }
}

/// A value as an organization types it.
#[derive(Debug, Clone, Default)]
pub struct ReportedInput {
    /// The organization reporting.
    pub org: String,
    /// The period's first day.
    pub period_from: String,
    /// The period's last day.
    pub period_to: String,
    /// Counted.
    pub num: String,
    /// Out of.
    pub den: String,
    /// A note.
    pub note: String,
}

/// A resolution's targets measured for an organization on a day.
#[derive(Debug, Clone)]
pub struct IndicatorsView {
    /// The resolution.
    pub document: DocumentRow,
    /// The organization whose subtree is counted.
    pub org: OrgVersion,
    /// The day shown.
    pub on: Date,
    /// Each target.
    pub targets: Vec<Measured>,
}

fn levels_of(s: &str) -> Vec<Level> {
    s.split([',', ' ']).filter_map(|l| Level::from_code(l.trim())).collect()
}

/// Whether someone born on `birth` is young on `on` at `level`, under the rule set.
fn young(rules: &PlanningRules, birth: Date, on: Date, level: Level) -> bool {
    age_on(birth, on) < rules.young_under_at(level) as i32
}

impl App {
    /// An organization reports its value for a target that dangbo does not compute, for a
    /// period, with the evidence attached (PDF or Word). Audited.
    pub async fn report_value(
        &self,
        caller: &Caller,
        target: i64,
        input: &ReportedInput,
        evidence: Option<(&str, &[u8])>,
    ) -> Result<i64> {
        let code = OrgCode::parse(&input.org).map_err(|e| AppError::field("Tổ chức", e))?;
        let today = self.clock.today();
        let org = self.org_for(caller, Action::Report, &code, today).await?;
        let mut tx = self.db.read().await?;
        let (_, indicator) = tx.target(target).await?.ok_or_else(|| AppError::NotFound {
            vi: format!("Không có chỉ tiêu số {target}"),
            what: format!("no target number {target}"),
        })?;
        drop(tx);
        if Indicator::from_code(&indicator).is_some() {
            return Err(AppError::rejected(
                "Chỉ tiêu này được tính từ dữ liệu của dangbo, không nhập số liệu báo cáo",
                "dangbo computes this target from its records; no value is reported",
            ));
        }
        let from = parse_date(&input.period_from).map_err(|e| AppError::field("Từ ngày", e))?;
        let to = parse_date(&input.period_to).map_err(|e| AppError::field("Đến ngày", e))?;
        if from > to {
            return Err(AppError::rejected(
                "Kỳ báo cáo: ngày bắt đầu phải trước ngày kết thúc",
                "The period must start before it ends",
            ));
        }
        self.not_future(to)?;
        let number = |label: &str, s: &str| -> Result<i64> {
            s.trim()
                .replace('.', "")
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    AppError::rejected(
                        format!("{label}: «{}» phải là số nguyên không âm", s.trim()),
                        format!("{label}: «{}» must be a whole number", s.trim()),
                    )
                })
        };
        let num = number("Số đạt", &input.num)?;
        let den = number("Tổng số", &input.den)?;
        if den == 0 || num > den {
            return Err(AppError::rejected(
                format!("Số đạt ({num}) phải không lớn hơn tổng số ({den}), và tổng số phải lớn hơn 0"),
                format!("The count ({num}) must not exceed the total ({den}), which must be above 0"),
            ));
        }
        let (name, content) = evidence.filter(|(_, c)| !c.is_empty()).ok_or_else(|| {
            AppError::rejected(
                "Đính kèm tài liệu minh chứng (PDF hoặc Word)",
                "Attach the evidence (PDF or Word)",
            )
        })?;
        let att = self.checked_attachment(name, content)?;
        let mut tx = self.db.write().await?;
        let evidence_id = tx.insert_attachment(&att, content).await?;
        let id = tx
            .insert_reported_value(
                &dangbo_store::ReportedValue {
                    id: 0,
                    target_id: target,
                    org_id: org.id,
                    period: (from, to),
                    num,
                    den,
                    note: input.note.trim().chars().take(2000).collect(),
                    evidence_id: Some(evidence_id),
                },
                &self.actor,
                &self.clock.timestamp(),
            )
            .await?;
        self.audit(
            &mut tx,
            "indicator.report",
            &format!("target:{target}"),
            &format!(
                "{}: {num}/{den} ({} – {}), {}",
                org.code,
                short(from),
                short(to),
                att.filename
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The evidence file of a reported value, for whoever browses its organization.
    /// Audited.
    pub async fn reported_evidence(
        &self,
        caller: &Caller,
        attachment: i64,
    ) -> Result<(dangbo_store::AttachmentRow, Vec<u8>)> {
        let none = || AppError::NotFound {
            vi: format!("Không có tệp số {attachment}"),
            what: format!("no file number {attachment}"),
        };
        let mut tx = self.db.read().await?;
        let org = tx.reported_value_org(attachment).await?.ok_or_else(none)?;
        let code = tx.org_code_of(org).await?.ok_or_else(none)?;
        drop(tx);
        // Browse over the organization as it is today, or as it last was.
        let today = self.clock.today();
        if self.org_for(caller, Action::Browse, &code, today).await.is_err() {
            return Err(none());
        }
        self.audit_read("indicator.evidence", &format!("file:{attachment}"), code.as_str())
            .await?;
        self.attachment(attachment).await
    }

    /// The targets of document `id` measured over the subtree of `org` (the document's
    /// own organization if none) on `on`. Needs Browse over that organization.
    pub async fn indicators(
        &self,
        caller: &Caller,
        id: i64,
        org: Option<&OrgCode>,
        on: Date,
    ) -> Result<IndicatorsView> {
        let mut tx = self.db.read().await?;
        let document = tx.document(id).await?.ok_or_else(|| AppError::NotFound {
            vi: format!("Không có văn bản số {id}"),
            what: format!("no document number {id}"),
        })?;
        let code = match org {
            Some(c) => c.clone(),
            None => tx
                .org_code_of(document.org_id)
                .await?
                .ok_or_else(|| AppError::no_org("?", on))?,
        };
        drop(tx);
        let root = self.org_for(caller, Action::Browse, &code, on).await?;
        let mut tx = self.db.read().await?;
        let mut targets = Vec::new();
        for target in tx.targets(id).await? {
            targets.push(measure(&mut tx, &document, &root, target, on).await?);
        }
        Ok(IndicatorsView {
            document,
            org: root,
            on,
            targets,
        })
    }
}

/// What a computed target counts: the indicator over `root`'s subtree, at `levels`,
/// since the document's day, and for posts, only those `managed_by` manages.
struct Counted<'a> {
    document: i64,
    indicator: Indicator,
    levels: &'a [Level],
    managed_by: Option<OrgId>,
    root: &'a OrgVersion,
    since: Date,
}

/// The value of an indicator on `at`, by part, under the planning rule set in force that
/// day (which says who is young).
async fn value_on(
    tx: &mut Tx,
    c: &Counted<'_>,
    rules: &PlanningRules,
    at: Date,
) -> Result<(Share, Vec<(String, Option<String>, Share)>)> {
    let Counted {
        document,
        indicator,
        levels,
        managed_by,
        root,
        since,
    } = *c;
    let mut total = Share::default();
    let mut parts = Vec::new();
    match indicator {
        Indicator::YoungCommitteeShare | Indicator::WomenCommitteeShare | Indicator::MinorityCommitteeShare => {
            for &level in levels {
                let mut by_org: BTreeMap<OrgId, Share> = BTreeMap::new();
                for seat in tx.committee_members(&root.path, level, at).await? {
                    let s = by_org.entry(seat.org).or_default();
                    s.den += 1;
                    s.num += u64::from(match indicator {
                        Indicator::WomenCommitteeShare => seat.woman,
                        Indicator::MinorityCommitteeShare => seat.minority,
                        _ => young(rules, seat.birth, at, level),
                    });
                }
                for (org, share) in by_org {
                    total = total + share;
                    if let Some(v) = tx.org_by_id(org, at).await? {
                        parts.push((v.name.to_string(), Some(v.code.to_string()), share));
                    }
                }
            }
            parts.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Indicator::StudyCoverage => {
            // The latest campaign on the document begun by `at`.
            let mut latest = None;
            for c in tx.campaigns().await? {
                if c.starts_on <= at
                    && tx.campaign_documents(c.id).await?.contains(&document)
                    && latest
                        .as_ref()
                        .is_none_or(|l: &dangbo_store::CampaignRow| l.starts_on <= c.starts_on)
                {
                    latest = Some(c);
                }
            }
            if let Some(c) = latest
                && let Some(cov) = tx.coverage(c.id, root.id).await?
            {
                let line = crate::study::CoverageLine::new(String::new(), String::new(), cov, c.exempt_counted);
                total = Share {
                    num: line.numerator.max(0) as u64,
                    den: line.denominator.max(0) as u64,
                };
                parts.push((c.title.clone(), None, total));
            }
        }
        Indicator::YoungAppointmentShare | Indicator::RotationShare => {
            let posts: Vec<PostTaken> = tx
                .posts_taken(&root.path, since, at, managed_by)
                .await?
                .into_iter()
                .filter(|p| levels.contains(&p.level))
                .collect();
            for &level in levels {
                let mut s = Share::default();
                for p in posts.iter().filter(|p| p.level == level) {
                    match indicator {
                        Indicator::YoungAppointmentShare if p.source == PositionSource::Appointment => {
                            s.den += 1;
                            s.num += u64::from(young(rules, p.birth, p.on, level));
                        }
                        Indicator::RotationShare => {
                            s.den += 1;
                            s.num += u64::from(p.source == PositionSource::Rotation);
                        }
                        _ => {}
                    }
                }
                total = total + s;
                parts.push((level.label(Lang::Vi).to_string(), None, s));
            }
        }
    }
    Ok((total, parts))
}

async fn measure(tx: &mut Tx, doc: &DocumentRow, root: &OrgVersion, target: TargetRow, on: Date) -> Result<Measured> {
    let indicator = Indicator::from_code(&target.indicator);
    let levels = levels_of(&target.levels);
    let at = on.min(target.deadline);
    let since = doc.issued_on;
    let Some(ind) = indicator else {
        return reported(tx, root, target, levels, on, at).await;
    };
    let counted = Counted {
        document: doc.id,
        indicator: ind,
        levels: &levels,
        managed_by: target.managed_by,
        root,
        since,
    };
    let rules = crate::planning::rules_in_force(tx, at).await?;
    let (value, parts) = value_on(tx, &counted, &rules, at).await?;
    // Year by year from the resolution's year: the first of January, then the day taken.
    let mut trend = Vec::new();
    for year in since.year()..=at.year() {
        let day = Date::constant(year, 1, 1);
        if day > since && day < at {
            let then = crate::planning::rules_in_force(tx, day).await?;
            trend.push((day, value_on(tx, &counted, &then, day).await?.0));
        }
    }
    trend.push((at, value));
    // The trend's reference: a year before, or the first point after the resolution.
    let year_before = at.checked_sub(jiff::Span::new().years(1)).unwrap_or(at);
    let before = trend
        .iter()
        .rev()
        .find(|(d, _)| *d <= year_before)
        .or_else(|| trend.first().filter(|(d, _)| *d < at))
        .copied();
    let cmp = Comparison::from_target(&target.comparison, target.value, target.value_to);
    let st = match cmp {
        Some(c) => status(c, target.deadline, on, value, before),
        None => Status::NoData,
    };
    let managed_by = match target.managed_by {
        Some(o) => tx.org_by_id(o, at).await?.map(|v| v.name.to_string()),
        None => None,
    };
    Ok(Measured {
        target,
        indicator,
        levels,
        at,
        value,
        status: st,
        parts,
        trend,
        evidence: Vec::new(),
        young: young_ages(&rules),
        managed_by,
    })
}

/// The ages under which a cadre is young in a rule set: at province and district level,
/// and at commune level.
fn young_ages(rules: &PlanningRules) -> (u32, u32) {
    (rules.young_under, rules.young_under_commune)
}

/// A reported indicator: each organization of the subtree counts with its latest value
/// for a period ending by `at`; the whole is their sum.
async fn reported(
    tx: &mut Tx,
    root: &OrgVersion,
    target: TargetRow,
    levels: Vec<Level>,
    on: Date,
    at: Date,
) -> Result<Measured> {
    let mut values = Vec::new();
    for v in tx.reported_values(target.id).await? {
        if v.period.1 > at {
            continue;
        }
        if let Some(o) = tx.org_by_id(v.org_id, v.period.1).await?
            && root.path.contains(&o.path)
        {
            values.push((v, o));
        }
    }
    // The latest value of each organization as of a day.
    let as_of = |day: Date| {
        let mut latest: BTreeMap<OrgId, &(dangbo_store::ReportedValue, OrgVersion)> = BTreeMap::new();
        for v in values.iter().filter(|(v, _)| v.period.1 <= day) {
            latest.insert(v.0.org_id, v);
        }
        latest
    };
    let now = as_of(at);
    let share = |v: &dangbo_store::ReportedValue| Share {
        num: v.num.max(0) as u64,
        den: v.den.max(0) as u64,
    };
    let value = now.values().fold(Share::default(), |a, (v, _)| a + share(v));
    let mut parts: Vec<(String, Option<String>, Share)> = now
        .values()
        .map(|(v, o)| (o.name.to_string(), None, share(v)))
        .collect();
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    let evidence = now
        .values()
        .filter_map(|(v, o)| v.evidence_id.map(|e| (o.name.to_string(), e)))
        .collect();
    let mut days: Vec<Date> = values.iter().map(|(v, _)| v.period.1).collect();
    days.dedup();
    let trend: Vec<(Date, Share)> = days
        .into_iter()
        .map(|d| (d, as_of(d).values().fold(Share::default(), |a, (v, _)| a + share(v))))
        .collect();
    let year_before = at.checked_sub(jiff::Span::new().years(1)).unwrap_or(at);
    let before = trend.iter().rev().find(|(d, _)| *d <= year_before).copied();
    let st = match Comparison::from_target(&target.comparison, target.value, target.value_to) {
        Some(c) => status(c, target.deadline, on, value, before),
        None => Status::NoData,
    };
    Ok(Measured {
        target,
        indicator: None,
        levels,
        at,
        value,
        status: st,
        parts,
        trend,
        evidence,
        young: young_ages(&crate::planning::rules_in_force(tx, at).await?),
        managed_by: None,
    })
}

/// "12/85 (14,11%) on 31/12/2025" as a line of text.
pub fn describe(m: &Measured, lang: Lang) -> String {
    match m.value.percent() {
        Some(p) => format!(
            "{}/{} ({p}) {} {}",
            m.value.num,
            m.value.den,
            lang.pick("tính đến ngày", "as of"),
            short(m.at)
        ),
        None => lang.pick("không có số liệu", "no data").to_string(),
    }
}
