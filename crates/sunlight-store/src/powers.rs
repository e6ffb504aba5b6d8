//! Reading the list: the powers in force, the list as of any date, versions and their history.

use crate::sql;
use crate::{Page, Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use sunlight_core::lifecycle::ChangeKind;
use sunlight_core::{Date, Power, PowerCategory, PowerStatus, Timestamp, Usage};

/// Filters of the power list. All are optional; `limit` is capped at [`PowerFilter::MAX_LIMIT`].
#[derive(Debug, Clone, Default)]
pub struct PowerFilter {
    pub region: Option<String>,
    pub department: Option<String>,
    pub category: Option<PowerCategory>,
    pub status: Option<String>,
    pub usage: Option<Usage>,
    pub parent: Option<String>,
    pub basic_code: Option<String>,
    /// Substring of the name or code.
    pub q: Option<String>,
    /// Read the list as it stood on this date instead of today.
    pub as_of: Option<Date>,
    pub cursor: Option<String>,
    pub limit: u32,
}

impl PowerFilter {
    pub const MAX_LIMIT: u32 = 500;
    pub const DEFAULT_LIMIT: u32 = 50;
}

/// One row of the power list.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PowerSummary {
    pub code: String,
    pub name: String,
    pub category: PowerCategory,
    pub department: String,
    pub department_name: Option<String>,
    pub region: String,
    pub status: PowerStatus,
    pub usage: Usage,
    pub parent: Option<String>,
    pub basic_code: Option<String>,
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub effective_from: Date,
}

/// Who changed a power, when, why and how.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionMeta {
    pub code: String,
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub effective_from: Date,
    pub change: ChangeKind,
    pub proposal_id: i64,
    pub reason: String,
    pub proposed_by: String,
    pub reviewed_by: Option<String>,
    pub published_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub published_at: Timestamp,
}

/// A version of a power with its document.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PowerVersion {
    #[serde(flatten)]
    pub meta: VersionMeta,
    pub power: Power,
}

const SUMMARY_COLS: &str = "p.code, p.name, p.category, p.department, d.name AS department_name, p.region, \
     p.status_detail, p.usage, p.parent, p.basic_code, p.version, p.effective_from";
const META_COLS: &str = "code, version, effective_from, change_kind, proposal_id, reason, proposed_by, \
     reviewed_by, published_by, published_at";

fn summary_from(row: &sqlx::any::AnyRow) -> Result<PowerSummary> {
    let category: String = row.try_get("category")?;
    let usage: String = row.try_get("usage")?;
    let eff: String = row.try_get("effective_from")?;
    Ok(PowerSummary {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        category: PowerCategory::parse(&category)
            .ok_or_else(|| StoreError::Corrupt(format!("category {category}")))?,
        department: row.try_get("department")?,
        department_name: row.try_get("department_name")?,
        region: row.try_get("region")?,
        status: sql::json("status", &row.try_get::<String, _>("status_detail")?)?,
        usage: Usage::parse(&usage).ok_or_else(|| StoreError::Corrupt(format!("usage {usage}")))?,
        parent: row.try_get("parent")?,
        basic_code: row.try_get("basic_code")?,
        version: row.try_get("version")?,
        effective_from: sql::date(&eff)?,
    })
}

fn meta_from(row: &sqlx::any::AnyRow) -> Result<VersionMeta> {
    let kind: String = row.try_get("change_kind")?;
    Ok(VersionMeta {
        code: row.try_get("code")?,
        version: row.try_get("version")?,
        effective_from: sql::date(&row.try_get::<String, _>("effective_from")?)?,
        change: ChangeKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("change kind {kind}")))?,
        proposal_id: row.try_get("proposal_id")?,
        reason: row.try_get("reason")?,
        proposed_by: row.try_get("proposed_by")?,
        reviewed_by: row.try_get("reviewed_by")?,
        published_by: row.try_get("published_by")?,
        published_at: sql::instant(row.try_get("published_at")?)?,
    })
}

fn version_from(row: &sqlx::any::AnyRow) -> Result<PowerVersion> {
    Ok(PowerVersion {
        meta: meta_from(row)?,
        power: sql::json("power", &row.try_get::<String, _>("doc")?)?,
    })
}

/// The `FROM … WHERE` of the list in force (`as_of` = None) or as of a date, with `$1` = date.
/// Pages join the department for its name; counts do not need to.
fn list_source(as_of: bool, with_department: bool) -> String {
    let join = if with_department {
        " LEFT JOIN departments d ON d.credit_code = p.department"
    } else {
        ""
    };
    if as_of {
        format!(
            "power_versions p{join} WHERE p.effective_from <= $1 AND p.version = \
             (SELECT MAX(w.version) FROM power_versions w WHERE w.code = p.code AND w.effective_from <= $1)"
        )
    } else {
        format!("powers_current p{join} WHERE 1 = 1")
    }
}

