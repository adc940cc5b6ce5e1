//! One endpoint: its static facts, request builder, reply and body types
//! and error enum. Each piece is its own function; [`gen_endpoint`] joins
//! them.

use super::paging::gen_paging;
use super::spell::{
    body_member, doc, ident, param_store_ty, setter_param, token_param, token_type,
};
use super::types::gen_struct;
use crate::ir::{EndpointIr, ParamIr, PathPart, RustTy, StructIr};
use helpdesk_spec::names;
use helpdesk_spec::spec::TokenKind;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// Everything generated for one endpoint.
pub(super) fn gen_endpoint(e: &EndpointIr) -> TokenStream {
    let meta = gen_meta(e);
    let token_trait = gen_token_trait(e);
    let request = gen_request(e);
    let response = (!e.binary).then(|| {
        gen_struct(&StructIr {
            name: names::response_type(&e.stem),
            request_side: false,
            doc: format!("The `data` of a successful `{}` reply.", e.id),
            fields: e.response_fields.clone(),
        })
    });
    let body = e.body.as_ref().map(|fields| {
        gen_struct(&StructIr {
            name: names::body_type(&e.stem),
            request_side: true,
            doc: format!("The JSON request body of `{}`.", e.id),
            fields: fields.clone(),
        })
    });
    let error = gen_error(e);
    let args = super::args::gen_args(e);
    quote! {
        #meta
        #token_trait
        #args
        #request
        #response
        #body
        #error
    }
}

/// The `…_ENDPOINT` static: the facts the runtime needs.
fn gen_meta(e: &EndpointIr) -> TokenStream {
    let meta = ident(&e.meta);
    let id = &e.id;
    let path = &e.path;
    let method = format_ident!("{}", pascal_method(e.method.as_str()));
    let helpdesk = e.helpdesk_header;
    let limits = e
        .rate_limits
        .iter()
        .map(|(n, w)| quote!(crate::runtime::RateLimit { requests: #n, per_seconds: #w }));
    let token_kinds = e.tokens.iter().map(|t| {
        let v = format_ident!("{}", names::pascal(t.as_str()));
        quote!(crate::runtime::TokenKind::#v)
    });
    let meta_doc = doc(&format!("Static facts about `{}`, from the spec.", e.id));
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
    }
}

/// For an endpoint accepting several token kinds: a trait the kinds
/// implement, with a compile error naming the kinds for any other type.
fn gen_token_trait(e: &EndpointIr) -> Option<TokenStream> {
    if e.tokens.len() < 2 {
        return None;
    }
    let tr = ident(&names::token_trait(&e.stem));
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
    Some(quote! {
        #td
        #[diagnostic::on_unimplemented(message = #msg)]
        pub trait #tr: crate::runtime::Token {}
        #(#impls)*
    })
}

/// The request builder struct and its methods.
fn gen_request(e: &EndpointIr) -> TokenStream {
    let req = ident(&names::request_type(&e.stem));
    let req_doc = doc(&format!(
        "Request builder for `{}`: {}. Created by [`crate::Client::{}`]`().{}(…)`; send it with `send_with`.",
        e.id, e.summary, e.resource, e.fn_name
    ));
    let fields = e.path_params.iter().chain(&e.query_params).map(|p| {
        let n = ident(&p.ident);
        let t = param_store_ty(p);
        if p.required || p.list {
            quote!(#n: #t,)
        } else {
            quote!(#n: Option<#t>,)
        }
    });
    let body_field = e.body.as_ref().map(|_| {
        let body = ident(&names::body_type(&e.stem));
        quote!(body: #body,)
    });
    let query_setters = e
        .query_params
        .iter()
        .filter(|q| !q.required)
        .map(query_setter);
    let body_setters = gen_body_setters(e);
    let send = gen_send(e);
    let options = gen_options();
    let paging = e.pagination.as_ref().map(|pg| gen_paging(e, pg));
    quote! {
        #req_doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #req {
            client: crate::Client,
            #(#fields)*
            #body_field
            options: crate::RequestOptions,
        }

        impl #req {
            #(#query_setters)*
            #body_setters
            #send
            #options
            #paging
        }
    }
}

/// The setter (and, for a list, the `add_…` method) of an optional query parameter.
fn query_setter(p: &ParamIr) -> TokenStream {
    let n = ident(&p.ident);
    let d = doc(&p.doc);
    if p.list {
        let add = ident(&names::list_adder(&p.ident));
        let add_doc = doc(&format!("Appends one value to `{}`.", p.wire));
        let (list_arg, list_conv) = setter_param(&RustTy::Vec(Box::new(p.ty.clone())));
        let (one_arg, one_conv) = setter_param(&p.ty);
        return quote! {
            #d
            pub fn #n(mut self, value: #list_arg) -> Self {
                self.#n = #list_conv;
                self
            }
            #add_doc
            pub fn #add(mut self, value: #one_arg) -> Self {
                self.#n.push(#one_conv);
                self
            }
        };
    }
    let (t, conv) = setter_param(&p.ty);
    quote! {
        #d
        pub fn #n(mut self, value: #t) -> Self {
            self.#n = Some(#conv);
            self
        }
    }
}

/// Setters of the optional body fields and `body()` replacing the whole body.
fn gen_body_setters(e: &EndpointIr) -> Option<TokenStream> {
    let fields = e.body.as_ref()?;
    let body_ty = ident(&names::body_type(&e.stem));
    let setters = fields.iter().filter(|f| f.optional).map(|f| {
        let setter = ident(&body_member(e, f));
        let field = ident(&f.ident);
        let d = doc(&format!("{}\n\n(request body field `{}`)", f.doc, f.wire));
        let (t, conv) = setter_param(&f.ty);
        quote! {
            #d
            pub fn #setter(mut self, value: #t) -> Self {
                self.body.#field = Some(#conv);
                self
            }
        }
    });
    Some(quote! {
        #(#setters)*
        /// Replaces the whole request body.
        pub fn body(mut self, body: #body_ty) -> Self {
            self.body = body;
            self
        }
    })
}

