//! The sample city: 杭州市 with 富阳区 and 桐庐县, shipped as data files under `data/demo/` and
//! embedded in the binary, loaded into an empty database through the same paths real data
//! takes (the published list as an import, later changes through propose → review → publish).

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::HashMap;
use sunlight_core::negative::{Measure, NegativeItem};
use sunlight_core::review::{Origin, ProposalDraft, ReviewAct};
use sunlight_core::*;
use sunlight_exchange::{Format, Registry, read_powers};
use sunlight_store::Store;

const CITY: &str = include_str!("../../../data/demo/city.toml");
const POWERS: &str = include_str!("../../../data/demo/powers.json");
const CHANGES: &str = include_str!("../../../data/demo/changes-2026-03.json");
const PENDING: &str = include_str!("../../../data/demo/pending-proposal.json");

#[derive(Deserialize)]
struct City {
    demo: DemoSettings,
    regions: Vec<RegionRow>,
    departments: Vec<DepartmentRow>,
    users: Vec<UserRow>,
    negative_list: Vec<NegativeRow>,
}

#[derive(Deserialize)]
struct DemoSettings {
    password: String,
}

#[derive(Deserialize)]
struct RegionRow {
    code: String,
    name: String,
    level: String,
}

#[derive(Deserialize)]
struct DepartmentRow {
    key: String,
    name: String,
    credit_code: String,
    region: String,
    nature: String,
}

#[derive(Deserialize)]
struct UserRow {
    username: String,
    name: String,
    department: Option<String>,
    roles: Vec<String>,
}

#[derive(Deserialize)]
struct NegativeRow {
    industry: String,
    category: String,
    sub_category: String,
    item: String,
    measure: String,
    basis: String,
}

/// What `sunlight demo` prints after loading.
pub struct Loaded {
    pub powers: usize,
    pub departments: usize,
    pub users: Vec<(String, String, Vec<String>)>,
    pub password: String,
}

fn city() -> anyhow::Result<City> {
    toml::from_str(CITY).context("data/demo/city.toml")
}

/// Regions and departments only (what benchmarks need before importing a list).
pub async fn load_registry(store: &Store) -> anyhow::Result<HashMap<String, CreditCode>> {
    let city = city()?;
    let mut regions: Vec<&RegionRow> = city.regions.iter().collect();
    regions.sort_by_key(|r| r.code.trim_end_matches('0').len());
    for r in regions {
        let code = RegionCode::parse(&r.code)?;
        let level = RegionLevel::parse(&r.level)
            .with_context(|| format!("region {}: level {}", r.code, r.level))?;
        store
            .put_region(&Region::new(code, &r.name, level, code.parent())?)
            .await?;
    }
    let mut keys = HashMap::new();
    for d in &city.departments {
        let cc =
            CreditCode::parse(&d.credit_code).with_context(|| format!("department {}", d.name))?;
        let nature = DepartmentNature::parse(&d.nature)
            .with_context(|| format!("department {}: nature {}", d.name, d.nature))?;
        store
            .put_department(&Department::new(
                cc.clone(),
                &d.name,
                RegionCode::parse(&d.region)?,
                nature,
            )?)
            .await?;
        keys.insert(d.key.clone(), cc);
    }
    Ok(keys)
}

