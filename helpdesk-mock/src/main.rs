//! `helpdesk-mock`: serves the Helpdesk spec on 127.0.0.1 until Ctrl-C.

use helpdesk_mock::{MockServer, MockSpec};
use std::process::ExitCode;

const USAGE: &str = "\
helpdesk-mock: a local Feishu / Lark Helpdesk server driven by the API spec

USAGE:
    helpdesk-mock [OPTIONS]

OPTIONS:
    --port PORT                 port on 127.0.0.1 (default 0: a free port)
    --spec DIR                  spec directory (default: the spec built in)
    --helpdesk-id ID            helpdesk id   (default mock-helpdesk-id)
    --helpdesk-token TOKEN      helpdesk token (default mock-helpdesk-token)
    --app-id ID                 app id for the token endpoint (default mock-app-id)
    --app-secret SECRET         app secret (default mock-app-secret)
    --token-expire SECS         expire of issued tokens (default 7200)
    --enforce-rate-limits       answer 429 past the documented rate limits
    -h, --help                  print this help
";

struct Args {
    port: u16,
    spec: Option<String>,
    helpdesk_id: String,
    helpdesk_token: String,
    app_id: String,
    app_secret: String,
    token_expire: u64,
    enforce: bool,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let (hd_id, hd_token) = helpdesk_mock::DEFAULT_HELPDESK_CREDENTIALS;
    let (app_id, app_secret) = helpdesk_mock::DEFAULT_APP_CREDENTIALS;
    let mut a = Args {
        port: 0,
        spec: None,
        helpdesk_id: hd_id.into(),
        helpdesk_token: hd_token.into(),
        app_id: app_id.into(),
        app_secret: app_secret.into(),
        token_expire: helpdesk_mock::DEFAULT_TOKEN_EXPIRE_SECS,
        enforce: false,
    };
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let v = value("--port")?;
                a.port = v
                    .parse()
                    .map_err(|_| format!("--port: `{v}` is not a port number"))?;
            }
            "--spec" => a.spec = Some(value("--spec")?),
            "--helpdesk-id" => a.helpdesk_id = value("--helpdesk-id")?,
            "--helpdesk-token" => a.helpdesk_token = value("--helpdesk-token")?,
            "--app-id" => a.app_id = value("--app-id")?,
            "--app-secret" => a.app_secret = value("--app-secret")?,
            "--token-expire" => {
                let v = value("--token-expire")?;
                a.token_expire = v
                    .parse()
                    .map_err(|_| format!("--token-expire: `{v}` is not a number of seconds"))?;
            }
            "--enforce-rate-limits" => a.enforce = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Some(a))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let spec = match &args.spec {
        Some(dir) => match MockSpec::from_dir(dir) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => MockSpec::embedded(),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let mock = MockServer::builder()
            .spec(spec)
            .port(args.port)
            .helpdesk_credentials(&args.helpdesk_id, &args.helpdesk_token)
            .app_credentials(&args.app_id, &args.app_secret)
            .token_expire_secs(args.token_expire)
            .enforce_rate_limits(args.enforce)
            .start()
            .await;
        let mock = match mock {
            Ok(m) => m,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("{}", mock.base_url());
        eprintln!(
            "helpdesk-mock: serving {} endpoint(s) on {}; X-Lark-Helpdesk-Authorization: {}; Ctrl-C to stop",
            mock.spec().endpoint_ids().len(),
            mock.base_url(),
            mock.helpdesk_header_value()
        );
        let _ = tokio::signal::ctrl_c().await;
        mock.shutdown().await;
        ExitCode::SUCCESS
    })
}
