//! Translation of the model's Java regular expressions into the dialect of the `regex` and
//! `fancy-regex` crates, keeping Java's meaning:
//!
//! - Java's `String.matches` must match the whole value: the result is `^(?:...)$`.
//! - Java's `\w`, `\d`, `\s` and `\S` are ASCII-only (without `UNICODE_CHARACTER_CLASS`),
//!   while Rust's are Unicode: they become explicit ASCII classes, also inside `[...]`.
//! - Java's `.` excludes every line terminator (`\n`, `\r`, U+0085, U+2028, U+2029) unless
//!   `(?s)` is on; Rust's excludes only `\n`.
//! - A `-` inside a class that is no range (`[\w-]`, `[0-9-_]`) is a literal in Java; Rust
//!   reads `--` and some placements as set operations or errors, so it is escaped. `&`, `~`
//!   and `[` inside a class are escaped or refused for the same reason.
//!
//! Anything the translator does not know (possessive quantifiers, `\b`, `\Q`, class
//! intersections) is refused, so that a new model cannot slip in a pattern with another
//! meaning.

const JAVA_SPACE: &str = r"\t\n\x0B\x0C\r ";
const WORD: &str = "0-9A-Za-z_";
const NOT_LINE_END: &str = r"[^\n\r\x{85}\x{2028}\x{2029}]";

pub fn translate(java: &str) -> Result<String, String> {
    let chars: Vec<char> = java.chars().collect();
    let mut out = String::from("^(?:");
    let mut dotall = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let (text, next) = escape(&chars, i, false)?;
                out.push_str(&text);
                i = next;
                continue;
            }
            '[' => {
                let (text, next) = class(&chars, i)?;
                out.push_str(&text);
                i = next;
                continue;
            }
            '.' if dotall => out.push('.'),
            '.' => out.push_str(NOT_LINE_END),
            '(' if chars.get(i + 1) == Some(&'?') => {
                // Inline flags `(?s)` switch dotall on; groups `(?:`, `(?<!` etc. pass.
                let rest: String = chars[i + 2..].iter().collect();
                if let Some(end) = rest.find(')') {
                    let flags = &rest[..end];
                    if !flags.is_empty() && flags.chars().all(|f| f.is_ascii_alphabetic()) {
                        if flags != "s" {
                            return Err(format!("unsupported inline flags (?{flags})"));
                        }
                        dotall = true;
                    }
                }
                out.push(c);
            }
            // Escapes and classes were consumed whole above, so this `+` follows a quantifier.
            '+' | '*' | '?' | '}' if chars.get(i + 1) == Some(&'+') => {
                return Err("possessive quantifiers have no equivalent".to_owned());
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out.push_str(")$");
    Ok(out)
}

/// An escape at `chars[i]` (a backslash): the Rust text and the index after it.
fn escape(chars: &[char], i: usize, in_class: bool) -> Result<(String, usize), String> {
    let c = *chars.get(i + 1).ok_or("pattern ends in a backslash")?;
    let text = match c {
        'w' if in_class => WORD.to_owned(),
        'w' => format!("[{WORD}]"),
        'W' => format!("[^{WORD}]"),
        'd' if in_class => "0-9".to_owned(),
        'd' => "[0-9]".to_owned(),
        'D' => "[^0-9]".to_owned(),
        's' if in_class => JAVA_SPACE.to_owned(),
        's' => format!("[{JAVA_SPACE}]"),
        'S' => format!("[^{JAVA_SPACE}]"),
        't' | 'n' | 'r' => format!("\\{c}"),
        'f' => r"\x0C".to_owned(),
        'x' => {
            let hex: String = chars.iter().skip(i + 2).take(2).collect();
            if hex.len() != 2 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                return Err("\\x needs two hex digits".to_owned());
            }
            return Ok((format!("\\x{hex}"), i + 4));
        }
        'p' | 'P' => {
            if chars.get(i + 2) != Some(&'{') {
                return Err("\\p needs {..}".to_owned());
            }
            let end = chars[i..]
                .iter()
                .position(|&ch| ch == '}')
                .ok_or("unclosed \\p{")?;
            let text: String = chars[i..=i + end].iter().collect();
            return Ok((text, i + end + 1));
        }
        c if c.is_ascii_punctuation() => format!("\\{c}"),
        other => return Err(format!("unsupported escape \\{other}")),
    };
    Ok((text, i + 2))
}

/// A character class starting at `chars[start]` (`[`): the Rust text and the index after.
fn class(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut out = String::from("[");
    let mut i = start + 1;
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let c = *chars.get(i).ok_or("unclosed character class")?;
        if c == ']' && !first {
            out.push(']');
            return Ok((out, i + 1));
        }
        first = false;
        // One item: a single character (maybe the start of a range) or a class escape.
        let (text, next, single) = match c {
            '\\' => {
                let (text, next) = escape(chars, i, true)?;
                // Class escapes cannot start a range; negated ones (`\S`) come back as a
                // nested `[^...]`, which Rust reads as a union inside the outer class.
                let single = !matches!(chars[i + 1], 'w' | 'W' | 'd' | 'D' | 's' | 'S' | 'p' | 'P');
                (text, next, single)
            }
            '[' => return Err("nested classes are not supported".to_owned()),
            '&' if chars.get(i + 1) == Some(&'&') => {
                return Err("class intersections are not supported".to_owned())
            }
            '-' | '&' | '~' | '^' => (format!("\\{c}"), i + 1, true),
            _ => (c.to_string(), i + 1, true),
        };
        out.push_str(&text);
        i = next;
        let is_range =
            single && chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&n| n != ']');
        if is_range {
            let end = chars[i + 1];
            let (end_text, next) = match end {
                '\\' => escape(chars, i + 1, true)?,
                '[' => return Err("a range cannot end in a class".to_owned()),
                _ => (end.to_string(), i + 2),
            };
            out.push('-');
            out.push_str(&end_text);
            i = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn translations() {
        let t = |p: &str| translate(p).unwrap();
        assert_eq!(
            t(r"[\w-]+_[0-9a-zA-Z]+"),
            r"^(?:[0-9A-Za-z_\-]+_[0-9a-zA-Z]+)$"
        );
        assert_eq!(t(r"[\S]+"), r"^(?:[[^\t\n\x0B\x0C\r ]]+)$");
        assert_eq!(t(r"[A-Za-z0-9-_=.]+"), r"^(?:[A-Za-z0-9\-_=.]+)$");
        assert_eq!(t(r"[\w\- ]+"), r"^(?:[0-9A-Za-z_\- ]+)$");
        assert_eq!(
            t(r".*\{####\}.*"),
            r"^(?:[^\n\r\x{85}\x{2028}\x{2029}]*\{####\}[^\n\r\x{85}\x{2028}\x{2029}]*)$"
        );
        assert_eq!(t(r"(?s).*"), r"^(?:(?s).*)$");
        assert_eq!(t(r"[\x21\x23-\x5B]+"), r"^(?:[\x21\x23-\x5B]+)$");
        assert_eq!(
            t(r"^[0-9A-Za-z\.\-_]*(?<!\.)$"),
            r"^(?:^[0-9A-Za-z\.\-_]*(?<!\.)$)$"
        );
        assert!(translate(r"a++").is_err());
        assert!(translate(r"\bword").is_err());
    }
}
