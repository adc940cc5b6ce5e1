//! Compile-time guarantees of the generated client, checked with trybuild:
//! the `.stderr` files are what a user sees and were reviewed for clarity.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
}
