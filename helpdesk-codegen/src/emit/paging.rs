//! `pages`/`items` streams of a list endpoint.

use super::spell::{doc, ident, token_param, ty_tokens};
use crate::ir::{EndpointIr, FieldIr, PaginationIr, RustTy};
use helpdesk_spec::names;
use helpdesk_spec::spec::{PageStyle, TokenKind};
use proc_macro2::TokenStream;
use quote::quote;

/// `pages(token)` and `items(token)` for a list endpoint.
pub(super) fn gen_paging(e: &EndpointIr, pg: &PaginationIr) -> TokenStream {
    let resp = ident(&names::response_type(&e.stem));
    let err = ident(&names::error_type(&e.stem));
    let item = ty_tokens(&pg.item_ty);
    let items_field = ident(&pg.items.ident);
    let cursor = ident(&pg.cursor_param);
    let (token_generics, token_ty) = token_param(e, quote!(+ Clone + Send + 'static));
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
