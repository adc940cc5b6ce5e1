//! Tokens: the IR → `proc_macro2` tokens → formatted Rust text.
//!
//! The generated code is thin: it declares types and per-endpoint request
//! builders and calls into the hand-written runtime of `helpdesk-api`
//! (`crate::runtime`) for everything that happens on the wire.

use crate::ir::{
    Api, EndpointIr, EnumIr, FieldIr, ParamIr, PathPart, ResourceIr, RustTy, StructIr, TypeIr,
    WireValue,
};
use crate::spec::{EnumRepr, TokenKind};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

/// Generates the formatted Rust source for the whole API.
///
/// Parsing the tokens back (syn) and printing them (prettyplease) is most
/// of the generator's time, so the API is rendered in two halves on two
/// threads (token streams are not `Send`, so each thread builds its own
/// from the shared IR) and the texts are joined in order.
pub fn render(api: &Api) -> String {
    let parts = parts(api);
    // Split where half the estimated work is done (resources weigh far
    // more than types), keeping the output order.
    let weights: Vec<usize> = parts.iter().map(|p| p.weight()).collect();
    let total: usize = weights.iter().sum();
    let mut acc = 0;
    let mid = weights
        .iter()
        .position(|w| {
            acc += w;
            acc * 2 >= total
        })
        .map_or(parts.len(), |i| i + 1);
    let (first, second) = parts.split_at(mid);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| render_parts(second));
        let mut text = render_parts(first);
        match other.join() {
            Ok(rest) => text.push_str(&rest),
            // A panic in the other half: render it here instead.
            Err(_) => text.push_str(&render_parts(second)),
        }
        text
    })
}

/// One part of the output: a named type, a resource with its endpoints,
/// or the events.
#[derive(Clone, Copy)]
enum Part<'a> {
    Type(&'a TypeIr),
    Resource(&'a ResourceIr),
    Events(&'a [crate::ir::EventIr]),
}

impl Part<'_> {
    /// Rough size of the generated code, to balance the two halves.
    fn weight(&self) -> usize {
        match self {
            Part::Type(TypeIr::Struct(s)) => 4 + s.fields.len(),
            Part::Type(TypeIr::Enum(e)) => 10 + e.variants.len(),
            Part::Resource(r) => r
                .endpoints
                .iter()
                .map(|e| {
                    40 + e.path_params.len()
                        + 2 * e.query_params.len()
                        + e.response_fields.len()
                        + 2 * e.body.as_ref().map_or(0, Vec::len)
                        + 3 * e.errors.len()
                        + if e.pagination.is_some() { 30 } else { 0 }
                })
                .sum(),
            Part::Events(ev) => ev.iter().map(|e| 10 + e.fields.len()).sum(),
        }
    }
}

fn parts(api: &Api) -> Vec<Part<'_>> {
    let mut parts: Vec<Part<'_>> = api.types.iter().map(Part::Type).collect();
    parts.extend(api.resources.iter().map(Part::Resource));
    parts.push(Part::Events(&api.events));
    parts
}

fn part_tokens(part: Part<'_>) -> TokenStream {
    match part {
        Part::Type(TypeIr::Struct(s)) => gen_struct(s),
        Part::Type(TypeIr::Enum(e)) => gen_enum(e),
        Part::Resource(r) => gen_resource(r),
        Part::Events(e) => gen_events(e),
    }
}

