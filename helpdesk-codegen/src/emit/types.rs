//! Named types: structs, open enums, event payloads and the `Event` enum.

use super::spell::{doc, ident, setter_param, setter_param_of, ty_tokens};
use crate::ir::{EnumIr, EventIr, FieldIr, RustTy, StructIr, WireValue};
use helpdesk_spec::names;
use helpdesk_spec::spec::EnumRepr;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

/// Typed event payloads and the `Event` enum the runtime's event
/// decoder produces.
pub(super) fn gen_events(events: &[EventIr]) -> TokenStream {
    let unknown = ident(names::UNKNOWN_VARIANT);
    let event = ident(names::EVENT_ENUM);
    let structs = events.iter().map(|e| {
        gen_struct(&StructIr {
            name: e.type_name.clone(),
            request_side: false,
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
        pub enum #event {
            #(#variants)*
            /// An event type the spec does not declare, kept as received.
            #unknown {
                /// `header.event_type`.
                event_type: String,
                /// The raw `event` object.
                event: serde_json::Value,
            },
        }

        impl #event {
            /// Event types the spec declares.
            pub const EVENT_TYPES: &'static [&'static str] = &[#(#names),*];

            /// The event type on the wire.
            pub fn event_type(&self) -> &str {
                match self {
                    #(Self::#vs(_) => #names,)*
                    Self::#unknown { event_type, .. } => event_type,
                }
            }

            /// Decodes the `event` object of a callback whose header says `event_type`.
            pub fn from_parts(event_type: &str, event: &str) -> Result<Self, serde_json::Error> {
                Ok(match event_type {
                    #(#names => Self::#vs(serde_json::from_str(event)?),)*
                    other => Self::#unknown { event_type: other.to_string(), event: serde_json::from_str(event)? },
                })
            }
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

pub(super) fn gen_struct(s: &StructIr) -> TokenStream {
    let name = ident(&s.name);
    let d = doc(&s.doc);
    let fields = s.fields.iter().map(gen_field);
    let required: Vec<&FieldIr> = s.fields.iter().filter(|f| !f.optional).collect();
    let args = required.iter().map(|f| {
        let n = ident(&f.ident);
        let t = setter_param_of(&f.ty, &quote!(#n)).0;
        quote!(#n: #t)
    });
    let inits = s.fields.iter().map(|f| {
        let n = ident(&f.ident);
        if f.optional {
            quote!(#n: None)
        } else {
            let v = setter_param_of(&f.ty, &quote!(#n)).1;
            quote!(#n: #v)
        }
    });
    let new_doc = doc(match (required.is_empty(), s.request_side) {
        (true, true) => {
            "A value with every optional field unset (set them with the `with_…` methods)."
        }
        (true, false) => "A value with every optional field unset.",
        (false, true) => {
            "A value from its required fields; set optional ones with the `with_…` methods."
        }
        (false, false) => "A value from its required fields; optional fields are unset.",
    });
    let setters = s
        .request_side
        .then(|| s.fields.iter().filter(|f| f.optional).map(with_setter))
        .into_iter()
        .flatten();
    let default = required.is_empty().then(|| quote!(Default,));
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        impl #name {
            #new_doc
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// `with_field(value)`: sets an optional field and returns the value, so a
/// nested request value is built in one expression.
fn with_setter(f: &FieldIr) -> TokenStream {
    let field = ident(&f.ident);
    let setter = ident(&format!("with_{}", names::bare(&f.ident)));
    let d = doc(&format!("Sets `{}`.", f.wire));
    let (arg, conv) = setter_param(&f.ty);
    quote! {
        #d
        pub fn #setter(mut self, value: #arg) -> Self {
            self.#field = Some(#conv);
            self
        }
    }
}

pub(super) fn gen_enum(e: &EnumIr) -> TokenStream {
    let unknown = ident(names::UNKNOWN_VARIANT);
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
                    #unknown(crate::UnknownValue),
                }
                impl #name {
                    /// The integer sent on the wire.
                    pub fn value(&self) -> i64 {
                        match self {
                            #(Self::#idents => #lits,)*
                            Self::#unknown(v) => v.as_i64().unwrap_or_default(),
                        }
                    }
                    /// The variant for a wire value; unknown values are kept.
                    pub fn from_value(value: i64) -> Self {
                        match value {
                            #(#lits => Self::#idents,)*
                            other => Self::#unknown(crate::UnknownValue::int(other)),
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
                    #unknown(crate::UnknownValue),
                }
                impl #name {
                    /// The string sent on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #(Self::#idents => #lits,)*
                            Self::#unknown(v) => v.as_str().unwrap_or_default(),
                        }
                    }
                    /// The variant for a wire value; unknown values are kept.
                    pub fn from_wire(value: &str) -> Self {
                        match value {
                            #(#lits => Self::#idents,)*
                            other => Self::#unknown(crate::UnknownValue::string(other)),
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
