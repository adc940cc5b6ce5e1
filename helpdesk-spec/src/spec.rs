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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
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
    /// Which facts of the SDK reference (`helpdesk-spec sdk-diff`) this
    /// deviation explains; a difference there that no deviation covers is
    /// an error of the comparison.
    #[serde(default)]
    pub covers: Vec<DeviationAspect>,
    /// The SDK items this deviation explains, each named exactly as
    /// `helpdesk-spec sdk-diff` names it, so that a new difference stays
    /// unexplained. With `endpoint` / `event` (service.json only): the SDK
    /// endpoints (`resource.method`) or event types the spec leaves out on
    /// purpose. With `field` / `type`: Python SDK fields as `SdkType.field`
    /// (an endpoint's query or path parameter as `resource.method query.name`
    /// / `path.name`; an event's own field as `event_type.field`). With
    /// `required` / `enum`: Node SDK inputs as `resource.method path.name`,
    /// `query.name` or `body.a.b`.
    #[serde(default)]
    pub sdk_items: Vec<String>,
}

/// What a [`Deviation`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviationAspect {
    /// The SDK has an endpoint the spec leaves out (`sdk_items` names it).
    Endpoint,
    /// The SDK has an event the spec leaves out (`sdk_items` names it).
    Event,
    /// The endpoint's path differs.
    Path,
    /// The endpoint's HTTP method differs.
    Method,
    /// The access-token kinds the endpoint accepts differ.
    Tokens,
    /// Field names or types differ, told in words only: the field-level
    /// comparison matches `field` / `type` entries, which name their items.
    Fields,
    /// A field is in the SDK type and not in the spec's, or the other way
    /// round (`sdk_items` names the fields).
    Field,
    /// A field's wire type differs: string, int, float, bool, any, a list,
    /// or an object (`sdk_items` names the fields).
    Type,
    /// A Node SDK input's required flag differs (`sdk_items` names the inputs).
    Required,
    /// A Node SDK input's string enum values differ (`sdk_items` names the inputs).
    Enum,
    /// Pagination differs.
    Paging,
    /// Headers differ.
    Header,
}

impl DeviationAspect {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviationAspect::Endpoint => "endpoint",
            DeviationAspect::Event => "event",
            DeviationAspect::Path => "path",
            DeviationAspect::Method => "method",
            DeviationAspect::Tokens => "tokens",
            DeviationAspect::Fields => "fields",
            DeviationAspect::Field => "field",
            DeviationAspect::Type => "type",
            DeviationAspect::Required => "required",
            DeviationAspect::Enum => "enum",
            DeviationAspect::Paging => "paging",
            DeviationAspect::Header => "header",
        }
    }
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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
    /// Object fields.
    #[serde(default)]
    pub fields: Option<Vec<Field>>,
    /// Enum wire representation.
    #[serde(default)]
    pub repr: Option<EnumRepr>,
    /// Enum values.
    #[serde(default)]
    pub values: Option<Vec<EnumValue>>,
    /// Where this type deliberately differs from the SDK types it is
    /// compared with (`field`, `type`, `required`, `enum` only), and why.
    #[serde(default)]
    pub sdk_deviations: Vec<Deviation>,
    /// A maintainers' note (why the spec says what it says): kept in the
    /// spec, never shown in rustdoc.
    #[serde(default)]
    pub note: Option<String>,
    /// Where this type deliberately says more or otherwise than the doc
    /// pages of the endpoints that use it (`helpdesk-spec conform`); the
    /// fact patterns are relative to the type, e.g. `email*`.
    #[serde(default)]
    pub doc_deviations: Vec<DocDeviation>,
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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
    /// Example value from the doc.
    #[serde(default)]
    pub example: Option<Value>,
    /// A maintainers' note (why the spec says what it says): kept in the
    /// spec, never shown in rustdoc.
    #[serde(default)]
    pub note: Option<String>,
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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
    /// A maintainers' note (why the spec says what it says): kept in the
    /// spec, never shown in rustdoc.
    #[serde(default)]
    pub note: Option<String>,
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
    /// The summary in English (rustdoc shows it first).
    #[serde(default)]
    pub summary_en: Option<String>,
    /// Page description.
    #[serde(default)]
    pub description: String,
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
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
    /// JSON request body (allowed on any method, e.g. a GET with a body).
    #[serde(default)]
    pub request_body: Option<RequestBody>,
    /// How the endpoint pages, if it does.
    #[serde(default)]
    pub pagination: Option<Pagination>,
    /// Reply `data` fields, or a binary reply.
    #[serde(default)]
    pub response: Option<Response>,
    /// The documented error table.
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// Why `errors` is empty (e.g. the doc page has no error table).
    #[serde(default)]
    pub errors_note: Option<String>,
    /// The doc's reply example, whole envelope.
    #[serde(default)]
    pub example_response: Option<Value>,
    /// The doc's request body example.
    #[serde(default)]
    pub example_request: Option<Value>,
    /// Where this endpoint deliberately differs from the official SDKs, and why.
    #[serde(default)]
    pub sdk_deviations: Vec<Deviation>,
    /// A maintainers' note (why the spec says what it says): kept in the
    /// spec, never shown in rustdoc.
    #[serde(default)]
    pub note: Option<String>,
    /// Where this endpoint deliberately differs from its doc page, and why
    /// (`helpdesk-spec conform`).
    #[serde(default)]
    pub doc_deviations: Vec<DocDeviation>,
}

