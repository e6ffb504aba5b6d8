//! Sample records every store test starts with (the databases come from `sunlight-testkit`).

use sunlight_core::*;
use sunlight_store::Store;

pub fn now() -> Timestamp {
    "2026-03-02T09:00:00+08:00".parse().unwrap()
}

pub fn today() -> Date {
    jiff::civil::date(2026, 3, 2)
}

pub fn date(s: &str) -> Date {
    s.parse().unwrap()
}

pub fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

pub const FUYANG: &str = "330183";
pub const TONGLU: &str = "330122";

/// 富阳区市场监督管理局
pub fn scjg() -> CreditCode {
    CreditCode::with_check("11330183MB1682410").unwrap()
}
/// 桐庐县市场监督管理局
pub fn tonglu_scjg() -> CreditCode {
    CreditCode::with_check("11330122MB1750220").unwrap()
}
/// 杭州市市场监督管理局
pub fn city_scjg() -> CreditCode {
    CreditCode::with_check("11330100MB1583130").unwrap()
}

pub fn user(name: &str, roles: &[Role]) -> User {
    User {
        username: Username::parse(name).unwrap(),
        display_name: name.into(),
        department: None,
        roles: roles.to_vec(),
    }
}

pub fn editor() -> User {
    user("li.na", &[Role::RegistryEditor])
}
pub fn reviewer() -> User {
    user("wang.fang", &[Role::Reviewer])
}

/// Proposes, approves and publishes in one go (different people, as the rules want).
pub async fn publish(
    store: &Store,
    d: sunlight_core::review::ProposalDraft,
) -> Result<i64, sunlight_store::StoreError> {
    use sunlight_core::review::{Origin, ReviewAct};
    let p = store.propose(d, Origin::Manual, &editor(), now()).await?;
    store
        .review(
            p.id,
            ReviewAct::Approve,
            &reviewer(),
            Some("合法性审核通过"),
            now(),
        )
        .await?;
    let p = store.publish(p.id, &editor(), now(), today()).await?;
    Ok(p.id)
}

/// The regions, departments and staff every store test starts with.
pub async fn seed(store: &Store) {
    let regions = [
        ("330000", "浙江省", RegionLevel::Province),
        ("330100", "杭州市", RegionLevel::City),
        (FUYANG, "富阳区", RegionLevel::County),
        (TONGLU, "桐庐县", RegionLevel::County),
        ("330183001", "富春街道", RegionLevel::Township),
    ];
    for (code, name, level) in regions {
        let c = region(code);
        store
            .put_region(&Region::new(c, name, level, c.parent()).unwrap())
            .await
            .unwrap();
    }
    for (cc, name, r) in [
        (scjg(), "富阳区市场监督管理局", FUYANG),
        (tonglu_scjg(), "桐庐县市场监督管理局", TONGLU),
        (city_scjg(), "杭州市市场监督管理局", "330100"),
    ] {
        store
            .put_department(
                &Department::new(cc, name, region(r), DepartmentNature::LegalAgency).unwrap(),
            )
            .await
            .unwrap();
    }
    for u in [
        editor(),
        reviewer(),
        user("zhao.lei", &[Role::RegistryEditor, Role::Reviewer]),
        user("sun.li", &[Role::Reviewer]),
    ] {
        store.add_user(&u, "sunlight-test-1", now()).await.unwrap();
    }
}

/// 食品经营许可 as 富阳区 lists it, under `code`.
pub fn power(code: &str) -> Power {
    Power {
        code: PowerCode::parse(code).unwrap(),
        parent: None,
        basic_code: Some("00012345600Y".into()),
        name: "食品经营许可".into(),
        category: PowerCategory::Licensing,
        department: scjg(),
        region: region(FUYANG),
        exercise_level: RegionLevel::County,
        source: PowerSource::Statutory,
        usage: Usage::Common,
        legal_basis: vec![LegalBasis {
            instrument: "《中华人民共和国食品安全法》".into(),
            article: "第三十五条第一款".into(),
            text: "国家对食品生产经营实行许可制度。".into(),
        }],
        guide: ServiceGuide {
            statutory_limit: Some(TimeLimit::working_days(20)),
            committed_limit: Some(TimeLimit::working_days(8)),
            materials: vec![Material {
                name: "食品经营许可申请书".into(),
                required: true,
                form: MaterialForm::Original,
                copies: 1,
                source: "申请人自备".into(),
            }],
            ..Default::default()
        },
        responsibility: Responsibility::default(),
        flow: None,
        status: PowerStatus::Active,
    }
}