fn render_parts(parts: &[Part<'_>]) -> String {
    let tokens: TokenStream = parts.iter().map(|p| part_tokens(*p)).collect();
    match syn::parse2::<syn::File>(tokens) {
        Ok(file) => prettyplease::unparse(&file),
        // Unreachable for a validated spec; keep the raw tokens so the
        // compiler can point at the problem instead of panicking here.
        Err(_) => parts
            .iter()
            .map(|p| part_tokens(*p))
            .collect::<TokenStream>()
            .to_string(),
    }
}

/// The token stream of the whole generated module.
pub fn tokens(api: &Api) -> TokenStream {
    parts(api).into_iter().map(part_tokens).collect()
}

/// Typed event payloads and the `Event` enum the runtime's event
/// decoder produces.
fn gen_events(events: &[crate::ir::EventIr]) -> TokenStream {
    let structs = events.iter().map(|e| {
        gen_struct(&StructIr {
            name: e.type_name.clone(),
            doc: e.doc.clone(),
            fields: e.fields.clone(),
        })
    });
    let variants = events.iter().map(|e| {
        let v = ident(&e.variant);
        let t = ident(&e.type_name);
        let d = doc(&format!("`{}`", e.event_type));
        quote!(#d #v(#t),)
    });
    let names: Vec<&String> = events.iter().map(|e| &e.event_type).collect();
    let vs: Vec<Ident> = events.iter().map(|e| ident(&e.variant)).collect();
    quote! {
        #(#structs)*

        /// An event of the helpdesk, decoded by [`crate::events::EventDecoder`]: one
        /// variant per event type in the spec; other types are kept raw.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants)*
            /// An event type the spec does not declare, kept as received.
            Unknown {
                /// `header.event_type`.
                event_type: String,
                /// The raw `event` object.
                event: serde_json::Value,
            },
        }

        impl Event {
            /// Event types the spec declares.
            pub const EVENT_TYPES: &'static [&'static str] = &[#(#names),*];

            /// The event type on the wire.
            pub fn event_type(&self) -> &str {
                match self {
                    #(Self::#vs(_) => #names,)*
                    Self::Unknown { event_type, .. } => event_type,
                }
            }

            /// Decodes the `event` object of a callback whose header says `event_type`.
            pub fn from_parts(event_type: &str, event: &str) -> Result<Self, serde_json::Error> {
                Ok(match event_type {
                    #(#names => Self::#vs(serde_json::from_str(event)?),)*
                    other => Self::Unknown { event_type: other.to_string(), event: serde_json::from_str(event)? },
                })
            }
        }
    }
}

fn ident(s: &str) -> Ident {
    if syn::parse_str::<Ident>(s).is_ok() {
        Ident::new(s, Span::call_site())
    } else if matches!(s, "self" | "Self" | "super" | "crate" | "_") {
        format_ident!("{}_", s)
    } else {
        Ident::new_raw(s, Span::call_site())
    }
}

/// `#[doc]` attributes, one per line, each with a leading space (so the
/// output reads as `/// text`).
fn doc(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|l| {
        let l = format!(" {}", l.trim_end());
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

fn ty_tokens(t: &RustTy) -> TokenStream {
    match t {
        RustTy::String => quote!(String),
        RustTy::I32 => quote!(i32),
        RustTy::I64 | RustTy::I64String => quote!(i64),
        RustTy::F64 => quote!(f64),
        RustTy::Bool => quote!(bool),
        RustTy::TimestampMs => quote!(crate::TimestampMs),
        RustTy::JsonString => quote!(crate::JsonString),
        RustTy::Json => quote!(serde_json::Value),
        RustTy::Named(n) => {
            let n = ident(n);
            quote!(#n)
        }
        RustTy::Vec(inner) => {
            let inner = ty_tokens(inner);
            quote!(Vec<#inner>)
        }
    }
}

fn gen_field(f: &FieldIr) -> TokenStream {
    let name = ident(&f.ident);
    let wire = &f.wire;
    let d = doc(&f.doc);
    let ty = ty_tokens(&f.ty);
    let i64s = f.ty == RustTy::I64String;
    match (f.optional, i64s) {
        (true, false) => quote! {
            #d
            #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
            pub #name: Option<#ty>,
        },
        (true, true) => quote! {
            #d
            #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none", with = "crate::runtime::serde_i64_string::option")]
            pub #name: Option<#ty>,
        },
        (false, false) => quote! {
            #d
            #[serde(rename = #wire)]
            pub #name: #ty,
        },
        (false, true) => quote! {
            #d
            #[serde(rename = #wire, with = "crate::runtime::serde_i64_string")]
            pub #name: #ty,
        },
    }
}

fn gen_struct(s: &StructIr) -> TokenStream {
    let name = ident(&s.name);
    let d = doc(&s.doc);
    let fields = s.fields.iter().map(gen_field);
    let required: Vec<&FieldIr> = s.fields.iter().filter(|f| !f.optional).collect();
    let args = required.iter().map(|f| {
        let n = ident(&f.ident);
        let t = arg_ty(&f.ty);
        quote!(#n: #t)
    });
    let inits = s.fields.iter().map(|f| {
        let n = ident(&f.ident);
        if f.optional {
            quote!(#n: None)
        } else if f.ty == RustTy::String {
            quote!(#n: #n.into())
        } else {
            quote!(#n)
        }
    });
    let new_doc = doc(if required.is_empty() {
        "A value with every optional field unset."
    } else {
        "A value from its required fields; optional fields are unset (assign them directly)."
    });
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        impl #name {
            #new_doc
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
        }
    }
}

/// Argument type for a value of `t`: strings accept anything `Into<String>`.
fn arg_ty(t: &RustTy) -> TokenStream {
    match t {
        RustTy::String => quote!(impl Into<String>),
        other => ty_tokens(other),
    }
}

/// The name a body field takes in builder methods (prefixed if it clashes with a parameter).
fn body_arg_name(e: &EndpointIr, f: &FieldIr) -> String {
    let clash = e
        .path_params
        .iter()
        .chain(&e.query_params)
        .any(|p| p.ident == f.ident)
        || matches!(
            f.ident.as_str(),
            "send"
                | "send_with"
                | "send_as"
                | "pages"
                | "items"
                | "pages_with"
                | "items_with"
                | "paginate"
                | "body"
                | "timeout"
                | "retry_policy"
                | "retry_non_idempotent"
        );
    if clash {
        format!("body_{}", f.ident.trim_start_matches("r#"))
    } else {
        f.ident.clone()
    }
}

fn gen_enum(e: &EnumIr) -> TokenStream {
    let name = ident(&e.name);
    let d = doc(&e.doc);
    let variants = e.variants.iter().map(|v| {
        let vi = ident(&v.ident);
        let wire = match &v.wire {
            WireValue::Int(n) => n.to_string(),
            WireValue::Str(s) => format!("\"{s}\""),
        };
        let vd = doc(&format!("`{wire}`: {}", v.doc));
        quote!(#vd #vi,)
    });
    let unknown_doc = doc(
        "A value this version of the spec does not list, kept as received.\n\n\
         Match on the documented variants and treat this one as \"other\": a later\n\
         version may give the value its own variant.",
    );
    let idents: Vec<Ident> = e.variants.iter().map(|v| ident(&v.ident)).collect();
    match e.repr {
        EnumRepr::Int => {
            let lits: Vec<Literal> = e
                .variants
                .iter()
                .map(|v| match &v.wire {
                    WireValue::Int(n) => Literal::i64_unsuffixed(*n),
                    WireValue::Str(_) => Literal::i64_unsuffixed(0),
                })
                .collect();
            quote! {
                #d
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #(#variants)*
                    #unknown_doc
                    Unknown(crate::UnknownValue),
                }
                impl #name {
                    /// The integer sent on the wire.
                    pub fn value(&self) -> i64 {
                        match self {
                            #(Self::#idents => #lits,)*
                            Self::Unknown(v) => v.as_i64().unwrap_or_default(),
                        }
                    }
                    /// The variant for a wire value; unknown values are kept.
                    pub fn from_value(value: i64) -> Self {
                        match value {
                            #(#lits => Self::#idents,)*
                            other => Self::Unknown(crate::UnknownValue::int(other)),
                        }
                    }
                }
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        s.serialize_i64(self.value())
                    }
                }
                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        <i64 as serde::Deserialize>::deserialize(d).map(Self::from_value)
                    }
                }
                impl crate::runtime::QueryValue for #name {
                    fn write_query(&self, out: &mut String) {
                        self.value().write_query(out)
                    }
                }
            }
        }
        EnumRepr::String => {
            let lits: Vec<String> = e
                .variants
                .iter()
                .map(|v| match &v.wire {
                    WireValue::Str(s) => s.clone(),
                    WireValue::Int(n) => n.to_string(),
                })
                .collect();
            quote! {
                #d
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #(#variants)*
                    #unknown_doc
                    Unknown(crate::UnknownValue),
                }
                impl #name {
                    /// The string sent on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #(Self::#idents => #lits,)*
                            Self::Unknown(v) => v.as_str().unwrap_or_default(),
                        }
                    }
                    /// The variant for a wire value; unknown values are kept.
                    pub fn from_wire(value: &str) -> Self {
                        match value {
                            #(#lits => Self::#idents,)*
                            other => Self::Unknown(crate::UnknownValue::string(other)),
                        }
                    }
                }
                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        s.serialize_str(self.as_str())
                    }
                }
                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        crate::runtime::deserialize_str_with(d, Self::from_wire)
                    }
                }
                impl crate::runtime::QueryValue for #name {
                    fn write_query(&self, out: &mut String) {
                        out.push_str(self.as_str())
                    }
                }
            }
        }
    }
}

