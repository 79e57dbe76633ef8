//! The head counts of a subtree on a day: its people by the facts statistics need, its
//! organizations and cells, and the people under each of its children. Over a nation
//! they read millions of placements and take seconds, while the dashboard, every
//! organization's page and every member list ask for them; so they are computed once
//! per subtree, day and registry version ([`dangbo_store::Tx::registry_version`], moved
//! by every committed change to people, placements or organizations), and kept.
//!
//! Each process keeps its own: several instances behind a load balancer each compute a
//! subtree once per version. Concurrent requests for the same subtree wait for the one
//! computing it instead of computing it again. A summary that takes over a second (a
//! nation, a large province) is served as it was while a newer one is computed in the
//! background, so pages say when their counts were made ([`Summary::at`]).

use crate::members::{AGE_BAND_STARTS, MemberStats};
use crate::orgs::{get, sorted_tree};
use crate::{App, Result};
use dangbo_domain::Date;
use dangbo_domain::member::{Gender, MemberStatus, PersonKind};
use dangbo_domain::org::{OrgCode, OrgId, OrgPath};
use dangbo_store::{FactsGroup, MemberFilter, OrgVersion};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    /// The children of the root, committees first, then by name (a province has
    /// hundreds, which its page lists on every visit).
    pub child_orgs: Vec<OrgVersion>,
    /// The base organizations of the subtree with their paths (those a conference over
    /// it expects to send people).
    pub bases: Vec<(OrgId, String)>,
    /// When they were counted (`2026-11-21T09:30:00+07:00`).
    pub at: String,
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

/// A summary kept, with the registry version it was computed at and how long it took.
#[derive(Clone)]
struct Kept {
    version: i64,
    summary: Arc<Summary>,
    took: Duration,
}

/// One subtree on one day: what is kept, and a lock held by whoever is computing it.
#[derive(Default)]
struct SlotInner {
    kept: Mutex<Option<Kept>>,
    computing: Arc<tokio::sync::Mutex<()>>,
}

type Slot = Arc<SlotInner>;

/// The summaries a process keeps.
#[derive(Default)]
pub(crate) struct Summaries {
    slots: Mutex<HashMap<(OrgId, Date), Slot>>,
}

/// How many summaries are kept before the store is emptied (each is a few kilobytes).
const KEPT: usize = 2048;

/// A summary that took longer than this to compute is served while a newer one is
/// computed in the background, once the registry has changed: over a nation every
/// change anywhere moves the counts at the root, and nobody should wait half a minute
/// for a dashboard. Quicker ones are always computed afresh.
const SLOW: Duration = Duration::from_secs(1);

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

impl SlotInner {
    fn get(&self) -> Option<Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, k: Kept) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.as_ref().is_none_or(|old| old.version <= k.version) {
            *kept = Some(k);
        }
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

    /// The summary of the subtree at `path` on `on`: the one kept while the registry
    /// has not changed; after a change, a new one, except that a slow one is served as
    /// it was while a new one is computed in the background.
    pub async fn summary_of(&self, path: &OrgPath, on: Date) -> Result<Arc<Summary>> {
        // The version is read before the counts: what is counted is at least as new.
        let version = self.db.read().await?.registry_version().await?;
        self.summary_at(path, on, version).await
    }

    /// [`App::summary_of`] with the registry's version already read (in a transaction of
    /// the caller's, before anything it reads with the summary).
    pub(crate) async fn summary_at(&self, path: &OrgPath, on: Date, version: i64) -> Result<Arc<Summary>> {
        let Some(&root) = path.ids().last() else {
            return Ok(Arc::default());
        };
        let slot = self.summaries.slot((root, on));
        match slot.get() {
            Some(k) if k.version >= version => return Ok(k.summary),
            Some(k) if k.took > SLOW => {
                if let Ok(guard) = slot.computing.clone().try_lock_owned() {
                    let (app, path, slot) = (self.clone(), path.clone(), slot.clone());
                    tokio::spawn(async move {
                        let _computing = guard;
                        match app.compute_summary(&path, root, on, version).await {
                            Ok(k) => slot.set(k),
                            Err(e) => tracing::warn!(error = %e, "head counts not refreshed"),
                        }
                    });
                }
                return Ok(k.summary);
            }
            _ => {}
        }
        let _computing = slot.computing.lock().await;
        if let Some(k) = slot.get()
            && k.version >= version
        {
            return Ok(k.summary);
        }
        let k = self.compute_summary(path, root, on, version).await?;
        slot.set(k.clone());
        Ok(k.summary)
    }

    async fn compute_summary(&self, path: &OrgPath, root: OrgId, on: Date, version: i64) -> Result<Kept> {
        let started = std::time::Instant::now();
        let mut tx = self.db.read().await?;
        let groups = tx.member_fact_groups(path, on, &AGE_BAND_STARTS).await?;
        let (orgs, cells) = tx.subtree_size(path, on).await?;
        let children = tx.child_head_counts(root, on).await?.into_iter().collect();
        let child_orgs = sorted_tree(tx.org_children(root, on).await?);
        let bases = tx.bases_under(path, on).await?;
        let summary = Arc::new(Summary {
            groups,
            orgs,
            cells,
            children,
            child_orgs,
            bases,
            at: self.clock.timestamp(),
        });
        Ok(Kept {
            version,
            summary,
            took: started.elapsed(),
        })
    }
}
