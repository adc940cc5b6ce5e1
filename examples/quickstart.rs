//! Quickstart: fetch one notification (查询推送) and show one typed error.
//!
//! With no credentials in the environment it starts the spec-driven mock
//! server in-process and talks to it. To call the real platform, set:
//!
//! ```text
//! FEISHU_BASE_URL=https://open.feishu.cn        # or https://open.larksuite.com
//! FEISHU_USER_ACCESS_TOKEN=u-...
//! FEISHU_HELPDESK_ID=...  FEISHU_HELPDESK_TOKEN=...
//! FEISHU_NOTIFICATION_ID=...                    # optional
//! ```

use helpdesk_api::{Client, Error, UserAccessToken, notification, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let real = match (
        env("FEISHU_BASE_URL"),
        env("FEISHU_USER_ACCESS_TOKEN"),
        env("FEISHU_HELPDESK_ID"),
        env("FEISHU_HELPDESK_TOKEN"),
    ) {
        (Some(url), Some(token), Some(id), Some(secret)) => Some((url, token, id, secret)),
        _ => None,
    };

    // Keep the mock alive for the whole run when we use it.
    let mut _mock = None;
    let (base_url, token, helpdesk_id, helpdesk_token, notification_id) = match real {
        Some((url, token, id, secret)) => {
            println!("talking to {url}");
            let nid = env("FEISHU_NOTIFICATION_ID").unwrap_or_else(|| "6981801914270744596".into());
            (url, token, id, secret, nid)
        }
        None => {
            let mock = helpdesk_mock::MockServer::builder()
                .helpdesk_credentials("quickstart-helpdesk", "quickstart-secret")
                .start()
                .await?;
            // Make one id unknown so that we can show a typed error below.
            mock.on("notification.get")
                .path_param("notification_id", "no-such-id")
                .reply_error(154004);
            println!(
                "no FEISHU_* credentials set: using the embedded mock server at {}",
                mock.base_url()
            );
            let url = mock.base_url();
            _mock = Some(mock);
            (
                url,
                "u-quickstart-user-token".into(),
                "quickstart-helpdesk".into(),
                "quickstart-secret".into(),
                "6981801914270744596".into(),
            )
        }
    };

    let mut builder = Client::builder()
        .base_url(base_url)
        .helpdesk_credentials(helpdesk_id, helpdesk_token);
    if _mock.is_some() {
        // The embedded mock is on loopback: straight to it, even when the
        // environment names a proxy (HTTPS_PROXY / HTTP_PROXY) for the rest.
        builder = builder.no_proxy();
    }
    let client = builder.build()?;
    let token = UserAccessToken::new(token);

    let reply = client
        .notification()
        .get(notification_id.as_str())
        .user_id_type(types::UserIdType::OpenId)
        .send_with(token.clone())
        .await?;
    if let Some(n) = &reply.notification {
        println!(
            "notification {}: {:?}",
            n.id.as_deref().unwrap_or("?"),
            n.job_name
        );
        println!(
            "  push type {:?}, scope {:?}",
            n.push_type, n.push_scope_type
        );
        if let Some(t) = n.created_at {
            println!("  created at {} ms ({:?})", t.millis(), t.to_system_time());
        }
        println!(
            "  card: {}",
            n.push_content
                .to_value()
                .map(|v| v["elements"][0]["tag"].to_string())
                .unwrap_or_default()
        );
    }

    match client
        .notification()
        .get("no-such-id")
        .send_with(token)
        .await
    {
        Err(Error::Api(notification::GetError::NotFound(e))) => {
            println!("typed error for an unknown id: {e}");
        }
        Err(e) => println!("unexpected error: {e}"),
        Ok(r) => println!("unexpectedly found: {r:?}"),
    }
    Ok(())
}
