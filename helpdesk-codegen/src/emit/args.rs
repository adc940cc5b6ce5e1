//! The required values of an endpoint: positional constructor arguments,
//! or, when there are two or more, the named fields of an `…Args` struct.

use super::spell::{arg_ty, body_member, doc, ident, param_arg_ty, param_store_ty, ty_tokens};
use crate::ir::{EndpointIr, FieldIr, ParamIr, RustTy};
use helpdesk_spec::names;
use proc_macro2::TokenStream;
use quote::quote;

/// A required value of an endpoint: constructor argument (or field of its
/// `…Args` struct).
pub(super) struct Required {
    pub(super) ident: String,
    /// Type as the argument (`impl Into<String>`, ...).
    pub(super) arg: TokenStream,
    /// Type as stored (an `…Args` field).
    pub(super) store: TokenStream,
    pub(super) doc: String,
    pub(super) into: bool,
}

pub(super) fn required_values(e: &EndpointIr) -> Vec<Required> {
    let params = e
        .path_params
        .iter()
        .chain(e.query_params.iter().filter(|q| q.required))
        .map(|p: &ParamIr| Required {
            ident: p.ident.clone(),
            arg: if p.list {
                param_store_ty(p)
            } else {
                param_arg_ty(p)
            },
            store: param_store_ty(p),
            doc: p.doc.clone(),
            into: p.ty == RustTy::String && !p.list,
        });
    let body = e
        .body
        .iter()
        .flatten()
        .filter(|f| !f.optional)
        .map(|f: &FieldIr| Required {
            ident: body_member(e, f),
            arg: arg_ty(&f.ty),
            store: ty_tokens(&f.ty),
            doc: format!("{} (request body field `{}`)", f.doc, f.wire),
            into: false,
        });
    params.chain(body).collect()
}

/// The `…Args` struct of an endpoint with two or more required values.
pub(super) fn gen_args(e: &EndpointIr) -> Option<TokenStream> {
    let required = required_values(e);
    if required.len() < 2 {
        return None;
    }
    let args = ident(&names::args_type(&e.stem));
    let fields = required.iter().map(|r| {
        let n = ident(&r.ident);
        let t = &r.store;
        let fd = doc(&r.doc);
        quote!(#fd pub #n: #t,)
    });
    let ad = doc(&format!(
        "The required values of `{}`, by name: two IDs cannot be swapped, and a missing one does not compile.",
        e.id
    ));
    Some(quote! {
        #ad
        #[derive(Debug, Clone, PartialEq)]
        pub struct #args {
            #(#fields)*
        }
    })
}
