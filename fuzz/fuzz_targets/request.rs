#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ironpool_fuzz::request::run(data));
