//! Maintainer tools over the Helpdesk spec, behind the `helpdesk-spec` CLI.
//!
//! None of this is compiled for library users: `helpdesk-api`'s build script
//! needs only `helpdesk-codegen`, and the local server only `helpdesk-spec`.
//!
//! * [`import`]: Feishu doc pages (markdown or crawled text) → spec drafts;
//! * [`crawl`]: a page's markdown form → its crawled text form;
//! * [`into`]: a draft written into a spec directory (`import --into`);
//! * [`openapi`]: the spec as an OpenAPI 3.1 document;
//! * [`conform`]: the spec against the doc pages, fact by fact;
//! * [`sdk_ref`]: the spec against the official SDK's endpoint list;
//! * [`filter`]: narrowing a spec (e.g. `expand --endpoint`).

#![deny(missing_docs)]

pub mod conform;
pub mod crawl;
pub mod filter;
pub mod import;
pub mod into;
pub mod openapi;
pub mod sdk_ref;
