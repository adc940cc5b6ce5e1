use helpdesk_api::{Client, notification, UserAccessToken, types};

async fn call(client: &Client) -> Result<Option<String>, helpdesk_api::Error<notification::GetError>> {
    let reply = client
        .notification()
        .get("1624326025000")
        .user_id_type(types::UserIdType::OpenId)
        .send_with(UserAccessToken::new("u-token"))
        .await?;
    Ok(reply.notification.map(|n| n.job_name))
}

fn main() {
    let _ = call;
}