/// A JSON request body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    /// Top-level fields of the body.
    pub fields: Vec<Field>,
}

/// Paging style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStyle {
    /// `page_token` query + `has_more` and a next-token field in the reply.
    PageToken,
    /// `page` / `page_size` query + `total` in the reply.
    Page,
}

/// How a list endpoint pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// The style.
    pub style: PageStyle,
    /// The reply field holding the page's items (a list).
    pub items: String,
    /// Query parameter carrying the page token (page_token style; default `page_token`).
    #[serde(default)]
    pub page_token_param: Option<String>,
    /// Reply field with the next token (page_token style; default `page_token`).
    #[serde(default)]
    pub next_token_field: Option<String>,
    /// Reply field saying more pages exist (page_token style; default `has_more`).
    #[serde(default)]
    pub has_more_field: Option<String>,
    /// Query parameter with the 1-based page number (page style; default `page`).
    #[serde(default)]
    pub page_param: Option<String>,
    /// Reply field with the total item count (page style; default `total`).
    #[serde(default)]
    pub total_field: Option<String>,
    /// Query parameter with the page size (default `page_size`).
    #[serde(default)]
    pub page_size_param: Option<String>,
}

impl Pagination {
    /// `page_token_param` or its default.
    pub fn page_token_param(&self) -> &str {
        self.page_token_param.as_deref().unwrap_or("page_token")
    }
    /// `next_token_field` or its default.
    pub fn next_token_field(&self) -> &str {
        self.next_token_field.as_deref().unwrap_or("page_token")
    }
    /// `has_more_field` or its default.
    pub fn has_more_field(&self) -> &str {
        self.has_more_field.as_deref().unwrap_or("has_more")
    }
    /// `page_param` or its default.
    pub fn page_param(&self) -> &str {
        self.page_param.as_deref().unwrap_or("page")
    }
    /// `total_field` or its default.
    pub fn total_field(&self) -> &str {
        self.total_field.as_deref().unwrap_or("total")
    }
    /// `page_size_param` or its default.
    pub fn page_size_param(&self) -> &str {
        self.page_size_param.as_deref().unwrap_or("page_size")
    }
}

/// A binary reply (file download).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinaryReply {
    /// Content type the doc gives, if any (e.g. `image/png`).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
}

