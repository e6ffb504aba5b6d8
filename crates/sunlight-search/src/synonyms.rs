//! What people type for what the list calls it: 低保 for 最低生活保障, 开饭店 for the licences a
//! restaurant needs. A query containing a colloquial phrase also searches with the phrase
//! replaced by each of its list terms (any of them may match); the original words still count.
//! The table is data, kept here beside the tokenizer's domain words; extend it from what the
//! search log shows people type.

/// (what people type, what the list calls it — each alternative searched on its own).
pub const SYNONYMS: &[(&str, &[&str])] = &[
    ("低保", &["最低生活保障"]),
    ("特困", &["特困人员救助供养"]),
    (
        "开饭店",
        &["食品经营许可", "营业执照", "公众聚集场所投入使用"],
    ),
    (
        "开餐馆",
        &["食品经营许可", "营业执照", "公众聚集场所投入使用"],
    ),
    ("开店", &["营业执照", "食品经营许可"]),
    ("办执照", &["营业执照"]),
    ("施工证", &["施工许可"]),
    ("开工证", &["施工许可"]),
    ("排污证", &["排污许可"]),
    ("准生证", &["生育登记"]),
    ("驾照", &["机动车驾驶证"]),
    ("医保", &["基本医疗保险"]),
    ("社保", &["社会保险"]),
    ("公积金", &["住房公积金"]),
    ("宅基地", &["农村村民宅基地"]),
    ("砍树", &["林木采伐许可"]),
    ("挖路", &["挖掘城市道路"]),
    ("占道", &["占用城市道路"]),
    ("门头招牌", &["户外广告设施"]),
    ("消防验收", &["消防验收", "公众聚集场所投入使用"]),
];

/// The query texts to search besides `text`: `text` with each phrase it contains replaced by
/// each of its terms (at most a handful).
pub fn expand(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (said, meant) in SYNONYMS {
        if text.contains(said) {
            for m in *meant {
                let v = text.replace(said, m);
                if !out.contains(&v) && v != text {
                    out.push(v);
                }
            }
        }
        if out.len() >= 8 {
            break;
        }
    }
    out
}
