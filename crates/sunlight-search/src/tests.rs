use super::*;

fn doc(code: &str, name: &str, category: &str, dept: &str, text: &str) -> PowerDoc {
    PowerDoc {
        code: code.into(),
        name: name.into(),
        category: category.into(),
        department: format!("dept-{dept}"),
        department_name: dept.into(),
        region: "330183000000".into(),
        usage: "common".into(),
        status: "active".into(),
        moved_to: String::new(),
        text: text.into(),
    }
}

fn sample() -> PowerIndex {
    let idx = PowerIndex::new().unwrap();
    idx.replace_all([
        doc(
            "330183-XK-00001",
            "食品经营许可",
            "licensing",
            "杭州市富阳区市场监督管理局",
            "《中华人民共和国食品安全法》第三十五条 国家对食品生产经营实行许可制度",
        ),
        doc(
            "330183-XK-00011",
            "建筑工程施工许可证核发",
            "licensing",
            "杭州市富阳区住房和城乡建设局",
            "《中华人民共和国建筑法》第七条",
        ),
        doc(
            "330183-CF-00001",
            "对未取得食品生产经营许可从事食品生产经营活动的行政处罚",
            "penalty",
            "杭州市富阳区市场监督管理局",
            "《中华人民共和国食品安全法》第一百二十二条",
        ),
        doc(
            "330183-JF-00001",
            "最低生活保障对象认定",
            "payment",
            "杭州市富阳区民政局",
            "《社会救助暂行办法》第九条",
        ),
    ])
    .unwrap();
    idx
}

fn codes(h: &Hits) -> Vec<&str> {
    h.items.iter().map(|i| i.doc.code.as_str()).collect()
}

fn text(t: &str) -> SearchQuery {
    SearchQuery {
        text: t.into(),
        limit: 20,
        ..SearchQuery::default()
    }
}

#[test]
fn a_chinese_word_finds_powers_by_name_and_ranks_name_matches_first() {
    let idx = sample();
    let h = idx.search(&text("食品")).unwrap();
    assert_eq!(h.total, 2);
    assert_eq!(
        codes(&h)[0],
        "330183-XK-00001",
        "the shorter name with the word ranks first"
    );
    let h = idx.search(&text("施工许可")).unwrap();
    assert_eq!(codes(&h), ["330183-XK-00011"]);
}

#[test]
fn domain_words_stay_whole_and_long_words_are_found_by_their_parts() {
    assert_eq!(segment("最低生活保障"), ["最低生活保障"]);
    assert_eq!(segment("行政处罚 食品"), ["行政处罚", "食品"]);
    let idx = sample();
    assert_eq!(
        codes(&idx.search(&text("最低生活保障")).unwrap()),
        ["330183-JF-00001"]
    );
    // The segmenter invents nothing: 低保 is found through the synonym table only.
    assert!(!segment("低保").contains(&"最低生活保障".to_string()));
    assert_eq!(
        codes(&idx.search(&text("生活保障")).unwrap()),
        ["330183-JF-00001"],
        "a part of a long word finds it"
    );
}

#[test]
fn every_word_must_match_somewhere() {
    let idx = sample();
    let h = idx.search(&text("食品 行政处罚")).unwrap();
    assert_eq!(codes(&h), ["330183-CF-00001"]);
    let h = idx.search(&text("建筑法 第七条")).unwrap();
    assert_eq!(
        codes(&h),
        ["330183-XK-00011"],
        "legal basis text is searched"
    );
    let h = idx.search(&text("住房 城乡")).unwrap();
    assert_eq!(
        codes(&h),
        ["330183-XK-00011"],
        "department name is searched"
    );
}

#[test]
fn a_code_finds_its_power_and_filters_narrow() {
    let idx = sample();
    assert_eq!(
        codes(&idx.search(&text("330183-CF-00001")).unwrap())[0],
        "330183-CF-00001"
    );
    let h = idx
        .search(&SearchQuery {
            text: "食品".into(),
            category: Some("penalty".into()),
            limit: 20,
            ..SearchQuery::default()
        })
        .unwrap();
    assert_eq!(codes(&h), ["330183-CF-00001"]);
    let h = idx
        .search(&SearchQuery {
            category: Some("licensing".into()),
            limit: 20,
            ..SearchQuery::default()
        })
        .unwrap();
    assert_eq!(h.total, 2, "filters alone list");
}

