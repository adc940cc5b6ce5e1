// An endpoint that accepts tenant or user tokens does not take an app token:
// the error names the endpoint and the kinds it accepts.
use helpdesk_api::{AppAccessToken, Client};

async fn call(client: Client) {
    let _ = client
        .fx_token()
        .get("1")
        .send_with(AppAccessToken::new("a-1"))
        .await;
}

fn main() {
    let _ = call;
}
