//! Compile-time guarantees of the generated client, checked with trybuild:
//! the `.stderr` files are what a user sees and were reviewed for clarity.
//!
//! Only compile-fail cases go through trybuild, so that it runs `cargo
//! check` (no code generation, no linking) rather than `cargo build`. The
//! controls, the same calls written correctly, are the functions below:
//! this test file does not build unless they compile.

use helpdesk_api::{Client, TenantAccessToken, UserAccessToken, notification, ticket, types};

/// Control for the notification cases: a user-token endpoint called with a
/// user token, an enum query value, a reply field read.
#[allow(dead_code)]
async fn user_token_endpoint(
    client: &Client,
) -> Result<Option<String>, helpdesk_api::Error<notification::GetError>> {
    let reply = client
        .notification()
        .get("1624326025000")
        .user_id_type(types::UserIdType::OpenId)
        .send_with(UserAccessToken::new("u-token"))
        .await?;
    Ok(reply.notification.map(|n| n.job_name))
}

/// Control for the token-kind cases: a tenant endpoint takes the client's
/// managed token or an explicit tenant token.
#[allow(dead_code)]
async fn tenant_endpoint(client: &Client) -> Result<(), helpdesk_api::Error<ticket::GetError>> {
    let _ = client.ticket().get("6626871355780366331").send().await?;
    let _ = client
        .ticket()
        .get("6626871355780366331")
        .send_with(TenantAccessToken::new("t-x"))
        .await?;
    Ok(())
}

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail_*.rs");
}