/// `spec/events/<event_type>.json`: one event pushed to the app.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFile {
    /// Editor hint.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Event type, e.g. `helpdesk.ticket.created_v1`.
    pub event_type: String,
    /// Page title.
    pub summary: String,
    /// The summary in English (rustdoc shows it first).
    #[serde(default)]
    pub summary_en: Option<String>,
    /// Page description.
    #[serde(default)]
    pub description: String,
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
    /// Link to the official page.
    #[serde(default)]
    pub doc_url: Option<String>,
    /// App types that receive it.
    #[serde(default)]
    pub app_types: Vec<String>,
    /// Scopes; any one suffices.
    #[serde(default)]
    pub scopes: Option<Scopes>,
    /// Fields of the `event` object.
    pub fields: Vec<Field>,
    /// The doc's example of the whole callback body (schema 2.0 envelope).
    #[serde(default)]
    pub example: Option<Value>,
    /// Where this event deliberately differs from the SDKs (`field`,
    /// `type`, `required`, `enum` only), and why.
    #[serde(default)]
    pub sdk_deviations: Vec<Deviation>,
    /// A maintainers' note (why the spec says what it says): kept in the
    /// spec, never shown in rustdoc.
    #[serde(default)]
    pub note: Option<String>,
    /// Where this event deliberately differs from its doc page, and why
    /// (`helpdesk-spec conform`).
    #[serde(default)]
    pub doc_deviations: Vec<DocDeviation>,
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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
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
    /// The description in English (rustdoc shows it first).
    #[serde(default)]
    pub description_en: Option<String>,
    /// Example.
    #[serde(default)]
    pub example: Option<Value>,
    /// Server-side default when omitted.
    #[serde(default)]
    pub default: Option<Value>,
    /// A maintainers' note (why the spec says what it says): kept in the
    /// spec, never shown in rustdoc.
    #[serde(default)]
    pub note: Option<String>,
}

/// Reply `data`, or a binary reply.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Fields of `data` (empty for a binary reply).
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Set when the reply is a file, not JSON.
    #[serde(default)]
    pub binary: Option<BinaryReply>,
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
    /// The message in English (rustdoc shows it first).
    #[serde(default)]
    pub message_en: Option<String>,
    /// The doc's 排查建议.
    #[serde(default)]
    pub advice: String,
    /// A maintainers' note (why the spec says what it says): kept in the
    /// spec, never shown in rustdoc.
    #[serde(default)]
    pub note: Option<String>,
}

/// A documented difference from an endpoint's or event's doc page: the
/// facts (as `helpdesk-spec conform` names them, e.g.
/// `body/status#required`) where the spec deliberately says otherwise than
/// the page, and why. A difference no entry covers is an error of the
/// comparison, and so is an entry that covers no difference.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocDeviation {
    /// Fact patterns: a fact key where `*` stands for any run of characters
    /// (`body/id*` covers `body/id#type` and `body/id#required`). In an
    /// endpoint or event file they are whole keys; in a named type they are
    /// relative to the type (`email*`), and cover that field wherever an
    /// endpoint or event uses the type.
    pub facts: Vec<String>,
    /// Only where the page leaves the fact out: the spec knows more than
    /// the page (a shared type's field another page documents). A page that
    /// states the fact differently is still a difference.
    #[serde(default)]
    pub page_omits: bool,
    /// What the page says, in short (informative).
    #[serde(default)]
    pub page: Option<String>,
    /// Why the spec says otherwise.
    pub reason: String,
}

impl DocDeviation {
    /// Whether one of the patterns matches `key`.
    pub fn covers(&self, key: &str) -> bool {
        self.facts.iter().any(|p| glob_match(p, key))
    }
}

/// `*` matches any run of characters (also none); everything else matches
/// itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod glob_tests {
    use super::glob_match;

    #[test]
    fn stars_match_any_run() {
        assert!(glob_match("body/id*", "body/id#type"));
        assert!(glob_match("body/id*", "body/id"));
        assert!(!glob_match("body/id*", "reply/id#type"));
        assert!(glob_match(
            "*.email*",
            "reply/items[].create_user.email#type"
        ));
        assert!(
            glob_match("*.email*", "reply/items[].emails#type"),
            "a star is greedy"
        );
        assert!(!glob_match("*.email#*", "reply/items[].emails#type"));
        assert!(glob_match("a*b*c", "a-b-b-c"));
        assert!(!glob_match("a*b*c", "a-c"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exact2"));
        assert!(!glob_match("ab*ba", "aba"), "the ends may not overlap");
    }
}
