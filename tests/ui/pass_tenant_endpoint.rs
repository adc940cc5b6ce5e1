use helpdesk_api::{Client, TenantAccessToken, ticket};

async fn call(client: &Client) -> Result<(), helpdesk_api::Error<ticket::GetError>> {
    // tenant endpoints: the client's managed token, or an explicit one
    let _ = client.ticket().get("6626871355780366331").send().await?;
    let _ = client.ticket().get("6626871355780366331").send_with(TenantAccessToken::new("t-x")).await?;
    Ok(())
}

fn main() {
    let _ = call;
}
