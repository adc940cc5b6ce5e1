//! The spec model: serde structs mirroring the JSON files under `spec/`.
//!
//! This layer knows nothing of Rust code generation. Every struct rejects
//! unknown keys so that a typo in a spec file is an error, not a silent no-op.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// `spec/service.json`: facts that hold for the whole service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    /// Editor hint (JSON Schema of the spec format).
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Service name, e.g. `helpdesk`.
    pub service: String,
    /// API version, e.g. `v1`.
    pub version: String,
    /// Human title.
    pub title: String,
    /// Longer description.
    #[serde(default)]
    pub description: String,
    /// Named base URLs (`feishu`, `lark`).
    pub base_urls: BTreeMap<String, String>,
    /// The helpdesk credential header.
    pub helpdesk_header: HelpdeskHeader,
    /// Errors the platform gateway returns for any endpoint (token, rate limit).
    #[serde(default)]
    pub platform_errors: Vec<ErrorSpec>,
    /// Where this spec deliberately differs from the official SDKs, and why.
    #[serde(default)]
    pub sdk_deviations: Vec<Deviation>,
}

/// The `X-Lark-Helpdesk-Authorization` header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpdeskHeader {
    /// Header name.
    pub name: String,
    /// Value format, informative.
    pub format: String,
    /// Description.
    pub description: String,
}

/// A documented difference from the official SDKs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// What the deviation is about.
    pub topic: String,
    /// What the SDKs do.
    pub sdks: String,
    /// What this spec says instead.
    pub spec: String,
    /// Why.
    pub why: String,
}

/// `spec/types/*.json`: named types shared across endpoints.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypesFile {
    /// Editor hint.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// What the file groups.
    #[serde(default)]
    pub description: String,
    /// The types, in output order.
    pub types: Vec<TypeDef>,
}

/// Kind of a named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeKind {
    /// A JSON object with named fields.
    Object,
    /// A closed set of documented values (open on decode).
    Enum,
}

/// Wire representation of an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumRepr {
    /// JSON integers.
    Int,
    /// JSON strings.
    String,
}

/// A named type. `kind` decides which of `fields` / `repr` + `values` apply;
/// the validator checks that the right ones are present.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    /// Name (PascalCase), unique across the spec.
    pub name: String,
    /// Object or enum.
    pub kind: TypeKind,
    /// Description from the doc.
    #[serde(default)]
    pub description: String,
    /// Object fields.
    #[serde(default)]
    pub fields: Option<Vec<Field>>,
    /// Enum wire representation.
    #[serde(default)]
    pub repr: Option<EnumRepr>,
    /// Enum values.
    #[serde(default)]
    pub values: Option<Vec<EnumValue>>,
}

/// A field of an object type, a request body or a response `data`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// JSON key.
    pub name: String,
    /// Type expression, see [`crate::types::TypeExpr`].
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the field is always present.
    #[serde(default)]
    pub required: bool,
    /// Description from the doc.
    #[serde(default)]
    pub description: String,
    /// Example value from the doc.
    #[serde(default)]
    pub example: Option<Value>,
}

/// One documented value of an enum.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The wire value (integer or string, per `repr`).
    pub value: Value,
    /// Symbolic name (snake_case), unique within the enum.
    pub name: String,
    /// Meaning, from the doc.
    #[serde(default)]
    pub description: String,
}

