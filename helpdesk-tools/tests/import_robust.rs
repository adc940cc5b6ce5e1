//! Bad input never panics the importer: every copy of the doc pages with
//! one line, or a block of five lines, removed (which shifts indentation,
//! drops headers and splits tables) either imports or gives an error.
//! (Before, a reply table whose first row was indented panicked with
//! "range start index 1 out of range".)

use std::path::Path;

fn mutilated(text: &str, block: usize) -> impl Iterator<Item = String> + '_ {
    let lines: Vec<&str> = text.lines().collect();
    (0..lines.len().saturating_sub(block - 1)).map(move |i| {
        lines[..i]
            .iter()
            .chain(&lines[i + block..])
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[test]
fn no_mutilated_page_panics_the_importer() {
    // the two page forms: the crawled text and the markdown of one page
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages");
    let mut tried = 0;
    for rel in ["seed/000_413277861cd63ad7.txt", "docs/notification.get.md"] {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (see tests/pages/README.md)", path.display()));
        for block in [1, 5] {
            for (i, page) in mutilated(&text, block).enumerate() {
                let r = std::panic::catch_unwind(|| {
                    let _ = helpdesk_tools::import::import_page(&page, None, None);
                });
                assert!(
                    r.is_ok(),
                    "{}: the importer panicked with lines {i}..{} removed",
                    path.display(),
                    i + block
                );
                tried += 1;
            }
        }
    }
    assert!(tried > 100, "only {tried} pages tried");
}
