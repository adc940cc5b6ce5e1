//! What the conform tests share: reading the summary lines of a
//! `helpdesk-spec conform` run and holding its figures to floors.

/// `(matched, spec, page)` of a summary line `NAME recall …% (m/s) precision …% (m/p)`.
pub fn figures(stderr: &str, name: &str) -> (usize, usize, usize) {
    let line = stderr
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name) && l.contains("recall"))
        .unwrap_or_else(|| panic!("no `{name}` summary line in:\n{stderr}"));
    let pairs: Vec<(usize, usize)> = line
        .split('(')
        .skip(1)
        .map(|p| {
            let inner = p.split(')').next().unwrap();
            let (a, b) = inner.split_once('/').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    assert_eq!(pairs.len(), 2, "{line}");
    assert_eq!(pairs[0].0, pairs[1].0, "{line}");
    (pairs[0].0, pairs[0].1, pairs[1].1)
}

/// The same from a `deviations aside: NAME …` line.
pub fn aside_figures(stderr: &str, name: &str) -> (usize, usize, usize) {
    let lines: String = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("deviations aside: "))
        .collect::<Vec<_>>()
        .join("\n");
    figures(&lines, name)
}

/// The fact categories of a conform run (`all` sums them).
pub const CATEGORIES: [&str; 7] = [
    "endpoint", "query", "body", "reply", "errors", "paging", "events",
];

/// With the recorded deviations aside, recall is at least 98% and
/// precision at least 99% in every category and in all.
pub fn assert_aside_at_least_98_99(stderr: &str) {
    for name in CATEGORIES.iter().chain(["all"].iter()) {
        let (m, spec_n, page_n) = aside_figures(stderr, name);
        assert!(
            spec_n > 0 && m * 100 >= 98 * spec_n && m * 100 >= 99 * page_n,
            "{name}, deviations aside: recall {m}/{spec_n}, precision {m}/{page_n}"
        );
    }
}

/// The raw figures (deviations counted as differences) hold their floors
/// `(category, recall %, precision %)`, one per category and `all`, and the
/// categories add up to `all`.
pub fn assert_floors(stderr: &str, floors: &[(&str, usize, usize)]) {
    assert_eq!(
        floors.len(),
        CATEGORIES.len() + 1,
        "a floor per category and all"
    );
    let mut total = (0, 0, 0);
    for &(name, recall, precision) in floors {
        let (m, spec_n, page_n) = figures(stderr, name);
        assert!(spec_n > 0 && page_n > 0, "{name}: no facts");
        assert!(
            m * 100 >= recall * spec_n,
            "{name}: recall {m}/{spec_n} below {recall}%"
        );
        assert!(
            m * 100 >= precision * page_n,
            "{name}: precision {m}/{page_n} below {precision}%"
        );
        if name != "all" {
            total = (total.0 + m, total.1 + spec_n, total.2 + page_n);
        }
    }
    assert_eq!(total, figures(stderr, "all"), "the categories add up");
}