/// `spec/endpoints/<resource>.<operation>.json`: one endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointFile {
    /// Editor hint.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Resource (snake_case), e.g. `notification`.
    pub resource: String,
    /// Operation (snake_case), e.g. `get`.
    pub operation: String,
    /// Page title.
    pub summary: String,
    /// Page description.
    #[serde(default)]
    pub description: String,
    /// Link to the official page.
    #[serde(default)]
    pub doc_url: Option<String>,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path template with `:param` segments.
    pub path: String,
    /// Documented rate limit.
    pub rate_limit: RateLimit,
    /// App types allowed to call the endpoint (`custom`, `isv`).
    #[serde(default)]
    pub app_types: Vec<String>,
    /// Scopes; any one of them suffices.
    pub scopes: Scopes,
    /// Scopes needed for some fields of the reply.
    #[serde(default)]
    pub field_scopes: Vec<FieldScope>,
    /// Accepted tokens and the helpdesk header.
    pub auth: Auth,
    /// Path parameters, in template order.
    #[serde(default)]
    pub path_params: Vec<Param>,
    /// Query parameters.
    #[serde(default)]
    pub query_params: Vec<Param>,
    /// Reply `data` fields.
    #[serde(default)]
    pub response: Option<Response>,
    /// The documented error table.
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// The doc's reply example, whole envelope.
    #[serde(default)]
    pub example_response: Option<Value>,
}

/// HTTP methods used by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[allow(missing_docs)]
pub enum HttpMethod {
    GET,
    POST,
    PUT,
    PATCH,
    DELETE,
}

impl HttpMethod {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::GET => "GET",
            HttpMethod::POST => "POST",
            HttpMethod::PUT => "PUT",
            HttpMethod::PATCH => "PATCH",
            HttpMethod::DELETE => "DELETE",
        }
    }
}

/// Rate limit as documented; `limits` is empty for 特殊频控 (special control).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Limits that all apply.
    #[serde(default)]
    pub limits: Vec<Limit>,
    /// Free text, e.g. why there is no number.
    #[serde(default)]
    pub note: Option<String>,
}

/// `requests` per `per`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Number of requests.
    pub requests: u32,
    /// Window.
    pub per: Window,
}

/// Rate-limit window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Window {
    Second,
    Minute,
}

/// Required scopes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scopes {
    /// Any one suffices.
    pub any_of: Vec<Scope>,
}

/// One scope.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Scope key.
    pub name: String,
    /// Scope title.
    #[serde(default)]
    pub description: String,
}

/// A scope needed for some reply fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldScope {
    /// Scope key.
    pub scope: String,
    /// Scope title.
    #[serde(default)]
    pub description: String,
    /// Condition on a query parameter.
    #[serde(default)]
    pub when: Option<ParamCondition>,
}

/// `param == equals`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamCondition {
    /// Query parameter name.
    pub param: String,
    /// Value.
    pub equals: Value,
}

/// Access-token kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::enum_variant_names, missing_docs)]
pub enum TokenKind {
    UserAccessToken,
    TenantAccessToken,
    AppAccessToken,
}

impl TokenKind {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::UserAccessToken => "user_access_token",
            TokenKind::TenantAccessToken => "tenant_access_token",
            TokenKind::AppAccessToken => "app_access_token",
        }
    }
    /// The prefix Feishu gives tokens of this kind.
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::UserAccessToken => "u-",
            TokenKind::TenantAccessToken => "t-",
            TokenKind::AppAccessToken => "a-",
        }
    }
}

/// Authentication requirements.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// Accepted token kinds.
    pub tokens: Vec<TokenKind>,
    /// Whether `X-Lark-Helpdesk-Authorization` is required.
    pub helpdesk_header: bool,
}

/// A path or query parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Wire name.
    pub name: String,
    /// Type expression.
    #[serde(rename = "type")]
    pub ty: String,
    /// Required (path parameters always are).
    #[serde(default)]
    pub required: bool,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Example.
    #[serde(default)]
    pub example: Option<Value>,
    /// Server-side default when omitted.
    #[serde(default)]
    pub default: Option<Value>,
}

/// Reply `data`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Fields of `data`.
    pub fields: Vec<Field>,
}

/// One row of an error table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// HTTP status the platform answers with.
    pub http_status: u16,
    /// Business code in the `code` field.
    pub code: i64,
    /// Symbolic name (snake_case), unique per table.
    pub name: String,
    /// The doc's 描述.
    pub message: String,
    /// The doc's 排查建议.
    #[serde(default)]
    pub advice: String,
}