/// Loads the whole sample city into an empty store.
pub async fn load(store: &Store, now: Timestamp, today: Date) -> anyhow::Result<Loaded> {
    if !store.is_empty().await? {
        bail!("the database already holds a power list; the demo loads only into an empty one");
    }
    let city = city()?;
    let keys = load_registry(store).await?;
    let mut users = Vec::new();
    for u in &city.users {
        let department = match &u.department {
            Some(k) => Some(
                keys.get(k)
                    .cloned()
                    .with_context(|| format!("user {}: no department «{k}»", u.username))?,
            ),
            None => None,
        };
        let roles = u
            .roles
            .iter()
            .map(|r| Role::parse(r).with_context(|| format!("user {}: role {r}", u.username)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let user = User {
            username: Username::parse(&u.username)?,
            display_name: u.name.clone(),
            department,
            roles,
        };
        store.add_user(&user, &city.demo.password, now).await?;
        users.push((u.username.clone(), u.name.clone(), u.roles.clone()));
    }
    let negative = city
        .negative_list
        .iter()
        .map(|n| {
            Ok(NegativeItem {
                industry: n.industry.clone(),
                category: n.category.clone(),
                sub_category: n.sub_category.clone(),
                item: n.item.clone(),
                measure: Measure::parse(&n.measure)
                    .with_context(|| format!("negative list: measure {}", n.measure))?,
                basis: n.basis.clone(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    store.replace_negative_list(&negative).await?;

    // 1. The list as the district government published it, imported by the operator.
    let mut registry = Registry::new(
        store.regions().await?,
        store.departments().await?,
        std::iter::empty(),
    );
    let imported = read_powers(POWERS.as_bytes(), Format::Json, &mut registry, &mut |_| {})
        .map_err(|e| anyhow::anyhow!("data/demo/powers.json: {e}"))?;
    let count = imported.powers.len();
    let draft = ProposalDraft {
        title: "杭州市富阳区区级部门权力清单（2025年版）".into(),
        reason:
            "《杭州市富阳区人民政府关于公布区级部门权力清单和责任清单的通知》（富政发〔2025〕3号）"
                .into(),
        effective_from: "2025-01-01".parse()?,
        changes: imported
            .powers
            .into_iter()
            .map(|p| sunlight_core::lifecycle::PowerChange::Create { power: Box::new(p) })
            .collect(),
    };
    let origin = Origin::Import {
        file: "data/demo/powers.json".into(),
        sha256: String::new(),
        rows: count,
    };
    store
        .publish_import(draft, origin, "admin", now, today)
        .await?;

    // 2. A later adjustment through the review the rules require: proposed by the registry
    //    office, approved by legal review (法制审核), published by a second editor.
    let (editor, reviewer, publisher) = (
        user(store, "bianban.li").await?,
        user(store, "fazhi.wang").await?,
        user(store, "bianban.he").await?,
    );
    let changes: ProposalDraft =
        serde_json::from_str(CHANGES).context("data/demo/changes-2026-03.json")?;
    let p = store.propose(changes, Origin::Manual, &editor, now).await?;
    store
        .review(
            p.id,
            ReviewAct::Approve,
            &reviewer,
            Some("经合法性审查，同意调整。"),
            now,
        )
        .await?;
    store.publish(p.id, &publisher, now, today).await?;

    // 3. One proposal waiting for review, so the reviewer has something to do.
    let pending: ProposalDraft =
        serde_json::from_str(PENDING).context("data/demo/pending-proposal.json")?;
    store
        .propose(pending, Origin::Manual, &publisher, now)
        .await?;

    Ok(Loaded {
        powers: count,
        departments: keys.len(),
        users,
        password: city.demo.password,
    })
}

async fn user(store: &Store, name: &str) -> anyhow::Result<User> {
    store
        .user(name)
        .await?
        .with_context(|| format!("demo user {name} is missing from city.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sample_city_loads_and_has_what_the_tour_shows() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite:{}", dir.path().join("demo.db").display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let now: Timestamp = "2026-11-22T09:00:00+08:00".parse().unwrap();
        let loaded = load(&store, now, jiff::civil::date(2026, 11, 22))
            .await
            .unwrap();
        assert!(loaded.powers >= 80, "{}", loaded.powers);
        assert!(loaded.departments >= 12);
        let page = store
            .list_powers(&sunlight_store::PowerFilter {
                limit: 500,
                ..Default::default()
            })
            .await
            .unwrap();
        let categories: std::collections::HashSet<_> =
            page.items.iter().map(|p| p.category).collect();
        assert_eq!(
            categories.len(),
            PowerCategory::ALL.len(),
            "every category is present"
        );
        for status in ["cancelled", "merged", "delegated", "strictly_controlled"] {
            assert!(
                page.items.iter().any(|p| p.status.as_str() == status),
                "{status}"
            );
        }
        // Every power has a valid flow; 低保 has its two-person home visit under a high risk.
        for p in &page.items {
            let v = store.power(&p.code, None).await.unwrap().unwrap();
            assert!(v.power.flow.is_some(), "{} has no flow", p.code);
        }
        let dibao = page
            .items
            .iter()
            .find(|p| p.name == "最低生活保障金给付" && p.region == "330183000000")
            .unwrap();
        let flow = store
            .power(&dibao.code, None)
            .await
            .unwrap()
            .unwrap()
            .power
            .flow
            .unwrap();
        let visit = flow.node("visit").and_then(|n| n.task()).unwrap();
        assert_eq!(visit.actors, 2);
        assert!(
            flow.risks
                .iter()
                .any(|r| r.node == "visit" && r.level == sunlight_core::flow::RiskLevel::High)
        );
        let every_role: std::collections::HashSet<_> = loaded
            .users
            .iter()
            .flat_map(|u| u.2.iter().cloned())
            .collect();
        assert_eq!(every_role.len(), Role::ALL.len());
        let report =
            sunlight_core::consistency::report(&store.powers_sharing_basic_codes().await.unwrap());
        let fields: std::collections::HashSet<_> =
            report.divergences.iter().map(|d| d.field).collect();
        assert_eq!(
            fields.len(),
            3,
            "name, category and legal basis divergences: {report:#?}"
        );
        assert!(
            load(&store, now, jiff::civil::date(2026, 11, 22))
                .await
                .is_err(),
            "loads only into an empty database"
        );
    }
}
