//! 电子证照核验 for machines: by number and check code, or by the PDF itself.

use crate::SharedState;
use crate::error::{ApiError, ApiJson, ApiQuery, ApiResult, Problem};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// 证照编号 or 文号.
    pub number: String,
    /// The check code printed beside it.
    pub code: String,
}

/// The answer: `{"result": "genuine", "document": {…}, "status": "valid|expired|revoked",
/// "issuer": "…"}`, `{"result": "not_found"}` or `{"result": "seal_invalid", …}`.
#[utoipa::path(get, path = "/api/verify", tag = "documents", params(VerifyQuery),
    responses((status = 200, body = serde_json::Value), (status = 400, body = Problem)))]
pub async fn by_number(
    axum::extract::State(state): axum::extract::State<SharedState>,
    ApiQuery(q): ApiQuery<VerifyQuery>,
) -> ApiResult<ApiJson<serde_json::Value>> {
    let found = state.app.verify_number(&q.number, &q.code).await?;
    Ok(ApiJson(serde_json::to_value(found).unwrap_or_default()))
}

/// Checks a PDF (the request body) against its seal and the records.
#[utoipa::path(post, path = "/api/verify", tag = "documents",
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses((status = 200, body = serde_json::Value), (status = 400, body = Problem)))]
pub async fn by_file(
    axum::extract::State(state): axum::extract::State<SharedState>,
    body: axum::body::Bytes,
) -> ApiResult<ApiJson<serde_json::Value>> {
    if !body.starts_with(b"%PDF-") {
        return Err(ApiError::field(
            "body",
            sunlight_core::zh_en!("请求体应为 PDF 文件", "the body must be a PDF file"),
        ));
    }
    let found = state.app.verify_pdf(&body).await?;
    Ok(ApiJson(serde_json::to_value(found).unwrap_or_default()))
}
