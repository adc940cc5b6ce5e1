use helpdesk_api::{Client, TenantAccessToken};

async fn call(client: &Client) {
    // notification.get accepts only a user_access_token
    let _ = client.notification().get("1").send_with(TenantAccessToken::new("t-token")).await;
}

fn main() {
    let _ = call;
}
