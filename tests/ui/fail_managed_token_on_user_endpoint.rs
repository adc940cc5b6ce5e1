use helpdesk_api::Client;

async fn call(client: &Client) {
    // notification.get accepts only a user_access_token: there is no
    // managed-token `send()`, only `send_with(UserAccessToken)`.
    let _ = client.notification().get("1").send().await;
}

fn main() {
    let _ = call;
}
