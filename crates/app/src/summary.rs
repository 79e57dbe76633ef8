//! The head counts of a subtree on a day: its people by the facts statistics need, its
//! organizations and cells, and the people under each of its children. Over a nation
//! they read millions of placements and take seconds, while the dashboard, every
//! organization's page and every member list ask for them; so they are computed once
//! per subtree, day and registry version ([`dangbo_store::Tx::registry_version`], moved
//! by every committed change to people, placements or organizations), and kept.
//!
//! Each process keeps its own: several instances behind a load balancer each compute a
//! subtree once per version. Concurrent requests for the same subtree wait for the one
//! computing it instead of computing it again.

use crate::members::{AGE_BAND_STARTS, MemberStats};
use crate::orgs::get;
use crate::{App, Result};
use dangbo_domain::Date;
use dangbo_domain::member::{Gender, MemberStatus, PersonKind};
use dangbo_domain::org::{OrgCode, OrgId, OrgPath};
use dangbo_store::{FactsGroup, MemberFilter};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The head counts of a subtree on a day.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// The people placed in the subtree, grouped by their facts.
    pub groups: Vec<FactsGroup>,
    /// Organizations below the root.
    pub orgs: u64,
    /// Of which cells.
    pub cells: u64,
    /// People placed under each child of the root (children with no one are absent).
    pub children: HashMap<OrgId, u64>,
}

impl Summary {
    /// The statistics of the subtree's people.
    pub fn stats(&self) -> MemberStats {
        let mut s = MemberStats::default();
        let mut eth: BTreeMap<&'static str, u64> = BTreeMap::new();
        for g in &self.groups {
            if g.kind != PersonKind::Member {
                s.non_members += g.count;
                continue;
            }
            s.members += g.count;
            if g.full {
                s.full += g.count;
            } else {
                s.probationary += g.count;
            }
            s.exempt += u64::from(g.exempt) * g.count;
            s.women += u64::from(g.gender == Gender::Female) * g.count;
            *eth.entry(g.ethnicity.name()).or_default() += g.count;
            s.by_age[g.band.min(AGE_BAND_STARTS.len())] += g.count;
        }
        s.by_ethnicity = eth.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        s.by_ethnicity
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| dangbo_domain::name::compare(&a.0, &b.0)));
        s
    }

    /// How many of the subtree's people match `f`, when the counts answer it: a filter
    /// by kind, gender, ethnicity and status, without a name search.
    pub fn count(&self, f: &MemberFilter) -> Option<i64> {
        if f.query.is_some() {
            return None;
        }
        let n: u64 = self
            .groups
            .iter()
            .filter(|g| f.kind.is_none_or(|k| g.kind == k))
            .filter(|g| f.gender.is_none_or(|x| g.gender == x))
            .filter(|g| f.ethnicity.is_none_or(|e| g.ethnicity == e))
            .filter(|g| match f.status {
                None => true,
                Some(MemberStatus::Full) => g.enrolled && g.full,
                Some(MemberStatus::Probationary) => g.enrolled && !g.full,
            })
            .map(|g| g.count)
            .sum();
        Some(n as i64)
    }
}

/// One subtree's summary on one day, with the registry version it was computed at.
type Slot = Arc<tokio::sync::Mutex<Option<(i64, Arc<Summary>)>>>;

/// The summaries a process keeps.
#[derive(Default)]
pub(crate) struct Summaries {
    slots: Mutex<HashMap<(OrgId, Date), Slot>>,
}

/// How many summaries are kept before the store is emptied (each is a few kilobytes).
const KEPT: usize = 2048;

impl Summaries {
    fn slot(&self, key: (OrgId, Date)) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= KEPT && !slots.contains_key(&key) {
            // Requests still holding a slot keep theirs; the rest are computed again.
            slots.clear();
        }
        slots.entry(key).or_default().clone()
    }
}

impl App {
    /// The summary of the subtree of `code` on `on`.
    pub async fn summary(&self, code: &OrgCode, on: Date) -> Result<Arc<Summary>> {
        let mut tx = self.db.read().await?;
        let root = get(&mut tx, code, on).await?;
        drop(tx);
        self.summary_of(&root.path, on).await
    }

    /// The summary of the subtree at `path` on `on`.
    pub async fn summary_of(&self, path: &OrgPath, on: Date) -> Result<Arc<Summary>> {
        let Some(&root) = path.ids().last() else {
            return Ok(Arc::default());
        };
        // The version is read before the counts: what is counted is at least as new.
        let version = self.db.read().await?.registry_version().await?;
        let slot = self.summaries.slot((root, on));
        let mut kept = slot.lock().await;
        if let Some((v, s)) = kept.as_ref()
            && *v >= version
        {
            return Ok(s.clone());
        }
        let mut tx = self.db.read().await?;
        let groups = tx.member_fact_groups(path, on, &AGE_BAND_STARTS).await?;
        let (orgs, cells) = tx.subtree_size(path, on).await?;
        let children = tx.child_head_counts(root, on).await?.into_iter().collect();
        let s = Arc::new(Summary {
            groups,
            orgs,
            cells,
            children,
        });
        *kept = Some((version, s.clone()));
        Ok(s)
    }
}
