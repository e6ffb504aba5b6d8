//! The sample city's discretion benchmarks (`data/demo/benchmarks.json`) and cases: 食品经营许可
//! applications in every state (awaiting acceptance, awaiting a supplement, under review, decided
//! and delivered and rated) and a 食品安全 penalty case fined within its band — all made through
//! the case engine, so their events are in the ledger like any other.

use anyhow::Context;
use std::sync::Arc;
use sunlight_core::case::{
    Actor, Applicant, CaseCommand, Channel, DecisionInput, DeliveryMethod, PenaltyInput, Rating,
    ReceiptNumber, Submission, SupplementItem, Verdict,
};
use sunlight_core::clock::{Clock, ManualClock, Zone};
use sunlight_core::discretion::{Benchmark, Tier};
use sunlight_core::{Timestamp, User};
use sunlight_engine::{EngineConfig, QueryCodeKey};
use sunlight_store::Store;

const BENCHMARKS: &str = include_str!("../../../data/demo/benchmarks.json");

#[derive(serde::Deserialize)]
struct Adopted {
    reason: String,
    benchmark: Benchmark,
}

const LICENCE: &str = "330183-XK-00001";
const PENALTY: &str = "330183-CF-00001";
const MATERIALS: [&str; 4] = [
    "食品经营许可申请书",
    "营业执照",
    "与食品经营相适应的主要设备设施布局、操作流程等文件",
    "食品安全自查、从业人员健康管理、进货查验记录等保证食品安全的规章制度",
];

/// A resident ID number with its GB 11643 check character.
fn id_number(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!(
        "{body17}{}",
        char::from(b"10X98765432"[(sum % 11) as usize])
    )
}

fn person(name: &str, body17: &str, phone: &str) -> Applicant {
    Applicant::Person {
        name: name.into(),
        id_number: id_number(body17),
        phone: phone.into(),
        email: String::new(),
    }
}

fn application(applicant: Applicant, shop: &str, materials: &[&str]) -> Submission {
    Submission {
        power: LICENCE.into(),
        region: None,
        applicant,
        form: serde_json::json!({"shop": shop, "business": "餐饮服务（热食类食品制售）", "area_m2": 86}),
        materials: materials.iter().map(|m| m.to_string()).collect(),
        files: vec![],
    }
}

struct Demo<'a> {
    /// Acts go through the application, so a decision is sealed as a served one would be.
    app: sunlight_app::App,
    clock: Arc<ManualClock>,
    store: &'a Store,
    opened: std::cell::Cell<usize>,
}

impl Demo<'_> {
    async fn staff(&self, name: &str) -> anyhow::Result<Actor> {
        Ok(Actor::Staff(
            self.store
                .user(name)
                .await?
                .with_context(|| format!("demo user {name}"))?,
        ))
    }

    async fn user(&self, name: &str) -> anyhow::Result<User> {
        self.store
            .user(name)
            .await?
            .with_context(|| format!("demo user {name}"))
    }

    async fn task(&self, r: &ReceiptNumber, node: &str) -> anyhow::Result<u32> {
        self.app
            .engine
            .open_tasks(r)
            .await?
            .into_iter()
            .find(|t| t.node == node)
            .map(|t| t.task)
            .with_context(|| format!("{r}: no open task {node}"))
    }

    async fn act(&self, r: &ReceiptNumber, cmd: CaseCommand, who: &str) -> anyhow::Result<()> {
        let actor = if who == "applicant" {
            Actor::Applicant
        } else {
            self.staff(who).await?
        };
        self.app.act(r.clone(), cmd, actor, None).await?;
        Ok(())
    }

    fn later(&self, hours: i64) {
        self.clock.advance(jiff::SignedDuration::from_hours(hours));
    }

    async fn apply(
        &self,
        s: Submission,
        channel: Channel,
        by: &str,
    ) -> anyhow::Result<ReceiptNumber> {
        let actor = if by == "applicant" {
            Actor::Applicant
        } else {
            self.staff(by).await?
        };
        let receipt = self
            .app
            .engine
            .submit(s, channel, actor, None)
            .await?
            .receipt;
        self.opened.set(self.opened.get() + 1);
        Ok(receipt)
    }

    async fn complete(
        &self,
        r: &ReceiptNumber,
        node: &str,
        outcome: &str,
        opinion: &str,
        who: &str,
        co: &[&str],
    ) -> anyhow::Result<()> {
        let task = self.task(r, node).await?;
        let mut co_actors = Vec::new();
        for c in co {
            co_actors.push(self.user(c).await?);
        }
        self.act(
            r,
            CaseCommand::Complete {
                task,
                outcome: outcome.into(),
                opinion: opinion.into(),
                co_actors,
            },
            who,
        )
        .await
    }
}

