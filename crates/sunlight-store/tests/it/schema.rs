//! The two migration folders build the same database: a fresh SQLite and a fresh PostgreSQL,
//! migrated, must have the same migrations, tables, columns (names, types as mapped below,
//! NOT NULL), primary keys, UNIQUE constraints and indexes. A migration added to one folder only
//! fails here. Under `CI=true` a missing PostgreSQL fails the test (as for the whole suite).
//!
//! Not compared, because the backends write them differently by design: column defaults, the
//! text of a partial index's `WHERE` (only whether it has one), collations (PostgreSQL's
//! `COLLATE "C"` on codes is how it sorts as SQLite does), and the names of the indexes the
//! database makes itself for keys and UNIQUE constraints (`sqlite_autoindex_alerts_1` against
//! `alerts_key_key`): those are compared by their columns instead.

use sunlight_store::schema::{Column, Index, Schema};
use sunlight_testkit::TestDb;

/// Column types that mean the same. SQLite keeps the declared word; PostgreSQL answers its
/// `information_schema` name.
const SAME_TYPE: &[(&str, &str)] = &[
    // Text, dates (`YYYY-MM-DD`), JSON documents, codes.
    ("TEXT", "text"),
    // Instants (milliseconds), counts, 0/1 flags.
    ("BIGINT", "bigint"),
    // SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT` is PostgreSQL's `BIGSERIAL`.
    ("INTEGER", "bigint"),
    // Hashes and signatures.
    ("BLOB", "bytea"),
];

fn same_type(sqlite: &str, postgres: &str) -> bool {
    SAME_TYPE
        .iter()
        .any(|(s, p)| s.eq_ignore_ascii_case(sqlite) && *p == postgres)
}

/// Every way `postgres` differs from `sqlite`, one line each.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    if sqlite.migrations != postgres.migrations {
        out.push(format!(
            "migrations: SQLite {:?}, PostgreSQL {:?}",
            sqlite.migrations, postgres.migrations
        ));
    }
    for name in sqlite
        .tables
        .keys()
        .filter(|t| !postgres.tables.contains_key(*t))
    {
        out.push(format!("table {name}: only on SQLite"));
    }
    for name in postgres
        .tables
        .keys()
        .filter(|t| !sqlite.tables.contains_key(*t))
    {
        out.push(format!("table {name}: only on PostgreSQL"));
    }
    for (name, s) in &sqlite.tables {
        let Some(p) = postgres.tables.get(name) else {
            continue;
        };
        for (col, sc) in &s.columns {
            let Some(pc) = p.columns.get(col) else {
                out.push(format!("column {name}.{col}: only on SQLite"));
                continue;
            };
            if !same_type(&sc.declared, &pc.declared) {
                out.push(format!(
                    "column {name}.{col}: {} on SQLite, {} on PostgreSQL (see SAME_TYPE)",
                    sc.declared, pc.declared
                ));
            }
            // A key column is NOT NULL on PostgreSQL whether declared so or not; SQLite lets a
            // key that is not an INTEGER hold NULL unless told. What was meant is the same.
            let not_null = |c: &Column| c.not_null || s.primary_key.contains(col);
            if not_null(sc) != not_null(pc) {
                out.push(format!(
                    "column {name}.{col}: NOT NULL {} on SQLite, {} on PostgreSQL",
                    not_null(sc),
                    not_null(pc)
                ));
            }
        }
        for col in p.columns.keys().filter(|c| !s.columns.contains_key(*c)) {
            out.push(format!("column {name}.{col}: only on PostgreSQL"));
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "table {name}: primary key {:?} on SQLite, {:?} on PostgreSQL",
                s.primary_key, p.primary_key
            ));
        }
        if s.unique != p.unique {
            out.push(format!(
                "table {name}: UNIQUE {:?} on SQLite, {:?} on PostgreSQL",
                s.unique, p.unique
            ));
        }
    }
    let show = |i: &Index| {
        format!(
            "{}{} ({}){}",
            if i.unique { "UNIQUE " } else { "" },
            i.table,
            i.columns.join(", "),
            if i.partial { " WHERE …" } else { "" }
        )
    };
    for (name, s) in &sqlite.indexes {
        match postgres.indexes.get(name) {
            None => out.push(format!("index {name}: only on SQLite")),
            Some(p) if p != s => out.push(format!(
                "index {name}: {} on SQLite, {} on PostgreSQL",
                show(s),
                show(p)
            )),
            Some(_) => {}
        }
    }
    for name in postgres
        .indexes
        .keys()
        .filter(|i| !sqlite.indexes.contains_key(*i))
    {
        out.push(format!("index {name}: only on PostgreSQL"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let sqlite = TestDb::sqlite().await;
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let (s, p) = (
        sqlite.store.schema().await.unwrap(),
        pg.store.schema().await.unwrap(),
    );
    pg.drop().await;
    let found = differences(&s, &p);
    assert!(
        found.is_empty(),
        "the SQLite and PostgreSQL migrations build different databases:\n{}",
        found.join("\n")
    );
    // The catalog was read, keys and partial indexes included.
    assert_eq!(s.migrations.len(), p.migrations.len());
    assert!(s.tables.len() > 20, "{:?}", s.tables.keys());
    assert_eq!(s.tables["case_tasks"].primary_key, ["receipt", "task"]);
    assert_eq!(s.tables["alerts"].primary_key, ["id"]);
    assert!(s.tables["alerts"].unique.contains(&vec!["key".to_string()]));
    assert!(s.indexes["cases_running"].partial);
    assert_eq!(
        s.indexes["cases_figures"].columns,
        ["department", "submitted_at"]
    );

    // Each kind of drift is named.
    let mut drift = p.clone();
    let cases = drift.tables.get_mut("cases").unwrap();
    cases.columns.remove("rating");
    cases.columns.get_mut("decided_on").unwrap().declared = "date".into();
    cases.columns.get_mut("region").unwrap().not_null = false;
    drift.tables.get_mut("alerts").unwrap().unique.clear();
    drift.indexes.remove("cases_running");
    drift
        .indexes
        .get_mut("cases_figures")
        .unwrap()
        .columns
        .pop();
    drift.tables.remove("feed_events");
    drift.migrations.pop();
    let found = differences(&s, &drift);
    for want in [
        "migrations:",
        "column cases.rating: only on SQLite",
        "column cases.decided_on: TEXT on SQLite, date on PostgreSQL",
        "column cases.region: NOT NULL true on SQLite, false on PostgreSQL",
        "table alerts: UNIQUE",
        "index cases_running: only on SQLite",
        "index cases_figures: cases (department, submitted_at) on SQLite, cases (department) on PostgreSQL",
        "table feed_events: only on SQLite",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(want)),
            "{want:?} not in {found:#?}"
        );
    }
    assert_eq!(found.len(), 8, "{found:#?}");
}
