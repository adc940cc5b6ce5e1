//! A resource: its accessor on the client and the methods that create
//! request builders (one per endpoint, taking the required values).

use super::args::{Required, required_values};
use super::endpoint::gen_endpoint;
use super::spell::{doc, ident};
use crate::ir::{EndpointIr, ResourceIr};
use helpdesk_spec::names;
use proc_macro2::TokenStream;
use quote::quote;

/// The resource's module (its `Api` accessor type, constructors and
/// endpoints) and the client's accessor method.
pub(super) fn gen_resource(r: &ResourceIr) -> TokenStream {
    let module = ident(&r.module);
    let api = ident(&r.api_type);
    let accessor = ident(&r.accessor);
    let ops = r
        .endpoints
        .iter()
        .map(|e| format!("`{}`", e.fn_name))
        .collect::<Vec<_>>()
        .join(", ");
    let mut mdoc = format!("The `{}` resource: {ops}.", r.name);
    if let Some(note) = &r.sibling_note {
        mdoc.push_str(&format!("\n\n{note}"));
    }
    let mdoc = doc(&mdoc);
    let adoc = doc(&format!(
        "Operations on the `{}` resource, from [`crate::Client::{}`].",
        r.name, r.accessor
    ));
    let cdoc = doc(&format!(
        "Operations on the `{}` resource: {ops}. See [`{}`].",
        r.name, r.module
    ));
    let methods = r.endpoints.iter().map(gen_constructor);
    let endpoints = r.endpoints.iter().map(gen_endpoint);
    quote! {
        #mdoc
        pub mod #module {
            #[allow(unused_imports)]
            use super::types;

            #adoc
            #[derive(Debug, Clone, Copy)]
            pub struct #api<'a> {
                pub(crate) client: &'a crate::Client,
            }
            impl #api<'_> {
                #(#methods)*
            }
            #(#endpoints)*
        }
        impl crate::Client {
            #cdoc
            pub fn #accessor(&self) -> #module::#api<'_> {
                #module::#api { client: self }
            }
        }
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

/// The method on the resource's `Api` that creates the request builder.
/// One required value is a positional argument; two or more are the named
/// fields of an `…Args` struct, so that two IDs cannot be swapped.
fn gen_constructor(e: &EndpointIr) -> TokenStream {
    let f = ident(&e.fn_name);
    let req = ident(&names::request_type(&e.stem));
    let required = required_values(e);
    let n_params = e.path_params.len() + e.query_params.iter().filter(|q| q.required).count();
    let named = required.len() >= 2;
    let mut d = endpoint_doc(e);
    for r in &required {
        d.push_str(&format!(
            "\n`{}`: {}\n",
            names::bare(&r.ident),
            r.doc.lines().next().unwrap_or_default()
        ));
    }
    let d = doc(&d);
    let value = |r: &Required| {
        let n = ident(&r.ident);
        if named {
            quote!(args.#n)
        } else {
            r.positional().1
        }
    };
    let inits = required[..n_params].iter().map(|r| {
        let n = ident(&r.ident);
        let v = value(r);
        quote!(#n: #v)
    });
    let optional_inits = e.query_params.iter().filter(|q| !q.required).map(|p| {
        let n = ident(&p.ident);
        if p.list {
            quote!(#n: Vec::new())
        } else {
            quote!(#n: None)
        }
    });
    let body_init = e.body.as_ref().map(|_| {
        let body = ident(&names::body_type(&e.stem));
        // `…Body::new` converts its own arguments: hand them over as given.
        let values = required[n_params..].iter().map(|r| {
            let n = ident(&r.ident);
            if named { quote!(args.#n) } else { quote!(#n) }
        });
        quote!(body: #body::new(#(#values),*),)
    });
    let params = if named {
        let args = ident(&names::args_type(&e.stem));
        quote!(args: #args)
    } else {
        let ps = required.iter().map(|r| {
            let n = ident(&r.ident);
            let t = r.positional().0;
            quote!(#n: #t)
        });
        quote!(#(#ps),*)
    };
    quote! {
        #d
        pub fn #f(&self, #params) -> #req {
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