/// Loads the benchmarks and the sample cases; returns how many of each.
/// Query codes are hashed under `query_code_key`: the key of the server that will serve them.
pub async fn load(
    store: &Store,
    now: Timestamp,
    zone: Zone,
    query_code_key: QueryCodeKey,
    sealer: Arc<sunlight_app::documents::Sealer>,
) -> anyhow::Result<(usize, usize)> {
    let adopted: Vec<Adopted> =
        serde_json::from_str(BENCHMARKS).context("data/demo/benchmarks.json")?;
    for a in &adopted {
        store
            .put_benchmark(&a.benchmark, &a.reason, "bianban.li", now)
            .await?;
    }
    // Time moves on in hours from eighty days ago, the way a department's weeks go.
    let clock = Arc::new(ManualClock::new(
        now - jiff::SignedDuration::from_hours(24 * 80),
    ));
    let mut app = sunlight_app::App::start(
        store.clone(),
        clock.clone(),
        zone,
        EngineConfig {
            query_code_key,
            ..EngineConfig::default()
        },
    );
    app.sealer = sealer;
    let d = Demo {
        app,
        clock,
        store,
        opened: std::cell::Cell::new(0),
    };

    // 1. A penalty filed in early autumn (its 90 natural days end inside the loaded calendar):
    //    立案 → 调查取证 (two officers) → 法制审核 → 告知 → 决定, the fine within its band.
    let penalty = d
        .apply(
            Submission {
                power: PENALTY.into(),
                region: None,
                applicant: person("陈国平", "33018319880723131", "13588120476"),
                form: serde_json::json!({"place": "东洲街道某农贸市场摊位", "goods_value_fen": 380000, "clue": "群众举报"}),
                materials: vec![],
                files: vec![],
            },
            Channel::Ex,
            "chengban.zhou",
        )
        .await?;
    d.complete(
        &penalty,
        "file",
        "立案",
        "经核查，举报线索属实，予以立案",
        "chengban.zhou",
        &[],
    )
    .await?;
    d.later(48);
    d.complete(
        &penalty,
        "investigate",
        "调查终结",
        "当事人未取得食品经营许可销售自制熟食，货值金额3800元",
        "chengban.zhou",
        &["zhifa.liu"],
    )
    .await?;
    d.later(20);
    d.complete(
        &penalty,
        "review",
        "同意",
        "事实清楚，证据确凿，适用依据正确，程序合法",
        "shouxi.zhao",
        &[],
    )
    .await?;
    d.later(4);
    d.complete(
        &penalty,
        "inform",
        "放弃听证",
        "已告知陈述、申辩和听证权利，当事人放弃",
        "chengban.zhou",
        &[],
    )
    .await?;
    d.later(24);
    let fine = DecisionInput {
        verdict: Verdict::Approve,
        document_no: "富市监罚〔2026〕217号".into(),
        reasons: "未取得食品经营许可从事食品经营活动".into(),
        legal_basis: "《中华人民共和国食品安全法》第一百二十二条第一款".into(),
        penalty: Some(PenaltyInput {
            violation: "unlicensed-under-10k".into(),
            tier: Tier::Ordinary,
            amount_fen: 6_500_000,
            collective_reason: None,
        }),
        documents: vec![],
    };
    d.act(
        &penalty,
        CaseCommand::Decide {
            task: d.task(&penalty, "decide").await?,
            decision: fine,
            opinion: "没收违法所得，罚款六万五千元".into(),
        },
        "shouxi.zhao",
    )
    .await?;

    // 2. A licence decided, delivered and rated, from nine days ago.
    d.clock.set(now - jiff::SignedDuration::from_hours(24 * 9));
    let done = d
        .apply(
            application(
                person("王建华", "33018319800312451", "13905712468"),
                "富春街道建华小吃店",
                &MATERIALS,
            ),
            Channel::Online,
            "applicant",
        )
        .await?;
    d.later(2);
    d.act(
        &done,
        CaseCommand::Accept {
            task: d.task(&done, "accept").await?,
        },
        "chuangkou.chen",
    )
    .await?;
    d.later(20);
    d.complete(
        &done,
        "review",
        "同意",
        "材料齐全，经营场所布局符合要求，建议准予许可",
        "chengban.zhou",
        &[],
    )
    .await?;
    d.later(22);
    let decision = DecisionInput {
        verdict: Verdict::Approve,
        document_no: "JY23301830046127".into(),
        reasons: String::new(),
        legal_basis: "《中华人民共和国食品安全法》第三十五条".into(),
        penalty: None,
        documents: vec![],
    };
    d.act(
        &done,
        CaseCommand::Decide {
            task: d.task(&done, "decide").await?,
            decision,
            opinion: "准予许可".into(),
        },
        "shouxi.zhao",
    )
    .await?;
    d.later(3);
    let today = zone.date(d.clock.now());
    d.act(
        &done,
        CaseCommand::Deliver {
            task: d.task(&done, "deliver").await?,
            method: DeliveryMethod::Electronic,
            date: today,
        },
        "chuangkou.chen",
    )
    .await?;
    d.act(
        &done,
        CaseCommand::Rate(Rating {
            level: 5,
            comment: "网上申请，两天拿证，很方便".into(),
            ..Default::default()
        }),
        "applicant",
    )
    .await?;

    // 3. Incomplete: one notice lists everything missing (一次告知).
    d.later(24);
    let partial = d
        .apply(
            application(
                person("李秀英", "33018319751105242", "13757129035"),
                "银湖街道秀英面馆",
                &MATERIALS[..2],
            ),
            Channel::Window,
            "chuangkou.chen",
        )
        .await?;
    d.later(1);
    d.act(
        &partial,
        CaseCommand::RequestSupplement {
            task: d.task(&partial, "accept").await?,
            items: vec![SupplementItem {
                material: "经营场所平面布局图".into(),
                reason: "未标注食品处理区、就餐区面积及设备布局".into(),
            }],
            days: None,
            note: "请补齐后到窗口或网上提交".into(),
        },
        "chuangkou.chen",
    )
    .await?;

    // 4. Accepted and under review.
    d.later(26);
    let review = d
        .apply(
            application(
                Applicant::Organisation {
                    name: "杭州富阳春江餐饮管理有限公司".into(),
                    credit_code: "91330183MA2H0D2X7Q".into(),
                    representative: "张伟".into(),
                    phone: "0571-63352718".into(),
                    email: String::new(),
                },
                "春江路连锁门店",
                &MATERIALS,
            ),
            Channel::Online,
            "applicant",
        )
        .await?;
    d.later(3);
    d.act(
        &review,
        CaseCommand::Accept {
            task: d.task(&review, "accept").await?,
        },
        "chuangkou.chen",
    )
    .await?;

    // 5. Just arrived online: waiting at the window.
    d.later(5);
    d.apply(
        application(
            person("赵丽娟", "33018319920214362", "15068193527"),
            "新登镇丽娟烘焙坊",
            &MATERIALS,
        ),
        Channel::Online,
        "applicant",
    )
    .await?;

    // 6. Two complaints (投诉) about the supplement notice: one answered, one still open.
    let zone_now = d.clock.now();
    let sj = store
        .user("chengban.zhou")
        .await?
        .context("the demo's 市场监管 officer")?;
    let department = sj
        .department
        .clone()
        .context("chengban.zhou has a department")?;
    for (tracking, who, text, answer) in [
        (
            "TS330183-DEMO-000001",
            "李秀英",
            "第一次去窗口只告知缺营业执照，第二次去又说缺设备布局图，希望一次性告知所有材料。",
            Some(
                "经核查，窗口已于当日出具一次性告知书列明全部缺件；已对窗口人员进行提醒，今后口头答复须与告知书一致。",
            ),
        ),
        (
            "TS330183-DEMO-000002",
            "王建国",
            "网上申请三天没有任何消息，电话咨询一直占线，请尽快告知办理进度。",
            None,
        ),
    ] {
        let draft = sunlight_core::complaint::ComplaintDraft {
            against: sunlight_core::complaint::Against::Case,
            target: partial.to_string(),
            complainant: who.into(),
            phone: "13757129035".into(),
            text: text.into(),
        };
        let due = sunlight_core::complaint::answer_due(
            zone_now,
            sunlight_core::supervision::Settings::default().complaint_answer_days,
            zone,
        );
        d.app
            .engine
            .file_complaint(
                draft,
                tracking,
                &d.app.engine.query_code_hash("12345678"),
                department.as_str(),
                due,
                None,
            )
            .await?;
        if let Some(answer) = answer {
            d.app
                .engine
                .answer_complaint(
                    tracking,
                    answer,
                    sunlight_core::case::Actor::Staff(sj.clone()),
                    None,
                )
                .await?;
        }
    }
    Ok((d.opened.get(), adopted.len()))
}
