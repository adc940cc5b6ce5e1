//! Every Rust identifier the generator derives from spec names, in one place
//! that the validator also reads: a name the validator accepts is a name the
//! emitter can use without a clash.

/// `snake_case` → `PascalCase`.
pub fn pascal(s: &str) -> String {
    s.split(['_', '.', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Type-name stem of an endpoint within its resource's module, e.g. `Get`
/// for `notification.get` (its request, response, error and body types
/// append `Request`, `Response`, …: `notification::GetRequest`).
pub fn endpoint_stem(_resource: &str, operation: &str) -> String {
    pascal(operation)
}

/// The module of a resource's endpoints, e.g. `notification`; also the
/// name of the client's accessor method.
pub fn resource_module(resource: &str) -> String {
    rust_ident(resource)
}

/// The module holding the spec's shared types.
pub const TYPES_MODULE: &str = "types";

/// Accessor type of a resource, in its module: `notification::Api`.
pub fn resource_api_type(_resource: &str) -> String {
    "Api".to_string()
}

/// Variant of an event in the generated `Event` enum, e.g. `TicketCreatedV1`
/// for `helpdesk.ticket.created_v1` (its payload type appends `Event`).
pub fn event_variant(service: &str, event_type: &str) -> String {
    pascal(
        event_type
            .strip_prefix(&format!("{service}."))
            .unwrap_or(event_type),
    )
}

/// A JSON key → a Rust field identifier (snake_case).
pub fn field_ident(wire: &str) -> String {
    let mut out = String::new();
    for (i, ch) in wire.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else if ch.is_ascii_alphanumeric() || ch == '_' {
            out.push(ch);
        } else {
            out.push('_');
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Keywords that cannot be raw identifiers: spelled with a trailing `_`.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Rust keywords (strict and reserved, all editions): spelled as raw
/// identifiers (`r#type`).
pub const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// How a name is spelled in Rust source: keywords become raw identifiers
/// (`r#type`), the few that cannot (`self`, `crate`, ...) take a trailing `_`.
pub fn rust_ident(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// A name without its `r#` prefix, for building other names from it.
pub fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Methods every request builder has besides the spec's setters
/// (`send_as` and `paginate` are private but share the namespace).
pub const REQUEST_METHODS: &[&str] = &[
    "send",
    "send_with",
    "send_as",
    "body",
    "timeout",
    "connect_timeout",
    "retry_policy",
    "retry_non_idempotent",
];

/// Methods a request builder of a paged endpoint has besides those.
pub const PAGING_METHODS: &[&str] = &["pages", "items", "pages_with", "items_with", "paginate"];

/// Private fields of every request builder besides the spec's parameters.
pub const REQUEST_FIELDS: &[&str] = &["client", "body", "options"];

/// Constructor every generated struct has.
pub const STRUCT_METHODS: &[&str] = &["new"];

/// Methods of `helpdesk_api::Client` (inherent and from derived traits):
/// a resource accessor must not take one of these names.
pub const CLIENT_METHODS: &[&str] = &[
    "builder",
    "base_url",
    "execute",
    "execute_download",
    "run",
    "url",
    "http_for",
    "attempt",
    "send",
    "oauth_transport",
    "call_token",
    "clone",
    "clone_from",
    "fmt",
];

/// Items at the root of `helpdesk_api` besides the generated ones (the
/// runtime's re-exports and modules): no generated type may take these names.
pub const RUNTIME_ITEMS: &[&str] = &[
    "AppAccessToken",
    "HelpdeskCredentials",
    "TenantAccessToken",
    "UserAccessToken",
    "Token",
    "TokenKind",
    "Endpoint",
    "Method",
    "RateLimit",
    "Client",
    "ClientBuilder",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "Download",
    "FEISHU_BASE_URL",
    "HELPDESK_HEADER",
    "LARK_BASE_URL",
    "LOG_ID_HEADER",
    "ApiError",
    "ErrorKind",
    "UnhandledError",
    "BuildError",
    "Error",
    "InvalidRequest",
    "ReplyError",
    "ReplyErrorKind",
    "TransportError",
    "InProcessRateLimiter",
    "RateLimiter",
    "Items",
    "Pages",
    "RequestOptions",
    "RetryPolicy",
    "BoxFuture",
    "DEFAULT_REFRESH_MARGIN",
    "MAX_TOKEN_LIFETIME",
    "MIN_TOKEN_LIFETIME",
    "TENANT_TOKEN_PATH",
    "TokenError",
    "TokenErrorKind",
    "TokenProvider",
    "JsonString",
    "TimestampMs",
    "TimestampMsNumber",
    "TimestampSecs",
    "UnknownValue",
    "Event",
    "events",
    "redis_store",
    "runtime",
    "generated",
    "reqwest",
    "__fixtures",
    "types",
    "AuthorizationCode",
    "FEISHU_AUTHORIZE_URL",
    "LARK_AUTHORIZE_URL",
    "FileUserTokenStore",
    "ManagedUserToken",
    "MemoryUserTokenStore",
    "RedisUserTokenStore",
    "REAUTH_CODES",
    "USER_TOKEN_PATH",
    "UserTokenRecord",
    "UserTokenStore",
    "UserTokens",
    "UserTokensBuilder",
];

/// The variant every generated enum keeps for values the spec does not list.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// The variant every error enum keeps for codes the spec does not list.
pub const UNHANDLED_VARIANT: &str = "Unhandled";

/// Request builder type of an endpoint stem.
pub fn request_type(stem: &str) -> String {
    format!("{stem}Request")
}

/// Reply (`data`) type of an endpoint stem.
pub fn response_type(stem: &str) -> String {
    format!("{stem}Response")
}

/// Error enum of an endpoint stem.
pub fn error_type(stem: &str) -> String {
    format!("{stem}Error")
}

/// Request body type of an endpoint stem.
pub fn body_type(stem: &str) -> String {
    format!("{stem}Body")
}

/// Token-kind trait of an endpoint that accepts several token kinds.
pub fn token_trait(stem: &str) -> String {
    format!("{stem}Token")
}

/// Every type name an endpoint generates in its resource's module.
pub fn endpoint_types(stem: &str) -> [String; 6] {
    [
        request_type(stem),
        response_type(stem),
        error_type(stem),
        body_type(stem),
        token_trait(stem),
        args_type(stem),
    ]
}

/// Static holding an endpoint's facts, in its module: `notification::GET_ENDPOINT`.
pub fn endpoint_static(_resource: &str, operation: &str) -> String {
    format!("{operation}_ENDPOINT").to_ascii_uppercase()
}

/// The struct of named arguments of an endpoint with two or more required
/// values (so that two IDs cannot be swapped): `ticket::TicketImageArgs`.
pub fn args_type(stem: &str) -> String {
    format!("{stem}Args")
}

/// Payload type of an event variant, e.g. `TicketCreatedV1Event`.
pub fn event_type_name(variant: &str) -> String {
    format!("{variant}Event")
}

/// Variant of an enum value or error name (`snake_case` in the spec).
pub fn variant(name: &str) -> String {
    pascal(name)
}

/// The method that appends one value to a list parameter.
pub fn list_adder(param_ident: &str) -> String {
    format!("add_{}", bare(param_ident))
}

/// The name a body field takes on its request builder: its own, or
/// `body_…` when that is taken by a parameter or a builder method.
pub fn body_member(field_ident: &str, params: &[String], paged: bool) -> String {
    let taken = params.iter().any(|p| p == field_ident)
        || REQUEST_METHODS.contains(&bare(field_ident))
        || REQUEST_FIELDS.contains(&bare(field_ident))
        || (paged && PAGING_METHODS.contains(&bare(field_ident)));
    if taken {
        format!("body_{}", bare(field_ident))
    } else {
        field_ident.to_string()
    }
}

/// Which namespace of a request builder a name lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Namespace {
    /// Methods of the builder type.
    Method,
    /// Fields of the builder struct.
    Field,
    /// Arguments of the resource method that creates the builder.
    Argument,
}

/// A name the generated request builder of an endpoint uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuilderName {
    /// The identifier as written in Rust (`r#type`, `body_timeout`, ...).
    pub ident: String,
    /// Where it lives.
    pub namespace: Namespace,
    /// JSON pointer, in the endpoint file, of what it comes from; empty for
    /// the builder's own members.
    pub pointer: String,
}

/// Every name the request builder of `e` uses: the builder's own members
/// and those derived from the spec's parameters and body fields. Two equal
/// names in one namespace do not compile; the validator reports them.
pub fn builder_names(e: &crate::spec::EndpointFile) -> Vec<BuilderName> {
    let mut out = Vec::new();
    let mut own = |ident: &str, namespace| {
        out.push(BuilderName {
            ident: ident.to_string(),
            namespace,
            pointer: String::new(),
        })
    };
    let paged = e.pagination.is_some();
    for m in REQUEST_METHODS
        .iter()
        .chain(if paged { PAGING_METHODS } else { &[] })
    {
        own(m, Namespace::Method);
    }
    for f in REQUEST_FIELDS {
        own(f, Namespace::Field);
    }
    let params: Vec<String> = e
        .path_params
        .iter()
        .chain(&e.query_params)
        .map(|p| rust_ident(&field_ident(&p.name)))
        .collect();
    let mut push = |ident: String, namespace, pointer: String| {
        out.push(BuilderName {
            ident,
            namespace,
            pointer,
        })
    };
    for (i, p) in e.path_params.iter().enumerate() {
        let ident = rust_ident(&field_ident(&p.name));
        let at = format!("/path_params/{i}/name");
        push(ident.clone(), Namespace::Field, at.clone());
        push(ident, Namespace::Argument, at);
    }
    for (i, p) in e.query_params.iter().enumerate() {
        let ident = rust_ident(&field_ident(&p.name));
        let at = format!("/query_params/{i}/name");
        push(ident.clone(), Namespace::Field, at.clone());
        if p.required {
            push(ident, Namespace::Argument, at);
        } else {
            if p.ty.ends_with("[]") {
                push(list_adder(&ident), Namespace::Method, at.clone());
            }
            push(ident, Namespace::Method, at);
        }
    }
    let fields = e.request_body.as_ref().map_or(&[][..], |b| &b.fields[..]);
    for (i, f) in fields.iter().enumerate() {
        let ident = body_member(&rust_ident(&field_ident(&f.name)), &params, paged);
        let at = format!("/request_body/fields/{i}/name");
        let ns = if f.required {
            Namespace::Argument
        } else {
            Namespace::Method
        };
        push(ident, ns, at);
    }
    out
}

/// The enum of every event the spec declares.
pub const EVENT_ENUM: &str = "Event";
