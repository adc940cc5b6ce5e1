use helpdesk_api::{Client, UserAccessToken};

async fn call(client: &Client) {
    let reply = client.notification().get("1").send_with(UserAccessToken::new("u-token")).await.unwrap();
    let _ = reply.notification.unwrap().colour;
}

fn main() {
    let _ = call;
}
