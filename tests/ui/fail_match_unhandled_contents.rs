// `Unhandled` is opaque: matching on the code inside it does not compile
// (a later spec that documents the code would silently change the arm).
use helpdesk_api::{ApiError, Error, notification};

fn handle(e: Error<notification::GetError>) {
    match e {
        Error::Api(notification::GetError::Unhandled(ApiError { code: 99991672, .. })) => {}
        _ => {}
    }
}

fn main() {
    let _ = handle;
}
