//! Writing a power list as XLSX, CSV or JSON, in the layout the importer reads back exactly.

use crate::Format;
use crate::cells;
use crate::columns::{Col, EXPORT, heading};
use rust_xlsxwriter::{Format as CellFormat, Workbook};
use sunlight_core::{CreditCode, DutyPhase, Power, PowerStatus};

/// The text of one export column for one power.
fn cell(p: &Power, col: Col, department_name: &dyn Fn(&CreditCode) -> Option<String>) -> String {
    let g = &p.guide;
    match col {
        Col::Code => p.code.to_string(),
        Col::BasicCode => p.basic_code.clone().unwrap_or_default(),
        Col::ParentCode => p
            .parent
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        Col::Name => p.name.clone(),
        Col::Category => p.category.zh().into(),
        Col::Department => department_name(&p.department).unwrap_or_default(),
        Col::DepartmentCode => p.department.to_string(),
        Col::Region => p.region.to_string(),
        Col::ExerciseLevel => p.exercise_level.zh().into(),
        Col::Source => p.source.zh().into(),
        Col::Usage => p.usage.zh().into(),
        Col::LegalBasis => cells::write_legal_basis(&p.legal_basis),
        Col::Conditions => cells::lines(&g.conditions),
        Col::QuantityLimit => g.quantity_limit.clone(),
        Col::Procedure => cells::lines(&g.procedure),
        Col::Materials => cells::write_materials(&g.materials),
        Col::StatutoryLimit => g.statutory_limit.map(|l| l.to_string()).unwrap_or_default(),
        Col::CommittedLimit => g.committed_limit.map(|l| l.to_string()).unwrap_or_default(),
        Col::Fees => cells::write_fees(&g.fees),
        Col::ComplaintChannel => g.complaint_channel.clone(),
        Col::Place => g.place.clone(),
        Col::Hours => g.hours.clone(),
        Col::Phone => g.phone.clone(),
        Col::CaseType => g.case_type.zh().into(),
        Col::Targets => cells::write_targets(&g.targets),
        Col::Visits => g.visits.map(|n| n.to_string()).unwrap_or_default(),
        Col::Online => g
            .online
            .map(|b| if b { "是" } else { "否" }.to_string())
            .unwrap_or_default(),
        Col::Intermediaries => cells::write_intermediaries(&g.intermediaries),
        Col::Faq => cells::write_faq(&g.faq),
        Col::Duty(phase) => cells::write_duties(&p.responsibility.duties, phase),
        Col::Accountability => cells::write_accountability(&p.responsibility.accountability),
        Col::Status => match &p.status {
            PowerStatus::Active => "有效",
            PowerStatus::StrictlyControlled => "严管",
            PowerStatus::Cancelled => "已取消",
            PowerStatus::Delegated { .. } => "已下放",
            PowerStatus::Merged { .. } => "已合并",
        }
        .into(),
        Col::DelegationMode => match &p.status {
            PowerStatus::Delegated { mode, .. } => mode.zh().into(),
            _ => String::new(),
        },
        Col::DelegatedTo => match &p.status {
            PowerStatus::Delegated { to_level, .. } => to_level.zh().into(),
            _ => String::new(),
        },
        Col::MergedInto => match &p.status {
            PowerStatus::Merged { into } => into.to_string(),
            _ => String::new(),
        },
        Col::Flow => p.flow.as_ref().map(|f| f.to_toml()).unwrap_or_default(),
        Col::Seq | Col::SubName | Col::Duties | Col::Remarks => String::new(),
    }
}

/// Writes `powers` in `format`. `department_name` gives the 实施主体 column its names.
pub fn write_powers(
    powers: &[Power],
    format: Format,
    department_name: &dyn Fn(&CreditCode) -> Option<String>,
) -> Result<Vec<u8>, String> {
    match format {
        Format::Json => serde_json::to_vec_pretty(powers).map_err(|e| e.to_string()),
        Format::Csv => {
            // A BOM makes Excel on Chinese Windows open UTF-8 correctly.
            let mut out = "\u{feff}".as_bytes().to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(EXPORT.iter().map(|c| heading(*c)))
                    .map_err(|e| e.to_string())?;
                for p in powers {
                    w.write_record(EXPORT.iter().map(|c| cell(p, *c, department_name)))
                        .map_err(|e| e.to_string())?;
                }
                w.flush().map_err(|e| e.to_string())?;
            }
            Ok(out)
        }
        Format::Xlsx => {
            let mut book = Workbook::new();
            let sheet = book
                .add_worksheet_with_constant_memory()
                .map_err(|e| e.to_string())?;
            sheet.set_name("权力清单").map_err(|e| e.to_string())?;
            let bold = CellFormat::new().set_bold();
            for (c, col) in EXPORT.iter().enumerate() {
                sheet
                    .write_string_with_format(0, c as u16, heading(*col), &bold)
                    .map_err(|e| e.to_string())?;
                let width = match col {
                    Col::Name | Col::Department => 28.0,
                    Col::LegalBasis | Col::Materials | Col::Conditions => 40.0,
                    Col::Duty(DutyPhase::Accept) | Col::Duty(_) | Col::Accountability => 30.0,
                    _ => 14.0,
                };
                sheet
                    .set_column_width(c as u16, width)
                    .map_err(|e| e.to_string())?;
            }
            for (r, p) in powers.iter().enumerate() {
                for (c, col) in EXPORT.iter().enumerate() {
                    let text = cell(p, *col, department_name);
                    if !text.is_empty() {
                        sheet
                            .write_string(r as u32 + 1, c as u16, &text)
                            .map_err(|e| e.to_string())?;
                    }
                }
            }
            book.save_to_buffer().map_err(|e| e.to_string())
        }
    }
}