/// Totals of list queries, valid while the list's generation is unchanged. Counting 100,000
/// rows for every page would cost more than the page; the list changes only on publication.
#[derive(Debug, Default)]
pub(crate) struct CountCache {
    generation: i64,
    totals: HashMap<String, i64>,
}

impl CountCache {
    const MAX_ENTRIES: usize = 4096;
}

impl Store {
    /// Drops the cached list totals (benchmarks measure the uncached cost with it).
    pub fn forget_cached_totals(&self) {
        self.counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .totals
            .clear();
    }

    /// `SELECT COUNT(*) …` answered from the cache when the list has not changed since.
    async fn count(&self, count_sql: String, args: &[String]) -> Result<i64> {
        let generation = self.list_generation().await?;
        let key = format!("{count_sql}\u{1}{}", args.join("\u{1}"));
        {
            let cache = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            if cache.generation == generation
                && let Some(&total) = cache.totals.get(&key)
            {
                return Ok(total);
            }
        }
        let mut count = sqlx::query_scalar::<_, i64>(sql::dynamic(count_sql));
        for a in args {
            count = count.bind(a.as_str());
        }
        let total = count.fetch_one(&self.pool).await?;
        let mut cache = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if cache.generation != generation || cache.totals.len() >= CountCache::MAX_ENTRIES {
            cache.generation = generation;
            cache.totals.clear();
        }
        cache.totals.insert(key, total);
        Ok(total)
    }

    /// A page of the power list, ordered by code, in force today or as of `filter.as_of`.
    pub async fn list_powers(&self, filter: &PowerFilter) -> Result<Page<PowerSummary>> {
        let mut args: Vec<String> = Vec::new();
        if let Some(d) = filter.as_of {
            args.push(d.to_string());
        }
        let mut conds = String::new();
        let mut eq = |col: &str, v: &Option<String>, args: &mut Vec<String>| {
            if let Some(v) = v {
                args.push(v.clone());
                conds.push_str(&format!(" AND p.{col} = ${}", args.len()));
            }
        };
        eq("region", &filter.region, &mut args);
        eq("department", &filter.department, &mut args);
        eq(
            "category",
            &filter.category.map(|c| c.as_str().to_string()),
            &mut args,
        );
        eq("status", &filter.status, &mut args);
        eq(
            "usage",
            &filter.usage.map(|u| u.as_str().to_string()),
            &mut args,
        );
        eq("parent", &filter.parent, &mut args);
        eq("basic_code", &filter.basic_code, &mut args);
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            args.push(sql::like_contains(q));
            let n = args.len();
            conds.push_str(&format!(
                " AND (p.name LIKE ${n} ESCAPE '\\' OR p.code LIKE ${n} ESCAPE '\\')"
            ));
        }
        let count_sql = format!(
            "SELECT COUNT(*) FROM {}{conds}",
            list_source(filter.as_of.is_some(), false)
        );
        let total = self.count(count_sql, &args).await?;

