//! The required values of an endpoint: positional constructor arguments,
//! or, when there are two or more, the named fields of an `…Args` struct.

use super::spell::{body_member, doc, ident, param_store_ty, setter_param_of, ty_tokens};
use crate::ir::{EndpointIr, FieldIr, ParamIr, RustTy};
use helpdesk_spec::names;
use proc_macro2::TokenStream;
use quote::quote;

/// A required value of an endpoint: constructor argument (or field of its
/// `…Args` struct).
pub(super) struct Required {
    pub(super) ident: String,
    /// The value's type (a list parameter as a `Vec`).
    pub(super) ty: RustTy,
    /// Type as stored (an `…Args` field).
    pub(super) store: TokenStream,
    pub(super) doc: String,
}

impl Required {
    /// The positional argument's type and the expression converting it,
    /// by the setters' rule (`impl Into<String>`, lists `impl IntoIterator`).
    pub(super) fn positional(&self) -> (TokenStream, TokenStream) {
        let n = ident(&self.ident);
        setter_param_of(&self.ty, &quote!(#n))
    }
}

pub(super) fn required_values(e: &EndpointIr) -> Vec<Required> {
    let params = e
        .path_params
        .iter()
        .chain(e.query_params.iter().filter(|q| q.required))
        .map(|p: &ParamIr| Required {
            ident: p.ident.clone(),
            ty: if p.list {
                RustTy::Vec(Box::new(p.ty.clone()))
            } else {
                p.ty.clone()
            },
            store: param_store_ty(p),
            doc: p.doc.clone(),
        });
    let body = e
        .body
        .iter()
        .flatten()
        .filter(|f| !f.optional)
        .map(|f: &FieldIr| Required {
            ident: body_member(e, f),
            ty: f.ty.clone(),
            store: ty_tokens(&f.ty),
            doc: format!("{} (request body field `{}`)", f.doc, f.wire),
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