fn token_type(k: TokenKind) -> TokenStream {
    match k {
        TokenKind::UserAccessToken => quote!(crate::UserAccessToken),
        TokenKind::TenantAccessToken => quote!(crate::TenantAccessToken),
        TokenKind::AppAccessToken => quote!(crate::AppAccessToken),
    }
}

fn gen_resource(r: &ResourceIr) -> TokenStream {
    let api = ident(&r.api_type);
    let accessor = ident(&r.name);
    let adoc = doc(&format!("Operations on the `{}` resource.", r.name));
    let cdoc = doc(&format!(
        "Operations on the `{}` resource: {}.",
        r.name,
        r.endpoints
            .iter()
            .map(|e| format!("`{}`", e.fn_name))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let methods = r.endpoints.iter().map(gen_constructor);
    let endpoints = r.endpoints.iter().map(gen_endpoint);
    quote! {
        #adoc
        #[derive(Debug, Clone, Copy)]
        pub struct #api<'a> {
            client: &'a crate::Client,
        }
        impl crate::Client {
            #cdoc
            pub fn #accessor(&self) -> #api<'_> {
                #api { client: self }
            }
        }
        impl #api<'_> {
            #(#methods)*
        }
        #(#endpoints)*
    }
}

fn endpoint_doc(e: &EndpointIr) -> String {
    let mut s = format!("{}\n", e.summary);
    if !e.description.is_empty() && e.description != e.summary {
        s.push_str(&format!("\n{}\n", e.description));
    }
    s.push_str(&format!("\n`{} {}`\n", e.method.as_str(), e.path));
    let tokens: Vec<_> = e
        .tokens
        .iter()
        .map(|t| format!("`{}`", t.as_str()))
        .collect();
    s.push_str(&format!("\n- Access token: {}\n", tokens.join(" or ")));
    s.push_str(&format!(
        "- Helpdesk header (`X-Lark-Helpdesk-Authorization`): {}\n",
        if e.helpdesk_header {
            "required, sent automatically"
        } else {
            "not used"
        }
    ));
    let limits: Vec<_> = e
        .rate_limits
        .iter()
        .map(|(n, w)| format!("{n} per {}", if *w == 60 { "minute" } else { "second" }))
        .collect();
    let rl = match (limits.is_empty(), &e.rate_note) {
        (false, _) => limits.join(", "),
        (true, Some(n)) => n.clone(),
        (true, None) => "not documented".into(),
    };
    s.push_str(&format!("- Rate limit: {rl}\n"));
    if !e.scopes.is_empty() {
        s.push_str(&format!(
            "- Scopes (any of): {}\n",
            e.scopes
                .iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(u) = &e.doc_url {
        s.push_str(&format!("\n[Official documentation]({u})\n"));
    }
    s
}

fn param_arg_ty(p: &ParamIr) -> TokenStream {
    match &p.ty {
        RustTy::String => quote!(impl Into<String>),
        other => ty_tokens(other),
    }
}

fn param_store_ty(p: &ParamIr) -> TokenStream {
    let t = ty_tokens(&p.ty);
    if p.list { quote!(Vec<#t>) } else { t }
}

fn gen_constructor(e: &EndpointIr) -> TokenStream {
    let f = ident(&e.fn_name);
    let req = format_ident!("{}Request", e.stem);
    let mut d = endpoint_doc(e);
    for p in e
        .path_params
        .iter()
        .chain(e.query_params.iter().filter(|q| q.required))
    {
        d.push_str(&format!(
            "\n`{}`: {}\n",
            p.ident,
            p.doc.lines().next().unwrap_or_default()
        ));
    }
    for f in e.body.iter().flatten().filter(|f| !f.optional) {
        d.push_str(&format!(
            "\n`{}` (body): {}\n",
            body_arg_name(e, f),
            f.doc.lines().next().unwrap_or_default()
        ));
    }
    let d = doc(&d);
    let required: Vec<&ParamIr> = e
        .path_params
        .iter()
        .chain(e.query_params.iter().filter(|q| q.required))
        .collect();
    let args = required.iter().map(|p| {
        let n = ident(&p.ident);
        let t = if p.list {
            param_store_ty(p)
        } else {
            param_arg_ty(p)
        };
        quote!(#n: #t)
    });
    let inits = required.iter().map(|p| {
        let n = ident(&p.ident);
        if p.ty == RustTy::String && !p.list {
            quote!(#n: #n.into())
        } else {
            quote!(#n)
        }
    });
    let optional_inits = e.query_params.iter().filter(|q| !q.required).map(|p| {
        let n = ident(&p.ident);
        if p.list {
            quote!(#n: Vec::new())
        } else {
            quote!(#n: None)
        }
    });
    let body_required: Vec<&FieldIr> = e.body.iter().flatten().filter(|f| !f.optional).collect();
    let body_args = body_required.iter().map(|f| {
        let n = ident(&body_arg_name(e, f));
        let t = arg_ty(&f.ty);
        quote!(#n: #t)
    });
    let body_init = e.body.as_ref().map(|_| {
        let body = format_ident!("{}Body", e.stem);
        let names = body_required.iter().map(|f| ident(&body_arg_name(e, f)));
        quote!(body: #body::new(#(#names),*),)
    });
    let args: Vec<TokenStream> = args.chain(body_args).collect();
    quote! {
        #d
        #[allow(clippy::too_many_arguments)]
        pub fn #f(&self, #(#args),*) -> #req {
            #req {
                client: self.client.clone(),
                #(#inits,)*
                #(#optional_inits,)*
                #body_init
                options: Default::default(),
            }
        }
    }
}

fn gen_endpoint(e: &EndpointIr) -> TokenStream {
    let req = format_ident!("{}Request", e.stem);
    let resp = format_ident!("{}Response", e.stem);
    let err = format_ident!("{}Error", e.stem);
    let meta = format_ident!("{}_ENDPOINT", e.id.replace('.', "_").to_uppercase());
    let id = &e.id;
    let path = &e.path;
    let method = format_ident!("{}", pascal_method(e.method.as_str()));
    let helpdesk = e.helpdesk_header;
    let limits = e
        .rate_limits
        .iter()
        .map(|(n, w)| quote!(crate::runtime::RateLimit { requests: #n, per_seconds: #w }));
    let token_kinds = e.tokens.iter().map(|t| {
        let v = format_ident!("{}", crate::ir::pascal(t.as_str()));
        quote!(crate::runtime::TokenKind::#v)
    });

    // request struct fields
    let req_fields = e.path_params.iter().chain(e.query_params.iter()).map(|p| {
        let n = ident(&p.ident);
        let t = param_store_ty(p);
        if p.required || p.list {
            quote!(#n: #t,)
        } else {
            quote!(#n: Option<#t>,)
        }
    });
    // optional setters
    let setters = e.query_params.iter().filter(|q| !q.required).map(|p| {
        let n = ident(&p.ident);
        let d = doc(&p.doc);
        if p.list {
            let t = ty_tokens(&p.ty);
            let add = format_ident!("add_{}", p.ident.trim_start_matches("r#"));
            let add_doc = doc(&format!("Appends one value to `{}`.", p.wire));
            quote! {
                #d
                pub fn #n(mut self, values: impl IntoIterator<Item = #t>) -> Self {
                    self.#n = values.into_iter().collect();
                    self
                }
                #add_doc
                pub fn #add(mut self, value: #t) -> Self {
                    self.#n.push(value);
                    self
                }
            }
        } else {
            let t = param_arg_ty(p);
            let conv = if p.ty == RustTy::String {
                quote!(value.into())
            } else {
                quote!(value)
            };
            quote! {
                #d
                pub fn #n(mut self, value: #t) -> Self {
                    self.#n = Some(#conv);
                    self
                }
            }
        }
    });
    // path building
    let cap: usize = e
        .segments
        .iter()
        .map(|s| match s {
            PathPart::Literal(l) => l.len(),
            PathPart::Param(_) => 24,
        })
        .sum();
    let path_build = e.segments.iter().map(|s| match s {
        PathPart::Literal(l) => quote!(path.push_str(#l);),
        PathPart::Param(p) => {
            let n = ident(p);
            let wire = e.path_params.iter().find(|x| &x.ident == p).map_or(p.as_str(), |x| x.wire.as_str());
            let is_string = e.path_params.iter().any(|x| &x.ident == p && x.ty == RustTy::String);
            if is_string {
                quote!(crate::runtime::push_path_segment(&mut path, #wire, &self.#n)?;)
            } else {
                quote!(crate::runtime::push_path_segment(&mut path, #wire, &crate::runtime::QueryValue::to_query_string(&self.#n))?;)
            }
        }
    });
    let query_build = e.query_params.iter().map(|p| {
        let n = ident(&p.ident);
        let w = &p.wire;
        if p.list {
            quote!(for v in &self.#n { query.push(#w, v); })
        } else if p.required {
            quote!(query.push(#w, &self.#n);)
        } else {
            quote!(if let Some(v) = &self.#n { query.push(#w, v); })
        }
    });

    // token argument
    let (token_generics, token_arg) = if e.tokens.len() == 1 {
        let t = token_type(e.tokens[0]);
        (quote!(), quote!(token: #t))
    } else {
        let tr = format_ident!("{}Token", e.stem);
        (quote!(<T: #tr>), quote!(token: T))
    };
    let multi_token_trait = if e.tokens.len() > 1 {
        let tr = format_ident!("{}Token", e.stem);
        let kinds = e
            .tokens
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        let msg = format!("`{{Self}}` cannot call `{}`: it accepts {kinds}", e.id);
        let td = doc(&format!(
            "The access-token kinds `{}` accepts: {kinds}.",
            e.id
        ));
        let impls = e.tokens.iter().map(|t| {
            let ty = token_type(*t);
            quote!(impl #tr for #ty {})
        });
        quote! {
            #td
            #[diagnostic::on_unimplemented(message = #msg)]
            pub trait #tr: crate::runtime::Token {}
            #(#impls)*
        }
    } else {
        quote!()
    };

    let req_doc = doc(&format!(
        "Request builder for `{}`: {}. Created by [`crate::Client::{}`]`().{}(…)`; send it with `send_with`.",
        e.id,
        e.summary,
        e.id.split('.').next().unwrap_or_default(),
        e.fn_name
    ));
    let send_doc = doc(&format!(
        "Sends the request with the given access token ({}).{}",
        e.tokens
            .iter()
            .map(|t| format!("`{}`", t.as_str()))
            .collect::<Vec<_>>()
            .join(" or "),
        if e.helpdesk_header {
            " The helpdesk header is added from the client's helpdesk credentials."
        } else {
            ""
        }
    ));
    let resp_struct = gen_struct(&StructIr {
        name: resp.to_string(),
        doc: format!("The `data` of a successful `{}` reply.", e.id),
        fields: e.response_fields.clone(),
    });
    let meta_doc = doc(&format!("Static facts about `{}`, from the spec.", e.id));

    // errors
    let err_doc = doc(&format!(
        "Errors documented for `{}`, one variant per code, plus `Unhandled` for any other code.",
        e.id
    ));
    let variants = e.errors.iter().map(|er| {
        let v = ident(&er.variant);
        let d = doc(&format!(
            "`{}` (HTTP {}): {}\n\n排查建议 / advice: {}",
            er.code, er.status, er.message, er.advice
        ));
        quote!(#d #v(crate::ApiError),)
    });
    let codes: Vec<i64> = e.errors.iter().map(|er| er.code).collect();
    let advices: Vec<&String> = e.errors.iter().map(|er| &er.advice).collect();
    let vnames: Vec<Ident> = e.errors.iter().map(|er| ident(&er.variant)).collect();

    let body_ty = format_ident!("{}Body", e.stem);
    let body_field = e.body.as_ref().map(|_| quote!(body: #body_ty,));
    let body_struct = e.body.as_ref().map(|fields| {
        gen_struct(&StructIr {
            name: body_ty.to_string(),
            doc: format!("The JSON request body of `{}`.", e.id),
            fields: fields.clone(),
        })
    });
    let body_setters = e.body.iter().flatten().filter(|f| f.optional).map(|f| {
        let setter = ident(&body_arg_name(e, f));
        let field = ident(&f.ident);
        let d = doc(&format!("{}\n\n(request body field `{}`)", f.doc, f.wire));
        let t = arg_ty(&f.ty);
        let conv = if f.ty == RustTy::String {
            quote!(value.into())
        } else {
            quote!(value)
        };
        quote! {
            #d
            pub fn #setter(mut self, value: #t) -> Self {
                self.body.#field = Some(#conv);
                self
            }
        }
    });
    let body_replace = e.body.as_ref().map(|_| {
        quote! {
            /// Replaces the whole request body.
            pub fn body(mut self, body: #body_ty) -> Self {
                self.body = body;
                self
            }
        }
    });
    let body_expr = if e.body.is_some() {
        quote!(Some(crate::runtime::encode_body(&self.body)?))
    } else {
        quote!(None)
    };
    let (ret_ty, exec) = if e.binary {
        (quote!(crate::Download), quote!(execute_download))
    } else {
        (quote!(#resp), quote!(execute))
    };
    let resp_struct = if e.binary { quote!() } else { resp_struct };
    let paging = e.pagination.as_ref().map(|pg| gen_paging(e, pg));
    let send_managed = e.tokens.contains(&TokenKind::TenantAccessToken).then(|| {
        let d = doc(
            "Sends the request with the client's tenant access token (managed from\n\
             `ClientBuilder::app_credentials`, or from a `ClientBuilder::token_provider`).\n\
             A token the platform rejects is refreshed and the request retried once.",
        );
        quote! {
            #d
            pub async fn send(self) -> Result<#ret_ty, crate::Error<#err>> {
                self.send_as(crate::runtime::Auth::Tenant).await
            }
        }
    });

    quote! {
        #meta_doc
        pub static #meta: crate::runtime::Endpoint = crate::runtime::Endpoint {
            id: #id,
            method: crate::runtime::Method::#method,
            path: #path,
            tokens: &[#(#token_kinds),*],
            helpdesk_header: #helpdesk,
            rate_limits: &[#(#limits),*],
        };

        #multi_token_trait

        #req_doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #req {
            client: crate::Client,
            #(#req_fields)*
            #body_field
            options: crate::RequestOptions,
        }

        impl #req {
            #(#setters)*
            #(#body_setters)*
            #body_replace

            #send_doc
            pub async fn send_with #token_generics(self, #token_arg) -> Result<#ret_ty, crate::Error<#err>> {
                self.send_as(crate::runtime::Auth::Given(crate::runtime::Token::secret(&token))).await
            }

            #send_managed

            async fn send_as(self, auth: crate::runtime::Auth<'_>) -> Result<#ret_ty, crate::Error<#err>> {
                let mut path = String::with_capacity(#cap);
                #(#path_build)*
                #[allow(unused_mut)]
                let mut query = crate::runtime::Query::new();
                #(#query_build)*
                let body: Option<Vec<u8>> = #body_expr;
                let call = crate::runtime::Call { endpoint: &#meta, path, query, body, auth, options: &self.options };
                self.client.#exec(call).await
            }

            /// Total time allowed for this request (each attempt), instead of the client's timeout.
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Time allowed to open a new connection for this request, instead of the client's
            /// connect timeout (such requests use connections kept for that value).
            pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.connect_timeout = Some(timeout);
                self
            }

            /// The retry policy for this request, instead of the client's.
            pub fn retry_policy(mut self, policy: crate::RetryPolicy) -> Self {
                self.options.retry = Some(policy);
                self
            }

            /// Allow retries after 5xx replies and timeouts even though this request may change state.
            pub fn retry_non_idempotent(mut self) -> Self {
                self.options.retry_non_idempotent = true;
                self
            }

            #paging
        }

        #resp_struct
        #body_struct

        #err_doc
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum #err {
            #(#variants)*
            /// A code this endpoint's documentation does not list (including platform codes).
            Unhandled(crate::ApiError),
        }

        impl crate::runtime::OperationError for #err {
            fn from_api(err: crate::ApiError) -> Self {
                match err.code {
                    #(#codes => Self::#vnames(err.with_advice(#advices)),)*
                    _ => Self::Unhandled(err),
                }
            }
            fn api_error(&self) -> &crate::ApiError {
                match self {
                    #(Self::#vnames(e) => e,)*
                    Self::Unhandled(e) => e,
                }
            }
            fn into_api_error(self) -> crate::ApiError {
                match self {
                    #(Self::#vnames(e) => e,)*
                    Self::Unhandled(e) => e,
                }
            }
        }

        impl std::fmt::Display for #err {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(crate::runtime::OperationError::api_error(self), f)
            }
        }

        impl std::error::Error for #err {}
    }
}

fn pascal_method(m: &str) -> String {
    let mut s = m.to_ascii_lowercase();
    if let Some(f) = s.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    s
}

/// `pages(token)` and `items(token)` for a list endpoint.
fn gen_paging(e: &EndpointIr, pg: &crate::ir::PaginationIr) -> TokenStream {
    use crate::spec::PageStyle;
    let resp = format_ident!("{}Response", e.stem);
    let err = format_ident!("{}Error", e.stem);
    let item = ty_tokens(&pg.item_ty);
    let items_field = ident(&pg.items.ident);
    let cursor = ident(&pg.cursor_param);
    let (token_generics, token_ty) = if e.tokens.len() == 1 {
        (quote!(), token_type(e.tokens[0]))
    } else {
        let tr = format_ident!("{}Token", e.stem);
        (quote!(<T: #tr + Clone + Send + 'static>), quote!(T))
    };
    let opt = |f: &FieldIr| {
        let n = ident(&f.ident);
        let copy = matches!(
            f.ty,
            RustTy::Bool | RustTy::I32 | RustTy::I64 | RustTy::I64String | RustTy::F64
        );
        let v = if copy {
            quote!(page.#n)
        } else {
            quote!(page.#n.clone())
        };
        if f.optional { v } else { quote!(Some(#v)) }
    };
    let items_expr = if pg.items.optional {
        quote!(page.#items_field.unwrap_or_default())
    } else {
        quote!(page.#items_field)
    };
    let items_len = if pg.items.optional {
        quote!(page.#items_field.as_ref().map_or(0, Vec::len))
    } else {
        quote!(page.#items_field.len())
    };
    let next = match pg.style {
        PageStyle::PageToken => {
            let has_more = pg
                .has_more
                .as_ref()
                .map(opt)
                .unwrap_or(quote!(None::<bool>));
            let next_token = pg
                .next_token
                .as_ref()
                .map(opt)
                .unwrap_or(quote!(None::<String>));
            quote! {
                let next = crate::runtime::next_token_cursor(#has_more, #next_token, sent.as_deref())
                    .map_err(crate::Error::<#err>::Reply)?;
            }
        }
        PageStyle::Page => {
            let total = pg
                .total
                .as_ref()
                .map(|f| {
                    let e = opt(f);
                    quote!(#e.map(|t| t as i64))
                })
                .unwrap_or(quote!(None::<i64>));
            quote! {
                let got = #items_len;
                let next = crate::runtime::next_page_cursor(cursor, got, #total);
            }
        }
    };
    let apply = match pg.style {
        PageStyle::PageToken => quote! {
            if let Some(crate::runtime::Cursor::Token(t)) = &cursor {
                req.#cursor = Some(t.clone());
            }
            let sent: Option<String> = req.#cursor.clone();
        },
        PageStyle::Page => quote! {
            let cursor = match cursor {
                Some(c) => c,
                None => crate::runtime::Cursor::Page { page: req.#cursor.unwrap_or(1) as i64, seen: 0 },
            };
            if let crate::runtime::Cursor::Page { page, .. } = &cursor {
                req.#cursor = Some(*page as _);
            }
        },
    };
    let pages_doc = doc(
        "Every page, starting from this request's position, fetched lazily one at a time,\n\
         with the given token.\n\n\
         A failed page is yielded as `Err` and ends the stream: an error is never swallowed.",
    );
    let items_doc = doc(
        "Every item of every page, fetched lazily, with the given token. A failed page is yielded\n\
         as `Err` and ends the stream.",
    );
    let managed = e.tokens.contains(&TokenKind::TenantAccessToken).then(|| {
        let pd = doc("Like `pages_with`, with the client's tenant access token (see `send`).");
        let id = doc("Like `items_with`, with the client's tenant access token (see `send`).");
        quote! {
            #pd
            pub fn pages(self) -> crate::Pages<#resp, #err> {
                self.paginate(None)
            }
            #id
            pub fn items(self) -> crate::Items<#item, #resp, #err> {
                crate::Items::new(self.paginate(None), |page: #resp| #items_expr)
            }
        }
    });
    quote! {
        #pages_doc
        pub fn pages_with #token_generics(self, token: #token_ty) -> crate::Pages<#resp, #err> {
            self.paginate(Some(token))
        }

        #items_doc
        pub fn items_with #token_generics(self, token: #token_ty) -> crate::Items<#item, #resp, #err> {
            crate::Items::new(self.paginate(Some(token)), |page: #resp| #items_expr)
        }

        #managed

        fn paginate #token_generics(self, token: Option<#token_ty>) -> crate::Pages<#resp, #err> {
            crate::Pages::new(move |cursor: Option<crate::runtime::Cursor>| {
                let mut req = self.clone();
                let token = token.clone();
                async move {
                    #apply
                    let auth = match &token {
                        Some(t) => crate::runtime::Auth::Given(crate::runtime::Token::secret(t)),
                        None => crate::runtime::Auth::Tenant,
                    };
                    let page = req.send_as(auth).await?;
                    #next
                    Ok::<_, crate::Error<#err>>((page, next))
                }
            })
        }
    }
}
