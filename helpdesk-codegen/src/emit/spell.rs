//! How IR things are spelled as Rust tokens: identifiers, doc attributes,
//! types, token kinds and argument types. Every other emit room uses these;
//! this one uses none of them.

use crate::ir::{EndpointIr, FieldIr, ParamIr, RustTy};
use helpdesk_spec::names;
use helpdesk_spec::spec::TokenKind;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier as the IR spells it (`name`, `r#type`). A name that is
/// not an identifier (only from a spec the validator rejected) becomes one
/// that makes the compiler point at it instead of panicking here.
pub(super) fn ident(s: &str) -> Ident {
    let spelled = if s.starts_with("r#") {
        s.to_string()
    } else {
        helpdesk_spec::names::rust_ident(s)
    };
    match syn::parse_str::<Ident>(&spelled) {
        Ok(i) => i,
        Err(_) => Ident::new("__invalid_spec_name", Span::call_site()),
    }
}

/// `#[doc]` attributes, one per line, each with a leading space (so the
/// output reads as `/// text`).
pub(super) fn doc(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|l| {
        let l = format!(" {}", link_bare_urls(l.trim_end()));
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// Wraps bare `http(s)://` URLs in `<…>` so rustdoc makes them links (and
/// does not warn); URLs already in a markdown link, `<…>` or code are kept.
fn link_bare_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(i) = rest
        .find("http://")
        .into_iter()
        .chain(rest.find("https://"))
        .min()
    {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let end = from
            .find(|c: char| {
                c.is_whitespace()
                    || !c.is_ascii()
                    || matches!(c, ')' | '>' | ']' | '"' | '\'' | '`')
            })
            .unwrap_or(from.len());
        let url = from[..end].trim_end_matches(['.', ',', ';', ':']);
        let wrapped = matches!(before.chars().next_back(), Some('(' | '<' | '`' | '['));
        if wrapped || url.len() <= "https://".len() {
            out.push_str(url);
        } else {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = &from[url.len()..];
    }
    out.push_str(rest);
    out
}

pub(super) fn ty_tokens(t: &RustTy) -> TokenStream {
    match t {
        RustTy::String => quote!(String),
        RustTy::I32 => quote!(i32),
        RustTy::I64 | RustTy::I64String => quote!(i64),
        RustTy::F64 => quote!(f64),
        RustTy::Bool => quote!(bool),
        RustTy::TimestampMs => quote!(crate::TimestampMs),
        RustTy::TimestampMsNumber => quote!(crate::TimestampMsNumber),
        RustTy::TimestampSecs => quote!(crate::TimestampSecs),
        RustTy::JsonString => quote!(crate::JsonString),
        RustTy::Json => quote!(serde_json::Value),
        // Every generated module (the `types` module itself included)
        // has `use super::types;`, so this path works everywhere, in the
        // crate and in the fixture modules alike.
        RustTy::Named(n) => {
            let n = ident(n);
            quote!(types::#n)
        }
        RustTy::Vec(inner) => {
            let inner = ty_tokens(inner);
            quote!(Vec<#inner>)
        }
    }
}

/// The runtime type of an access-token kind.
pub(super) fn token_type(k: TokenKind) -> TokenStream {
    match k {
        TokenKind::UserAccessToken => quote!(crate::UserAccessToken),
        TokenKind::TenantAccessToken => quote!(crate::TenantAccessToken),
        TokenKind::AppAccessToken => quote!(crate::AppAccessToken),
    }
}

/// `(generics, argument type)` of a method taking the endpoint's token:
/// the one token type, or a type bounded by the endpoint's token trait.
pub(super) fn token_param(e: &EndpointIr, extra_bounds: TokenStream) -> (TokenStream, TokenStream) {
    if let [only] = e.tokens[..] {
        (quote!(), token_type(only))
    } else {
        let tr = ident(&names::token_trait(&e.stem));
        (quote!(<T: #tr #extra_bounds>), quote!(T))
    }
}

/// Type of a parameter as stored in the request builder.
pub(super) fn param_store_ty(p: &ParamIr) -> TokenStream {
    let t = ty_tokens(&p.ty);
    if p.list { quote!(Vec<#t>) } else { t }
}

/// The name a body field takes on the builder (see `names::body_member`).
pub(super) fn body_member(e: &EndpointIr, f: &FieldIr) -> String {
    let params: Vec<String> = e
        .path_params
        .iter()
        .chain(&e.query_params)
        .map(|p| p.ident.clone())
        .collect();
    names::body_member(&f.ident, &params, e.pagination.is_some())
}

/// The argument of a setter for a value of `t`, and the expression that
/// turns `value` into it: strings and other values take `impl Into<T>`,
/// lists `impl IntoIterator<Item = impl Into<T>>` (so `["a", "b"]` and a
/// `Vec<String>` both do); numbers and booleans their own type.
pub(super) fn setter_param(t: &RustTy) -> (TokenStream, TokenStream) {
    setter_param_of(t, &quote!(value))
}

/// [`setter_param`] for an argument named other than `value`.
pub(super) fn setter_param_of(t: &RustTy, value: &TokenStream) -> (TokenStream, TokenStream) {
    // Numbers and booleans are taken as they are: `impl Into<i64>` would
    // make a literal like `1616920429000` an overflowing `i32`.
    let plain = |t: &RustTy| {
        matches!(
            t,
            RustTy::I32 | RustTy::I64 | RustTy::I64String | RustTy::F64 | RustTy::Bool
        )
    };
    match t {
        RustTy::Vec(inner) if plain(inner) => {
            let inner = ty_tokens(inner);
            (
                quote!(impl IntoIterator<Item = #inner>),
                quote!(#value.into_iter().collect()),
            )
        }
        other if plain(other) => (ty_tokens(other), quote!(#value)),
        RustTy::Vec(inner) => {
            let inner = ty_tokens(inner);
            (
                quote!(impl IntoIterator<Item = impl Into<#inner>>),
                quote!(#value.into_iter().map(Into::into).collect()),
            )
        }
        other => {
            let t = ty_tokens(other);
            (quote!(impl Into<#t>), quote!(#value.into()))
        }
    }
}
