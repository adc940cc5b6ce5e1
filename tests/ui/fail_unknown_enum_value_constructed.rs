use helpdesk_api::{types, UnknownValue};

fn main() {
    // Unknown values are opaque: user code cannot forge one.
    let _ = types::PushType::Unknown(UnknownValue::int(9));
}
