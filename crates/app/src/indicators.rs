//! A resolution's targets measured from the registry: each computed indicator's value on
//! a day for an organization's subtree, by organization (for committees) or by level,
//! its trend year by year since the resolution, and the target's status against its
//! deadline. Only counts leave here; who was counted stays in the registry.

use crate::access::{Action, Caller};
use crate::{App, AppError, Result};
use dangbo_domain::cadre::PositionSource;
use dangbo_domain::date::{age_on, short};
use dangbo_domain::indicator::{Comparison, Indicator, Share, Status, status, young_under};
use dangbo_domain::org::{Level, OrgCode, OrgId};
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

/// Whether someone born on `birth` is young on `on` at `level`.
fn young(birth: Date, on: Date, level: Level) -> bool {
    age_on(birth, on) < young_under(level)
}

impl App {
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

/// The value of an indicator over `root`'s subtree on `at`, by part.
async fn value_on(
    tx: &mut Tx,
    indicator: Indicator,
    levels: &[Level],
    root: &OrgVersion,
    since: Date,
    at: Date,
) -> Result<(Share, Vec<(String, Option<String>, Share)>)> {
    let mut total = Share::default();
    let mut parts = Vec::new();
    match indicator {
        Indicator::YoungCommitteeShare => {
            for &level in levels {
                let mut by_org: BTreeMap<OrgId, Share> = BTreeMap::new();
                for (org, _, birth) in tx.committee_members(&root.path, level, at).await? {
                    let s = by_org.entry(org).or_default();
                    s.den += 1;
                    s.num += u64::from(young(birth, at, level));
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
        Indicator::YoungAppointmentShare | Indicator::RotationShare => {
            let posts: Vec<PostTaken> = tx
                .posts_taken(&root.path, since, at)
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
                            s.num += u64::from(young(p.birth, p.on, level));
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
        return Ok(Measured {
            target,
            indicator,
            levels,
            at,
            value: Share::default(),
            status: Status::NoData,
            parts: Vec::new(),
            trend: Vec::new(),
        });
    };
    let (value, parts) = value_on(tx, ind, &levels, root, since, at).await?;
    // Year by year from the resolution's year: the first of January, then the day taken.
    let mut trend = Vec::new();
    for year in since.year()..=at.year() {
        let day = Date::constant(year, 1, 1);
        if day > since && day < at {
            trend.push((day, value_on(tx, ind, &levels, root, since, day).await?.0));
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
    Ok(Measured {
        target,
        indicator,
        levels,
        at,
        value,
        status: st,
        parts,
        trend,
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
