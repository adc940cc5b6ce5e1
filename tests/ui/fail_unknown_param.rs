use helpdesk_api::{Client, UserAccessToken};

async fn call(client: &Client) {
    let _ = client.notification().get("1").page_size(20).send_with(UserAccessToken::new("u-token")).await;
}

fn main() {
    let _ = call;
}
