//! JSON-aware mutations: what a person editing a spec file by hand, or a
//! misbehaving server, is likely to produce (a key dropped or misspelt, a
//! value of the wrong type, a number out of range, a subtree copied
//! elsewhere, deep nesting, a file cut short).

use crate::rng::Rng;
use serde_json::{Map, Value};

/// Values that break assumptions: wrong types, extremes, odd strings.
fn nasty(rng: &mut Rng) -> Value {
    match rng.below(22) {
        0 => Value::Null,
        1 => Value::Bool(rng.one_in(2)),
        2 => Value::from(0),
        3 => Value::from(-1),
        4 => Value::from(i64::MIN),
        5 => Value::from(u64::MAX),
        6 => serde_json::from_str("1e308").unwrap_or(Value::Null),
        7 => serde_json::from_str("-0.5").unwrap_or(Value::Null),
        8 => Value::from(""),
        9 => Value::from("\u{0}\r\n\t"),
        10 => Value::from("a".repeat(rng.below(5000))),
        11 => Value::from("../..//:x?y#z%"),
        12 => Value::from("💥 é \u{202e}"),
        13 => Value::Array(Vec::new()),
        14 => Value::Object(Map::new()),
        15 => Value::from("string<string>"),
        16 => Value::from("array<array<array<Unknown>>>"),
        17 => Value::from(":id"),
        18 => Value::from("Ticket"),
        19 => Value::from("9223372036854775808"),
        20 => nested(rng.below(200)),
        _ => Value::from("unknown_value"),
    }
}

/// `depth` levels of arrays and objects.
fn nested(depth: usize) -> Value {
    let mut v = Value::from(1);
    for i in 0..depth {
        v = if i % 2 == 0 {
            Value::Array(vec![v])
        } else {
            let mut m = Map::new();
            m.insert("a".into(), v);
            Value::Object(m)
        };
    }
    v
}

/// The number of nodes in `v`.
fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(m) => m.values().map(count).sum(),
        _ => 0,
    }
}

/// The path (child indices) of the `n`-th node in pre-order.
fn nth_path(v: &Value, n: &mut usize, path: &mut Vec<usize>) -> bool {
    if *n == 0 {
        return true;
    }
    *n -= 1;
    let children: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(m) => m.values().collect(),
        _ => Vec::new(),
    };
    for (i, c) in children.into_iter().enumerate() {
        path.push(i);
        if nth_path(c, n, path) {
            return true;
        }
        path.pop();
    }
    false
}

fn node_mut<'a>(v: &'a mut Value, rng: &mut Rng) -> &'a mut Value {
    let mut n = rng.below(count(v));
    let mut path = Vec::new();
    if !nth_path(v, &mut n, &mut path) {
        path.clear();
    }
    let mut cur = v;
    for i in path {
        cur = match cur {
            Value::Array(a) => &mut a[i],
            Value::Object(m) => m.values_mut().nth(i).expect("index from nth_path"),
            _ => unreachable!("nth_path only descends into containers"),
        };
    }
    cur
}

fn clone_node(v: &Value, rng: &mut Rng) -> Value {
    let mut copy = v.clone();
    node_mut(&mut copy, rng).clone()
}

/// Applies one to `rounds` structure-aware mutations to `v`.
pub fn mutate_value(v: &mut Value, rng: &mut Rng, rounds: usize) {
    for _ in 0..rounds.max(1) {
        let donor = if rng.one_in(4) {
            Some(clone_node(v, rng))
        } else {
            None
        };
        let node = node_mut(v, rng);
        match rng.below(9) {
            // drop a key / an element
            0 => match node {
                Value::Object(m) if !m.is_empty() => {
                    let k = m
                        .keys()
                        .nth(rng.below(m.len()))
                        .cloned()
                        .unwrap_or_default();
                    m.remove(&k);
                }
                Value::Array(a) if !a.is_empty() => {
                    let i = rng.below(a.len());
                    a.remove(i);
                }
                other => *other = nasty(rng),
            },
            // misspell a key
            1 => {
                if let Value::Object(m) = node {
                    if let Some(k) = m.keys().nth(rng.below(m.len().max(1))).cloned() {
                        if let Some(val) = m.remove(&k) {
                            let mut nk = k.clone();
                            match rng.below(3) {
                                0 => nk.push('_'),
                                1 => nk = nk.to_uppercase(),
                                _ => nk.insert(0, 'x'),
                            }
                            m.insert(nk, val);
                        }
                    }
                }
            }
            // duplicate an element
            2 => {
                if let Value::Array(a) = node {
                    if let Some(x) = a.get(rng.below(a.len().max(1))).cloned() {
                        a.push(x);
                    }
                }
            }
            // copy a subtree from elsewhere (self references, clashes)
            3 => {
                if let Some(d) = donor {
                    *node = d;
                }
            }
            // add an unknown key
            4 => {
                if let Value::Object(m) = node {
                    m.insert("unexpected_key".into(), nasty(rng));
                }
            }
            // change a string slightly (names, paths, type expressions)
            5 => {
                if let Value::String(s) = node {
                    match rng.below(6) {
                        0 => s.push_str("<string>"),
                        1 => s.insert(0, ':'),
                        2 => s.push('/'),
                        3 => {
                            let mut i = rng.below(s.len() + 1);
                            while !s.is_char_boundary(i) {
                                i -= 1;
                            }
                            s.truncate(i);
                        }
                        4 => *s = s.to_uppercase(),
                        _ => s.push_str("[]"),
                    }
                } else {
                    *node = nasty(rng);
                }
            }
            // swap an array's order
            6 => {
                if let Value::Array(a) = node {
                    a.reverse();
                }
            }
            // anything else: a nasty value
            _ => *node = nasty(rng),
        }
    }
}

/// Text-level damage on top: a cut, deep nesting spliced in, a duplicate
/// key, a stray byte.
pub fn mutate_text(mut text: String, rng: &mut Rng) -> String {
    let at = |t: &String, rng: &mut Rng| {
        let mut i = rng.below(t.len() + 1);
        while !t.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match rng.below(8) {
        0 => {
            let i = at(&text, rng);
            text.truncate(i);
        }
        1 => {
            let depth = *rng.pick(&[129usize, 1000, 100_000]);
            let i = at(&text, rng);
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            text.insert_str(i, &deep);
        }
        2 => {
            let depth = *rng.pick(&[200usize, 50_000]);
            let i = at(&text, rng);
            text.insert_str(i, &"{\"a\":".repeat(depth));
        }
        3 => {
            // duplicate the first key of the top object
            if let Some(i) = text.find('{') {
                if let Some(end) = text[i..].find(',') {
                    let pair = text[i + 1..i + end].to_string();
                    text.insert_str(i + 1, &format!("{pair},"));
                }
            }
        }
        4 => {
            let i = at(&text, rng);
            let junk = *rng.pick(&["\u{0}", "\\", "\"", "}", "]", ",", "\u{feff}", "/*x*/"]);
            text.insert_str(i, junk);
        }
        _ => {}
    }
    text
}