        let limit = match filter.limit {
            0 => PowerFilter::DEFAULT_LIMIT,
            n => n.min(PowerFilter::MAX_LIMIT),
        };
        if let Some(c) = &filter.cursor {
            let code = hex::decode(c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    StoreError::invalid(
                        "cursor",
                        sunlight_core::zh_en!(
                            "不是本列表给出的翻页游标",
                            "is not a cursor this list handed out"
                        ),
                    )
                })?;
            args.push(code);
            conds.push_str(&format!(" AND p.code > ${}", args.len()));
        }
        let items_sql = format!(
            "SELECT {SUMMARY_COLS} FROM {}{conds} ORDER BY p.code LIMIT {}",
            list_source(filter.as_of.is_some(), true),
            limit + 1
        );
        let mut q = sqlx::query(sql::dynamic(items_sql));
        for a in &args {
            q = q.bind(a.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut items = rows.iter().map(summary_from).collect::<Result<Vec<_>>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|p| hex::encode(p.code.as_bytes()))
        } else {
            None
        };
        Ok(Page { items, total, next })
    }

    /// The version of a power in force today, or as of a date.
    pub async fn power(&self, code: &str, as_of: Option<Date>) -> Result<Option<PowerVersion>> {
        let row = match as_of {
            None => {
                sqlx::query(sql::dynamic(format!(
                    "SELECT {META_COLS}, doc FROM power_versions
                     WHERE code = $1 AND version = (SELECT version FROM powers_current WHERE code = $1)"
                )))
                .bind(code)
                .fetch_optional(&self.pool)
                .await?
            }
            Some(d) => {
                sqlx::query(sql::dynamic(format!(
                    "SELECT {META_COLS}, doc FROM power_versions WHERE code = $1 AND effective_from <= $2
                     ORDER BY version DESC LIMIT 1"
                )))
                .bind(code)
                .bind(d.to_string())
                .fetch_optional(&self.pool)
                .await?
            }
        };
        row.as_ref().map(version_from).transpose()
    }

    /// Every version of a power, oldest first (its change history).
    pub async fn power_history(&self, code: &str) -> Result<Vec<VersionMeta>> {
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT {META_COLS} FROM power_versions WHERE code = $1 ORDER BY version"
        )))
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(meta_from).collect()
    }

    /// The number of the version of a power in force on `as_of` (versions never change once
    /// written, so a caller holding it parsed needs nothing more).
    pub async fn version_in_force(&self, code: &str, as_of: Date) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT version FROM power_versions WHERE code = $1 AND effective_from <= $2
             ORDER BY version DESC LIMIT 1",
        )
        .bind(code)
        .bind(as_of.to_string())
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn power_version(&self, code: &str, version: i64) -> Result<Option<PowerVersion>> {
        let row = sqlx::query(sql::dynamic(format!(
            "SELECT {META_COLS}, doc FROM power_versions WHERE code = $1 AND version = $2"
        )))
        .bind(code)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(version_from).transpose()
    }

    /// The list's generation: bumped by every transaction that changes the list in force
    /// (publications, versions coming into force), whichever process ran it.
    pub async fn list_generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT n FROM list_generation WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Up to `limit` powers in force, by code after `after` — for streaming exports.
    pub async fn current_powers_after(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Power>> {
        let rows = sqlx::query(
            "SELECT v.doc FROM powers_current c JOIN power_versions v ON v.code = c.code AND v.version = c.version
             WHERE c.code > $1 ORDER BY c.code LIMIT $2",
        )
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| sql::json("power", &r.try_get::<String, _>("doc")?))
            .collect()
    }

    /// The powers in force whose basic code is shared by another power: what 五统一 compares.
    pub async fn powers_sharing_basic_codes(&self) -> Result<Vec<Power>> {
        let rows = sqlx::query(
            "SELECT v.doc FROM powers_current c JOIN power_versions v ON v.code = c.code AND v.version = c.version
             WHERE c.basic_code IN
             (SELECT basic_code FROM powers_current WHERE basic_code IS NOT NULL GROUP BY basic_code HAVING COUNT(*) > 1)
             ORDER BY c.basic_code, c.code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| sql::json("power", &r.try_get::<String, _>("doc")?))
            .collect()
    }

    /// Brings the in-force projection up to `today`: versions whose effective date has come
    /// replace older ones. Run at start-up and when the date changes; answers how many moved.
    pub async fn refresh_current(&self, today: Date) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let moved = refresh_current_in(&mut tx, today).await?;
        tx.commit().await?;
        if moved > 0 {
            self.bus.publish(&crate::Change::Registry);
        }
        Ok(moved)
    }
}

/// The columns of the in-force projection, and the update an upsert into it makes.
pub(crate) const CURRENT_COLS: &str = "code, version, effective_from, parent, basic_code, name, category, \
     department, region, status, status_detail, usage";
pub(crate) const CURRENT_UPSERT: &str = "ON CONFLICT (code) DO UPDATE SET version = excluded.version, \
     effective_from = excluded.effective_from, parent = excluded.parent, basic_code = excluded.basic_code, \
     name = excluded.name, category = excluded.category, department = excluded.department, \
     region = excluded.region, status = excluded.status, status_detail = excluded.status_detail, \
     usage = excluded.usage";

/// Copies into `powers_current` the latest version effective by `today` of every power whose
/// row is missing or older, in one statement.
pub(crate) async fn refresh_current_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    today: Date,
) -> Result<u64> {
    let stmt = format!(
        "INSERT INTO powers_current ({CURRENT_COLS})
         SELECT v.code, v.version, v.effective_from, v.parent, v.basic_code, v.name, v.category, v.department,
                v.region, v.status, v.status_detail, v.usage
         FROM power_versions v
         JOIN (SELECT code, MAX(version) AS version FROM power_versions WHERE effective_from <= $1 GROUP BY code) m
           ON m.code = v.code AND m.version = v.version
         LEFT JOIN powers_current c ON c.code = v.code
         WHERE c.version IS NULL OR c.version < v.version
         {CURRENT_UPSERT}"
    );
    let done = sqlx::query(sql::dynamic(stmt))
        .bind(today.to_string())
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() > 0 {
        bump_generation(tx).await?;
    }
    Ok(done.rows_affected())
}

/// Marks the list as changed, in the transaction that changes it.
pub(crate) async fn bump_generation(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<()> {
    sqlx::query("UPDATE list_generation SET n = n + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