#[test]
fn paging_counts_all_and_returns_the_slice() {
    let idx = sample();
    let q = SearchQuery {
        text: "中华人民共和国".into(),
        limit: 2,
        offset: 2,
        ..SearchQuery::default()
    };
    let h = idx.search(&q).unwrap();
    assert_eq!(h.total, 3);
    assert_eq!(h.items.len(), 1);
}

#[test]
fn upsert_replaces_and_removes_by_code() {
    let idx = sample();
    let mut changed = doc(
        "330183-XK-00001",
        "食品经营许可（含仅销售预包装食品备案）",
        "licensing",
        "杭州市富阳区市场监督管理局",
        "",
    );
    changed.status = "active".into();
    idx.upsert(&[changed], &["330183-JF-00001"]).unwrap();
    assert_eq!(idx.len(), 3);
    let h = idx.search(&text("预包装")).unwrap();
    assert_eq!(codes(&h), ["330183-XK-00001"]);
    assert_eq!(idx.search(&text("最低生活保障")).unwrap().total, 0);
}

#[test]
fn hostile_input_is_only_text() {
    let idx = sample();
    for q in [
        "' OR 1=1 --",
        "\"; DROP TABLE powers; --",
        "<script>alert(1)</script>",
        "name:食品 AND (",
        "*",
        "食品~2^10",
        "",
        "　　",
        "\u{0}",
    ] {
        let h = idx.search(&text(q)).unwrap();
        assert!(h.total <= 1, "{q:?} matched {}", h.total);
    }
    assert!(segment("<b>食品</b>").contains(&"食品".to_string()));
}

#[test]
fn what_people_say_finds_what_the_list_calls_it() {
    let idx = sample();
    // 低保 is how people say 最低生活保障.
    assert_eq!(
        codes(&idx.search(&text("低保")).unwrap()),
        ["330183-JF-00001"]
    );
    assert_eq!(
        codes(&idx.search(&text("低保认定")).unwrap()),
        ["330183-JF-00001"]
    );
    // 开饭店: the licences a restaurant needs.
    let h = idx.search(&text("开饭店")).unwrap();
    assert!(codes(&h).contains(&"330183-XK-00001"), "{:?}", codes(&h));
    // Nothing said that the list does not have.
    assert!(idx.search(&text("开飞机")).unwrap().items.is_empty());
}

#[test]
fn powers_in_force_come_before_those_that_moved() {
    let idx = PowerIndex::new().unwrap();
    let mut old = doc(
        "330183-XK-00002",
        "食品经营许可（旧）",
        "licensing",
        "杭州市富阳区市场监督管理局",
        "食品经营许可 食品经营许可 食品经营许可",
    );
    old.status = "cancelled".into();
    idx.replace_all([
        old,
        doc(
            "330183-XK-00001",
            "食品经营许可",
            "licensing",
            "杭州市富阳区市场监督管理局",
            "",
        ),
    ])
    .unwrap();
    assert_eq!(
        codes(&idx.search(&text("食品经营许可")).unwrap()),
        ["330183-XK-00001", "330183-XK-00002"]
    );
}

#[test]
fn pinyin_and_its_initials_find_the_name() {
    let idx = sample();
    for q in [
        "shigongxuke",
        "sgxk",
        "shi gong xu ke",
        "SGXK",
        "ShiGong",
        "shi'gong'xu'ke",
        "jianzhugongcheng",
        "jzgcsgxkzhf",
        "xukezheng",
    ] {
        let h = idx.search(&text(q)).unwrap();
        assert_eq!(
            codes(&h).first(),
            Some(&"330183-XK-00011"),
            "{q:?} found {:?}",
            codes(&h)
        );
    }
    let h = idx.search(&text("spjyxk")).unwrap();
    assert_eq!(codes(&h)[0], "330183-XK-00001", "{:?}", codes(&h));
    // 食品 is in two names: the one that begins with it first.
    let h = idx.search(&text("shipin")).unwrap();
    assert_eq!(codes(&h), ["330183-XK-00001", "330183-CF-00001"]);
    // Words apart in the name, typed apart.
    let h = idx.search(&text("shipin xingzhengchufa")).unwrap();
    assert_eq!(codes(&h), ["330183-CF-00001"]);
}

