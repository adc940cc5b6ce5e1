#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| helpdesk_fuzz_targets::spec(data));
