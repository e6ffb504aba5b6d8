//! Regions, departments and the negative list.

use crate::sql;
use crate::{Result, Store, StoreError};
use sqlx::Row;
use sunlight_core::negative::{Measure, NegativeItem};
use sunlight_core::{CreditCode, Department, DepartmentNature, Region, RegionCode, RegionLevel};

fn region_from(row: &sqlx::any::AnyRow) -> Result<Region> {
    let code: String = row.try_get("code")?;
    let level: String = row.try_get("level")?;
    let parent: Option<String> = row.try_get("parent")?;
    let corrupt = |e: sunlight_core::DomainError| StoreError::Corrupt(e.to_string());
    Ok(Region {
        code: RegionCode::parse(&code).map_err(corrupt)?,
        name: row.try_get("name")?,
        level: RegionLevel::parse(&level)
            .ok_or_else(|| StoreError::Corrupt(format!("region level {level}")))?,
        parent: parent
            .as_deref()
            .map(RegionCode::parse)
            .transpose()
            .map_err(corrupt)?,
    })
}

fn department_from(row: &sqlx::any::AnyRow) -> Result<Department> {
    let code: String = row.try_get("credit_code")?;
    let region: String = row.try_get("region")?;
    let nature: String = row.try_get("nature")?;
    let corrupt = |e: sunlight_core::DomainError| StoreError::Corrupt(e.to_string());
    Ok(Department {
        credit_code: CreditCode::parse(&code).map_err(corrupt)?,
        name: row.try_get("name")?,
        region: RegionCode::parse(&region).map_err(corrupt)?,
        nature: DepartmentNature::parse(&nature)
            .ok_or_else(|| StoreError::Corrupt(format!("nature {nature}")))?,
    })
}

fn nature_str(n: DepartmentNature) -> &'static str {
    match n {
        DepartmentNature::LegalAgency => "legal_agency",
        DepartmentNature::AuthorizedOrganization => "authorized_organization",
        DepartmentNature::EntrustedOrganization => "entrusted_organization",
    }
}

impl Store {
    /// Adds or renames a region. Its parent must already be stored.
    pub async fn put_region(&self, r: &Region) -> Result<()> {
        if let Some(p) = &r.parent
            && self.region(p).await?.is_none()
        {
            return Err(StoreError::invalid(
                "parent",
                sunlight_core::zh_en!(
                    "行政区划 {p} 尚未登记，请先添加",
                    "region {p} is not stored; add it first"
                ),
            ));
        }
        sqlx::query(
            "INSERT INTO regions (code, name, level, parent) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent",
        )
        .bind(r.code.as_str())
        .bind(&r.name)
        .bind(r.level.as_str())
        .bind(r.parent.map(|p| p.to_string()))
        .execute(&self.writer)
        .await?;
        self.bus.publish(&crate::Change::Registry);
        Ok(())
    }

    pub async fn region(&self, code: &RegionCode) -> Result<Option<Region>> {
        let row = sqlx::query("SELECT code, name, level, parent FROM regions WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(region_from).transpose()
    }

    pub async fn regions(&self) -> Result<Vec<Region>> {
        let rows = sqlx::query("SELECT code, name, level, parent FROM regions ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(region_from).collect()
    }

    /// Adds or updates a department. Its region must be stored.
    pub async fn put_department(&self, d: &Department) -> Result<()> {
        if self.region(&d.region).await?.is_none() {
            return Err(StoreError::invalid(
                "region",
                sunlight_core::zh_en!(
                    "行政区划 {r} 尚未登记，请先添加",
                    "region {r} is not stored; add it first",
                    r = &d.region,
                ),
            ));
        }
        sqlx::query(
            "INSERT INTO departments (credit_code, name, region, nature) VALUES ($1, $2, $3, $4)
             ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, region = excluded.region, nature = excluded.nature",
        )
        .bind(d.credit_code.as_str())
        .bind(&d.name)
        .bind(d.region.as_str())
        .bind(nature_str(d.nature))
        .execute(&self.writer)
        .await?;
        self.bus.publish(&crate::Change::Registry);
        Ok(())
    }

    pub async fn department(&self, code: &CreditCode) -> Result<Option<Department>> {
        let row = sqlx::query(
            "SELECT credit_code, name, region, nature FROM departments WHERE credit_code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(department_from).transpose()
    }

    pub async fn departments(&self) -> Result<Vec<Department>> {
        let rows = sqlx::query(
            "SELECT credit_code, name, region, nature FROM departments ORDER BY region, name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(department_from).collect()
    }

    /// Replaces the whole negative list in one transaction (it is published as a whole).
    pub async fn replace_negative_list(&self, items: &[NegativeItem]) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM negative_list")
            .execute(&mut *tx)
            .await?;
        for chunk in items.chunks(sql::batch_rows(7)).enumerate() {
            let (n, chunk) = chunk;
            let stmt = format!(
                "INSERT INTO negative_list (seq, industry, category, sub_category, item, measure, basis) VALUES {}",
                sql::values(sql::Marks::of(&tx), chunk.len(), 7)
            );
            let mut q = sqlx::query(sql::dynamic(stmt));
            for (i, it) in chunk.iter().enumerate() {
                let measure = match it.measure {
                    Measure::Prohibited => "prohibited",
                    Measure::NeedsApproval => "needs_approval",
                };
                q = q
                    .bind((n * sql::batch_rows(7) + i + 1) as i64)
                    .bind(&it.industry)
                    .bind(&it.category)
                    .bind(&it.sub_category)
                    .bind(&it.item)
                    .bind(measure)
                    .bind(&it.basis);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn negative_list(&self) -> Result<Vec<NegativeItem>> {
        let rows = sqlx::query(
            "SELECT industry, category, sub_category, item, measure, basis FROM negative_list ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let measure: String = r.try_get("measure")?;
                Ok(NegativeItem {
                    industry: r.try_get("industry")?,
                    category: r.try_get("category")?,
                    sub_category: r.try_get("sub_category")?,
                    item: r.try_get("item")?,
                    measure: Measure::parse(&measure)
                        .ok_or_else(|| StoreError::Corrupt(format!("measure {measure}")))?,
                    basis: r.try_get("basis")?,
                })
            })
            .collect()
    }
}
