//! Keeping error text short and free of secrets. Servers reflect requests
//! in error pages (a proxy's debug page, a gateway echoing headers), and a
//! reply can carry megabytes: everything the client puts in an error passes
//! through here.

/// Longest `msg`, decoder detail or reason kept in an error, in bytes.
pub(crate) const MAX_TEXT: usize = 1024;
/// Longest URL kept in a transport error, in bytes.
pub(crate) const MAX_URL: usize = 256;

const REDACTED: &str = "<redacted>";

/// `text` with every known secret, every `Bearer …` value and every value
/// of a key that names a token, secret or authorization replaced by
/// `<redacted>`, then cut to `max` bytes.
pub(crate) fn scrub(text: &str, secrets: &[&str], max: usize) -> String {
    let mut s = text.to_string();
    for secret in secrets {
        // Very short values would redact ordinary words; no secret is that short.
        if secret.len() >= 6 && s.contains(secret) {
            s = s.replace(secret, REDACTED);
        }
    }
    let s = redact_bearer(&s);
    let s = redact_keyed_values(&s);
    bounded(&s, max)
}

/// `s` cut to at most `max` bytes at a character boundary, saying how much
/// was left out.
pub(crate) fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…(+{} bytes)", &s[..cut], s.len() - cut)
}

/// Characters that end a token value in free text, JSON or headers.
fn ends_value(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | ',' | ';' | '&' | '}' | ')' | '\\'
        )
}

/// Replaces the value after each `Bearer ` (any case).
fn redact_bearer(s: &str) -> String {
    const WORD: &str = "bearer";
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find(WORD) {
        let start = i + found + WORD.len();
        out.push_str(&s[i..start]);
        let rest = &s[start..];
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let value = &rest[spaces..];
        let len = value.find(ends_value).unwrap_or(value.len());
        if spaces > 0 && len > 0 && !value.starts_with(REDACTED) {
            out.push_str(&rest[..spaces]);
            out.push_str(REDACTED);
            i = start + spaces + len;
        } else {
            i = start;
        }
    }
    out.push_str(&s[i..]);
    out
}

/// Replaces the value of `key: value`, `key=value` and `"key": "value"`
/// where the key contains `token`, `secret` or `authorization`.
fn redact_keyed_values(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    loop {
        let next = ["token", "secret", "authorization"]
            .iter()
            .filter_map(|w| lower[i..].find(w).map(|p| (p, w.len())))
            .min();
        let Some((found, wlen)) = next else { break };
        let key_end = i + found + wlen;
        // The rest of the key name, a closing quote, then `:` or `=`.
        let after_key = key_end
            + s[key_end..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(s.len() - key_end);
        let rest = &s[after_key..];
        let sep = rest
            .trim_start_matches(['"', '\''])
            .trim_start_matches([' ', '\t']);
        let Some(after_sep) = sep.strip_prefix([':', '=']) else {
            out.push_str(&s[i..key_end]);
            i = key_end;
            continue;
        };
        let value = after_sep
            .trim_start_matches([' ', '\t'])
            .trim_start_matches(['"', '\'']);
        let value_start = s.len() - value.len();
        // A `Bearer` scheme word stays; its value is already redacted.
        let len = value.find(ends_value).unwrap_or(value.len());
        out.push_str(&s[i..value_start]);
        let word = &value[..len];
        if len == 0 || word == REDACTED || word.eq_ignore_ascii_case("bearer") {
            i = value_start;
        } else {
            out.push_str(REDACTED);
            i = value_start + len;
        }
    }
    out.push_str(&s[i..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_values_known_secrets_and_keyed_values_are_redacted() {
        let s = "Authorization: Bearer t-abc123\nX-Lark-Helpdesk-Authorization: aGQ6dG9r\n\
                 {\"app_secret\":\"s3cr3t-value\",\"tenant_access_token\": \"t-xyz\"} \
                 key=hd-token-value-123 token=abc&x=1";
        let out = scrub(s, &["hd-token-value-123"], 10_000);
        for leaked in [
            "t-abc123",
            "aGQ6dG9r",
            "s3cr3t-value",
            "t-xyz",
            "hd-token-value-123",
            "abc&",
        ] {
            assert!(!out.contains(leaked), "{leaked} in {out}");
        }
        assert!(out.contains("Authorization: Bearer <redacted>"), "{out}");
        assert!(out.contains("x=1"), "{out}");
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        let s = "{\"code\":99991663,\"msg\":\"tenant token invalid\"}";
        assert_eq!(scrub(s, &[], 1000), s);
        assert_eq!(scrub("no secrets here", &["ab"], 1000), "no secrets here");
    }

    #[test]
    fn bounded_cuts_at_a_char_boundary_and_says_how_much() {
        let s = "é".repeat(10);
        let b = bounded(&s, 5);
        assert!(b.starts_with("éé"), "{b}");
        assert!(b.ends_with("…(+16 bytes)"), "{b}");
        assert_eq!(bounded("short", 10), "short");
    }
}