#[test]
fn pinyin_of_what_people_say_finds_what_the_list_calls_it() {
    let idx = sample();
    for q in ["dibao", "db", "di bao", "DiBao"] {
        let h = idx.search(&text(q)).unwrap();
        assert_eq!(codes(&h).first(), Some(&"330183-JF-00001"), "{q:?}");
    }
    // And the list's own name spelled out.
    assert_eq!(
        codes(&idx.search(&text("zuidishenghuobaozhang")).unwrap()),
        ["330183-JF-00001"]
    );
}

#[test]
fn pinyin_that_spells_nothing_finds_nothing_and_long_input_is_cut() {
    let idx = sample();
    for q in ["zzzzqqq", "qqq zzz", "x", "'''", "a b c d e f g"] {
        let h = idx.search(&text(q)).unwrap();
        assert_eq!(h.total, 0, "{q:?} found {:?}", codes(&h));
    }
    let long = "shigongxuke".repeat(20);
    assert!(long.len() >= 200);
    assert!(idx.search(&text(&long[..200])).unwrap().total <= 1);
    let spaced = "a ".repeat(100);
    assert_eq!(idx.search(&text(&spaced)).unwrap().total, 0);
    let h = idx.search(&text(&"z".repeat(200))).unwrap();
    assert_eq!(h.total, 0);
}

#[test]
fn characters_with_several_readings_are_found_by_each() {
    let idx = PowerIndex::new().unwrap();
    idx.replace_all([
        doc(
            "330183-JF-00002",
            "最低生活保障金给付",
            "payment",
            "杭州市富阳区民政局",
            "",
        ),
        doc(
            "330183-XK-00020",
            "道路运输经营许可",
            "licensing",
            "杭州市富阳区交通运输局",
            "",
        ),
    ])
    .unwrap();
    // 给 is gei most often, ji in 给付: both find it.
    for q in ["jifu", "geifu", "zdshbzjjf", "zdshbzjgf"] {
        assert_eq!(
            codes(&idx.search(&text(q)).unwrap()),
            ["330183-JF-00002"],
            "{q:?}"
        );
    }
    assert_eq!(
        codes(&idx.search(&text("dlys")).unwrap()),
        ["330183-XK-00020"]
    );
}

#[test]
fn a_power_not_in_force_spelled_the_same_comes_after() {
    let idx = PowerIndex::new().unwrap();
    let mut old = doc(
        "330183-XK-00002",
        "食品经营许可",
        "licensing",
        "杭州市富阳区市场监督管理局",
        "",
    );
    old.status = "cancelled".into();
    idx.replace_all([
        old,
        doc(
            "330183-XK-00003",
            "小型食品经营许可备案",
            "licensing",
            "杭州市富阳区市场监督管理局",
            "",
        ),
    ])
    .unwrap();
    // The cancelled one is the whole name typed; the one in force still ranks first.
    for q in ["shipinjingyingxuke", "spjyxk", "shipin jingying"] {
        assert_eq!(
            codes(&idx.search(&text(q)).unwrap()),
            ["330183-XK-00003", "330183-XK-00002"],
            "{q:?}"
        );
    }
}

#[test]
fn the_start_of_a_code_finds_the_powers_with_such_codes() {
    let idx = sample();
    let h = idx.search(&text("330183-XK-000")).unwrap();
    let mut found = codes(&h);
    found.sort_unstable();
    assert_eq!(found, ["330183-XK-00001", "330183-XK-00011"]);
    assert_eq!(
        codes(&idx.search(&text("330183-xk-0001")).unwrap()),
        ["330183-XK-00011"],
        "in any case"
    );
    assert_eq!(
        codes(&idx.search(&text("330183-CF")).unwrap()),
        ["330183-CF-00001"]
    );
    assert_eq!(idx.search(&text("330184-XK")).unwrap().total, 0);
}

#[test]
fn chinese_queries_do_not_use_the_pinyin_keys() {
    let idx = sample();
    // 失功 reads shigong like 施工, but a Chinese query matches words, not readings.
    assert!(idx.search(&text("失功")).unwrap().items.is_empty());
    assert_eq!(idx.search(&text("食品")).unwrap().total, 2);
}
