//! The ledger, public: the latest signed checkpoint, inclusion proofs for an entry or for every
//! event of a receipt number, consistency proofs between two sizes. With these a citizen who
//! kept an earlier checkpoint checks that their case's history is still in the log and that
//! the log was only ever appended to (RFC 9162 §2.1.3–2.1.4 give the verification).

use crate::SharedState;
use crate::auth::Staff;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use serde::{Deserialize, Serialize};
use sunlight_core::Role;
use sunlight_core::case::ReceiptNumber;
use sunlight_ledger::SignedCheckpoint;
use utoipa::{IntoParams, ToSchema};

/// A signed tree head.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointDoc {
    pub origin: String,
    pub size: u64,
    /// Hex.
    pub root: String,
    pub timestamp_ms: i64,
    /// Ed25519 over the checkpoint text (`origin\nsize\nroot\ntimestamp\n`), hex.
    pub signature: String,
    /// The public key, hex.
    pub key: String,
}

impl From<SignedCheckpoint> for CheckpointDoc {
    fn from(c: SignedCheckpoint) -> Self {
        Self {
            origin: c.origin,
            size: c.size,
            root: c.root,
            timestamp_ms: c.timestamp_ms,
            signature: c.signature,
            key: c.key,
        }
    }
}

/// The latest signed checkpoint.
#[utoipa::path(get, path = "/api/ledger/checkpoint", tag = "ledger",
    responses((status = 200, body = CheckpointDoc), (status = 404, body = Problem)))]
pub async fn checkpoint(
    axum::extract::State(state): axum::extract::State<SharedState>,
) -> ApiResult<ApiJson<CheckpointDoc>> {
    state
        .store
        .latest_checkpoint()
        .await?
        .map(|c| ApiJson(c.into()))
        .ok_or_else(|| {
            ApiError::not_found(sunlight_core::zh_en!(
                "尚未签署检查点",
                "no checkpoint has been signed yet"
            ))
        })
}

/// Sign a checkpoint of the ledger now (supervisor or admin); the server also signs one at its
/// configured interval.
#[utoipa::path(post, path = "/api/ledger/checkpoints", tag = "ledger",
    responses((status = 201, body = CheckpointDoc), (status = 403, body = Problem)))]
pub async fn sign(
    axum::extract::State(state): axum::extract::State<SharedState>,
    Staff(user): Staff,
) -> ApiResult<(axum::http::StatusCode, ApiJson<CheckpointDoc>)> {
    if !user.has(Role::Admin) {
        user.require(Role::Supervisor)?;
    }
    let signer = state.ledger.signer.as_ref().ok_or_else(|| {
        ApiError::not_found(sunlight_core::zh_en!(
            "本服务器没有账本签名密钥",
            "this server holds no ledger key"
        ))
    })?;
    let cp = state
        .store
        .sign_checkpoint(signer, &state.ledger.origin, state.clock.now())
        .await?;
    Ok((axum::http::StatusCode::CREATED, ApiJson(cp.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The entry's place in the log.
    pub seq: Option<u64>,
    /// The tree size of a checkpoint you hold; the latest checkpoint's if absent.
    pub size: Option<u64>,
}

/// An entry's leaf and its audit path.
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProof {
    pub seq: u64,
    pub size: u64,
    /// Hex of SHA-256(0x00 ‖ canonical entry).
    pub leaf: String,
    /// Hex hashes, from the leaf upwards.
    pub path: Vec<String>,
}

async fn size_or_latest(state: &SharedState, size: Option<u64>) -> ApiResult<u64> {
    match size {
        Some(s) => Ok(s),
        None => Ok(state
            .store
            .latest_checkpoint()
            .await?
            .map(|c| c.size)
            .ok_or_else(|| {
                ApiError::not_found(sunlight_core::zh_en!(
                    "尚未签署检查点，请给出 size",
                    "no checkpoint has been signed yet; give size"
                ))
            })?),
    }
}

async fn inclusion_of(state: &SharedState, seq: u64, size: u64) -> ApiResult<InclusionProof> {
    let entry = state.store.entry(seq).await?.ok_or_else(|| {
        ApiError::not_found(sunlight_core::zh_en!(
            "账本中没有第 {seq} 条记录",
            "no ledger entry {seq}"
        ))
    })?;
    let path = state.store.inclusion_proof(seq, size).await?;
    Ok(InclusionProof {
        seq,
        size,
        leaf: entry.leaf,
        path: path.iter().map(sunlight_ledger::to_hex).collect(),
    })
}

/// The audit path of one entry in the tree of `size` entries.
#[utoipa::path(get, path = "/api/ledger/proofs/inclusion", tag = "ledger", params(InclusionQuery),
    responses((status = 200, body = InclusionProof), (status = 422, body = Problem)))]
pub async fn inclusion(
    axum::extract::State(state): axum::extract::State<SharedState>,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> ApiResult<ApiJson<InclusionProof>> {
    let seq = q.seq.ok_or_else(|| {
        ApiError::field(
            "seq",
            sunlight_core::zh_en!("请给出记录序号", "which entry"),
        )
    })?;
    let size = size_or_latest(&state, q.size).await?;
    Ok(ApiJson(inclusion_of(&state, seq, size).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SizeQuery {
    /// The tree size of a checkpoint you hold; the latest checkpoint's if absent.
    pub size: Option<u64>,
}

/// Inclusion proofs for every event of a receipt number (no event contents: only leaves).
#[utoipa::path(get, path = "/api/ledger/receipts/{receipt}", tag = "ledger",
    params(("receipt" = String, Path), SizeQuery),
    responses((status = 200, body = Vec<InclusionProof>), (status = 404, body = Problem)))]
pub async fn receipt_proofs(
    axum::extract::State(state): axum::extract::State<SharedState>,
    ApiPath(r): ApiPath<String>,
    ApiQuery(q): ApiQuery<SizeQuery>,
) -> ApiResult<ApiJson<Vec<InclusionProof>>> {
    let r = ReceiptNumber::parse(&r)?;
    let size = size_or_latest(&state, q.size).await?;
    let entries = state.store.stream_entries(&format!("case/{r}")).await?;
    if entries.is_empty() {
        return Err(ApiError::not_found(sunlight_core::zh_en!(
            "办件“{r}”没有记录",
            "no events of «{r}»"
        )));
    }
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| e.seq < size) {
        let path = state.store.inclusion_proof(e.seq, size).await?;
        out.push(InclusionProof {
            seq: e.seq,
            size,
            leaf: e.leaf.clone(),
            path: path.iter().map(sunlight_ledger::to_hex).collect(),
        });
    }
    Ok(ApiJson(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The size of the checkpoint you hold.
    pub from: u64,
    /// A later size; the latest checkpoint's if absent.
    pub to: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    pub path: Vec<String>,
}

/// The proof that the tree of `to` entries extends the tree of `from` entries.
#[utoipa::path(get, path = "/api/ledger/proofs/consistency", tag = "ledger", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyProof), (status = 422, body = Problem)))]
pub async fn consistency(
    axum::extract::State(state): axum::extract::State<SharedState>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<ApiJson<ConsistencyProof>> {
    let to = size_or_latest(&state, q.to).await?;
    let path = state.store.consistency_proof(q.from, to).await?;
    Ok(ApiJson(ConsistencyProof {
        from: q.from,
        to,
        path: path.iter().map(sunlight_ledger::to_hex).collect(),
    }))
}
