//! Tokens: the IR → `proc_macro2` tokens → formatted Rust text.
//!
//! The generated code is thin: it declares types and per-endpoint request
//! builders and calls into the hand-written runtime of `helpdesk-api`
//! (`crate::runtime`) for everything that happens on the wire.

mod endpoint;
mod paging;
mod resource;
mod types;

use crate::ir::{Api, ResourceIr, RustTy, TypeIr};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use resource::gen_resource;
use types::{gen_enum, gen_events, gen_struct};

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
        let l = format!(" {}", l.trim_end());
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

pub(super) fn ty_tokens(t: &RustTy) -> TokenStream {
    match t {
        RustTy::String => quote!(String),
        RustTy::I32 => quote!(i32),
        RustTy::I64 | RustTy::I64String => quote!(i64),
        RustTy::F64 => quote!(f64),
        RustTy::Bool => quote!(bool),
        RustTy::TimestampMs => quote!(crate::TimestampMs),
        RustTy::TimestampSecs => quote!(crate::TimestampSecs),
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
