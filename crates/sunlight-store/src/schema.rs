//! What a migrated database holds, read from its own catalog (SQLite's `sqlite_master` and
//! table pragmas; PostgreSQL's `information_schema` and `pg_index`): tables, their columns and
//! keys, the indexes created by name, the migrations applied. The two migration folders must
//! build the same thing; the store suite compares a fresh database of each.

use crate::{Backend, Result, Store};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// A database's schema, as both backends can tell it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    /// Indexes made by `CREATE INDEX`, by name; those the database makes for a primary key or
    /// a `UNIQUE` constraint are part of their [`Table`] (their names differ by backend).
    pub indexes: BTreeMap<String, Index>,
    /// The migrations applied, in order: version and description.
    pub migrations: Vec<(i64, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    /// In key order; empty when there is none.
    pub primary_key: Vec<String>,
    /// The columns of each `UNIQUE` constraint.
    pub unique: BTreeSet<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The type as the backend names it: SQLite keeps the declared text (`BIGINT`), PostgreSQL
    /// answers its own name (`bigint`).
    pub declared: String,
    /// Declared `NOT NULL` (a SQLite key column that is not declared so reads false).
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub table: String,
    pub columns: Vec<String>,
    pub unique: bool,
    /// Has a `WHERE` clause (its text is written differently by each backend).
    pub partial: bool,
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

impl Store {
    /// The schema of this database (sqlx's own bookkeeping table left out).
    pub async fn schema(&self) -> Result<Schema> {
        let mut s = Schema::default();
        let (tables, columns, indexes) = match self.backend {
            Backend::Sqlite => (
                "SELECT name FROM sqlite_master WHERE type = 'table'
                   AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
                // pk: the column's place in the primary key, 0 when not in it.
                "SELECT m.name AS tbl, p.name AS name, p.type AS declared,
                        p.\"notnull\" AS not_null, p.pk AS pk
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name <> '_sqlx_migrations'",
                // origin: 'c' made by CREATE INDEX, 'u' by a UNIQUE constraint, 'pk' by the key.
                "SELECT m.name AS tbl, l.name AS name, l.\"unique\" AS is_unique,
                        CASE l.origin WHEN 'c' THEN 0 ELSE 1 END AS is_constraint,
                        CASE l.origin WHEN 'pk' THEN 1 ELSE 0 END AS is_primary,
                        l.partial AS is_partial,
                        (SELECT group_concat(name, ',') FROM
                            (SELECT i.name AS name FROM pragma_index_info(l.name) i ORDER BY i.seqno))
                            AS columns
                 FROM sqlite_master m JOIN pragma_index_list(m.name) l
                 WHERE m.type = 'table' AND m.name <> '_sqlx_migrations'",
            ),
            Backend::Postgres => (
                "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                   AND table_name <> '_sqlx_migrations'",
                "SELECT CAST(table_name AS TEXT) AS tbl, CAST(column_name AS TEXT) AS name,
                        CAST(data_type AS TEXT) AS declared,
                        CAST(CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END AS BIGINT) AS not_null,
                        CAST(0 AS BIGINT) AS pk
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
                "SELECT CAST(t.relname AS TEXT) AS tbl, CAST(i.relname AS TEXT) AS name,
                        CAST(CASE WHEN x.indisunique THEN 1 ELSE 0 END AS BIGINT) AS is_unique,
                        CAST(CASE WHEN EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                             THEN 1 ELSE 0 END AS BIGINT) AS is_constraint,
                        CAST(CASE WHEN x.indisprimary THEN 1 ELSE 0 END AS BIGINT) AS is_primary,
                        CAST(CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END AS BIGINT) AS is_partial,
                        array_to_string(ARRAY(
                            SELECT CAST(a.attname AS TEXT)
                            FROM unnest(CAST(x.indkey AS int2[])) WITH ORDINALITY AS k(attnum, n)
                            JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                            ORDER BY k.n), ',') AS columns
                 FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_class t ON t.oid = x.indrelid
                 JOIN pg_namespace ns ON ns.oid = t.relnamespace
                 WHERE ns.nspname = current_schema() AND t.relname <> '_sqlx_migrations'",
            ),
        };
        for r in sqlx::query(tables).fetch_all(&self.pool).await? {
            s.tables.insert(r.try_get("name")?, Table::default());
        }
        let mut keys: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
        for r in sqlx::query(columns).fetch_all(&self.pool).await? {
            let (table, name): (String, String) = (r.try_get("tbl")?, r.try_get("name")?);
            let pk: i64 = r.try_get("pk")?;
            if pk > 0 {
                keys.entry(table.clone())
                    .or_default()
                    .push((pk, name.clone()));
            }
            let column = Column {
                declared: r.try_get("declared")?,
                not_null: r.try_get::<i64, _>("not_null")? != 0,
            };
            if let Some(t) = s.tables.get_mut(&table) {
                t.columns.insert(name, column);
            }
        }
        // SQLite's primary key from the columns' places in it (a rowid key has no index).
        for (table, mut cols) in keys {
            cols.sort();
            if let Some(t) = s.tables.get_mut(&table) {
                t.primary_key = cols.into_iter().map(|(_, c)| c).collect();
            }
        }
        for r in sqlx::query(indexes).fetch_all(&self.pool).await? {
            let table: String = r.try_get("tbl")?;
            let columns = split(
                &r.try_get::<Option<String>, _>("columns")?
                    .unwrap_or_default(),
            );
            let flag = |c: &str| -> Result<bool> { Ok(r.try_get::<i64, _>(c)? != 0) };
            let Some(t) = s.tables.get_mut(&table) else {
                continue;
            };
            if flag("is_primary")? {
                t.primary_key = columns;
            } else if flag("is_constraint")? {
                t.unique.insert(columns);
            } else {
                s.indexes.insert(
                    r.try_get("name")?,
                    Index {
                        table,
                        columns,
                        unique: flag("is_unique")?,
                        partial: flag("is_partial")?,
                    },
                );
            }
        }
        for r in sqlx::query("SELECT version, description FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&self.pool)
            .await?
        {
            s.migrations
                .push((r.try_get("version")?, r.try_get("description")?));
        }
        Ok(s)
    }
}