/// `send_with(token)`, `send()` where a managed tenant token serves, and
/// the private `send_as` that builds the call for the runtime.
fn gen_send(e: &EndpointIr) -> TokenStream {
    let err = ident(&names::error_type(&e.stem));
    let meta = ident(&e.meta);
    let ret_ty = if e.binary {
        quote!(crate::Download)
    } else {
        let resp = ident(&names::response_type(&e.stem));
        quote!(#resp)
    };
    let exec = if e.binary {
        quote!(execute_download)
    } else {
        quote!(execute)
    };
    let (token_generics, token_ty) = token_param(e, quote!());
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
    let cap: usize = e
        .segments
        .iter()
        .map(|s| match s {
            PathPart::Literal(l) => l.len(),
            PathPart::Param(_) => 24,
        })
        .sum();
    let path_build = e.segments.iter().map(|s| path_segment(e, s));
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
    let body_expr = if e.body.is_some() {
        quote!(Some(crate::runtime::encode_body(&self.body)?))
    } else {
        quote!(None)
    };
    quote! {
        #send_doc
        pub async fn send_with #token_generics(self, token: #token_ty) -> Result<#ret_ty, crate::Error<#err>> {
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
    }
}

/// One piece of the request path: a literal, or a parameter encoded as
/// one path segment.
fn path_segment(e: &EndpointIr, s: &PathPart) -> TokenStream {
    match s {
        PathPart::Literal(l) => quote!(path.push_str(#l);),
        PathPart::Param(p) => {
            let n = ident(p);
            let param = e.path_params.iter().find(|x| &x.ident == p);
            let wire = param.map_or(p.as_str(), |x| x.wire.as_str());
            if param.is_some_and(|x| x.ty == RustTy::String) {
                quote!(crate::runtime::push_path_segment(&mut path, #wire, &self.#n)?;)
            } else {
                quote!(crate::runtime::push_path_segment(&mut path, #wire, &crate::runtime::QueryValue::to_query_string(&self.#n))?;)
            }
        }
    }
}

/// Per-request options every builder has (`names::REQUEST_METHODS`).
fn gen_options() -> TokenStream {
    quote! {
        /// Total time allowed for this call, instead of the client's call timeout: waiting
        /// for a token and for the rate limiter, every attempt and the pauses between retries
        /// all count. When it runs out the call ends with a deadline error.
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
    }
}

/// The endpoint's error enum: one variant per documented code.
fn gen_error(e: &EndpointIr) -> TokenStream {
    let err = ident(&names::error_type(&e.stem));
    let unhandled = ident(names::UNHANDLED_VARIANT);
    let err_doc = doc(&format!(
        "Errors documented for `{}`, one variant per code, plus `{}` for any other code.",
        e.id,
        names::UNHANDLED_VARIANT
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
    quote! {
        #err_doc
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum #err {
            #(#variants)*
            /// A code this endpoint's documentation does not list (including platform codes):
            /// opaque, read it through its methods or ask [`crate::UnhandledError::kind`].
            #unhandled(crate::UnhandledError),
        }

        impl crate::runtime::OperationError for #err {
            fn from_api(err: crate::ApiError) -> Self {
                match err.code {
                    #(#codes => Self::#vnames(err.with_advice(#advices)),)*
                    _ => Self::#unhandled(crate::UnhandledError::new(err)),
                }
            }
            fn api_error(&self) -> &crate::ApiError {
                match self {
                    #(Self::#vnames(e) => e,)*
                    Self::#unhandled(e) => e.api_error(),
                }
            }
            fn into_api_error(self) -> crate::ApiError {
                match self {
                    #(Self::#vnames(e) => e,)*
                    Self::#unhandled(e) => e.into_api_error(),
                }
            }
        }

        impl #err {
            /// The reply details (status, code, message, log id) whatever the variant.
            pub fn api_error(&self) -> &crate::ApiError {
                crate::runtime::OperationError::api_error(self)
            }

            /// What kind of refusal this is: the same question for every endpoint.
            pub fn kind(&self) -> crate::ErrorKind {
                self.api_error().kind()
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

/// `GET` → `Get`, the runtime's `Method` variant.
fn pascal_method(m: &str) -> String {
    let mut s = m.to_ascii_lowercase();
    if let Some(f) = s.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    s
}
