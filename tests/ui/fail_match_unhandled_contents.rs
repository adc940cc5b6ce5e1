// `Unhandled` is opaque: matching on the code inside it does not compile
// (a later spec that documents the code would silently change the arm).
use helpdesk_api::{ApiError, Error, NotificationGetError};

fn handle(e: Error<NotificationGetError>) {
    match e {
        Error::Api(NotificationGetError::Unhandled(ApiError { code: 99991672, .. })) => {}
        _ => {}
    }
}

fn main() {
    let _ = handle;
}
