//! A resource: its accessor on the client and the methods that create
//! request builders (one per endpoint, taking the required values).

use super::endpoint::gen_endpoint;
use super::spell::{arg_ty, body_member, doc, ident, param_arg_ty, param_store_ty};
use crate::ir::{EndpointIr, FieldIr, ParamIr, ResourceIr, RustTy};
use helpdesk_spec::names;
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn gen_resource(r: &ResourceIr) -> TokenStream {
    let api = ident(&r.api_type);
    let accessor = ident(&r.accessor);
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

fn gen_constructor(e: &EndpointIr) -> TokenStream {
    let f = ident(&e.fn_name);
    let req = ident(&names::request_type(&e.stem));
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
            body_member(e, f),
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
        let n = ident(&body_member(e, f));
        let t = arg_ty(&f.ty);
        quote!(#n: #t)
    });
    let body_init = e.body.as_ref().map(|_| {
        let body = ident(&names::body_type(&e.stem));
        let names = body_required.iter().map(|f| ident(&body_member(e, f)));
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
