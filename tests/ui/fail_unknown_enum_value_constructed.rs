use helpdesk_api::{PushType, UnknownValue};

fn main() {
    // Unknown values are opaque: user code cannot forge one.
    let _ = PushType::Unknown(UnknownValue::int(9));
}
