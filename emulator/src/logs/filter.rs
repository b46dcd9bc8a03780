//! CloudWatch Logs filter patterns, as FilterLogEvents applies them:
//! terms (`ERROR "out of memory" -retrying`, `?ERROR ?WARN`, `%regex%`),
//! JSON patterns (`{ $.level = "error" && $.latency > 100 }`) and
//! space-delimited patterns (`[ip, user, ..., status = 5*]`).

use regex::Regex;
use serde_json::Value;

/// A parsed filter pattern.
#[derive(Debug)]
pub enum FilterPattern {
    /// Empty pattern: every event.
    All,
    Terms {
        all: Vec<Term>,
        any: Vec<Term>,
        none: Vec<Term>,
    },
    Json(Expr),
    Delimited(Vec<Field>),
}

#[derive(Debug)]
pub enum Term {
    Text(String),
    Regex(Regex),
}

impl Term {
    fn parse(text: &str) -> Result<Term, String> {
        if text.len() >= 2 && text.starts_with('%') && text.ends_with('%') {
            Regex::new(&text[1..text.len() - 1])
                .map(Term::Regex)
                .map_err(|_| format!("Invalid regular expression in filter pattern: {text}"))
        } else {
            Ok(Term::Text(text.to_owned()))
        }
    }

    fn matches(&self, message: &str) -> bool {
        match self {
            Term::Text(text) => message.contains(text.as_str()),
            Term::Regex(regex) => regex.is_match(message),
        }
    }
}

/// A JSON pattern's expression.
#[derive(Debug)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Vec<Step>, Op, Literal),
    Exists(Vec<Step>, bool),
}

#[derive(Debug, Clone)]
pub enum Step {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
    Regex(Regex),
}

/// One field of a space-delimited pattern.
#[derive(Debug)]
pub enum Field {
    /// `...`: any number of fields.
    Rest,
    /// A name, optionally with a condition on the field's value.
    Named(Option<(Op, Literal)>),
}

impl FilterPattern {
    pub fn parse(pattern: &str) -> Result<FilterPattern, String> {
        let trimmed = pattern.trim();
        if trimmed.is_empty() || trimmed == "\"\"" {
            return Ok(FilterPattern::All);
        }
        if trimmed.starts_with('{') {
            let inner = trimmed
                .strip_prefix('{')
                .and_then(|t| t.strip_suffix('}'))
                .ok_or_else(|| invalid(pattern))?;
            let mut parser = Parser::new(inner);
            let expr = parser.expr().ok_or_else(|| invalid(pattern))?;
            parser.skip_space();
            if !parser.rest().is_empty() {
                return Err(invalid(pattern));
            }
            return Ok(FilterPattern::Json(expr));
        }
        if trimmed.starts_with('[') {
            let inner = trimmed
                .strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .ok_or_else(|| invalid(pattern))?;
            return parse_delimited(inner).ok_or_else(|| invalid(pattern));
        }
        let (mut all, mut any, mut none) = (Vec::new(), Vec::new(), Vec::new());
        for token in split_terms(trimmed).ok_or_else(|| invalid(pattern))? {
            if let Some(rest) = token.strip_prefix('?') {
                any.push(Term::parse(&unquote(rest))?);
            } else if let Some(rest) = token.strip_prefix('-').filter(|r| !r.is_empty()) {
                none.push(Term::parse(&unquote(rest))?);
            } else {
                all.push(Term::parse(&unquote(&token))?);
            }
        }
        Ok(FilterPattern::Terms { all, any, none })
    }

    pub fn matches(&self, message: &str) -> bool {
        match self {
            FilterPattern::All => true,
            FilterPattern::Terms { all, any, none } => {
                all.iter().all(|t| t.matches(message))
                    && (any.is_empty() || any.iter().any(|t| t.matches(message)))
                    && !none.iter().any(|t| t.matches(message))
            }
            FilterPattern::Json(expr) => {
                serde_json::from_str::<Value>(message.trim()).is_ok_and(|value| eval(expr, &value))
            }
            FilterPattern::Delimited(fields) => {
                let values = split_fields(message);
                match_fields(fields, &values)
            }
        }
    }
}

fn invalid(pattern: &str) -> String {
    format!("Invalid filter pattern: {pattern}")
}

fn unquote(token: &str) -> String {
    token
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(token)
        .to_owned()
}

/// Splits a term pattern on whitespace, keeping `"quoted phrases"` together.
fn split_terms(text: &str) -> Option<Vec<String>> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    // The closing character of an open `"phrase"` or `%regex%`.
    let mut open: Option<char> = None;
    for c in text.chars() {
        match c {
            c if Some(c) == open => {
                open = None;
                current.push(c);
            }
            '"' if open.is_none() => {
                open = Some('"');
                current.push(c);
            }
            '%' if open.is_none() && matches!(current.as_str(), "" | "?" | "-") => {
                open = Some('%');
                current.push(c);
            }
            c if c.is_whitespace() && open.is_none() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if open.is_some() {
        return None;
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    Some(tokens)
}

/// The fields of a message for space-delimited patterns: words, with
/// `"quoted text"` and `[bracketed text]` each one field.
fn split_fields(message: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut closing = None;
    for c in message.chars() {
        match closing {
            Some(end) if c == end => {
                closing = None;
                if end == ']' {
                    current.push(c);
                }
            }
            Some(_) => current.push(c),
            None if c == '"' => closing = Some('"'),
            None if c == '[' => {
                closing = Some(']');
                current.push(c);
            }
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    fields.push(std::mem::take(&mut current));
                }
            }
            None => current.push(c),
        }
    }
    if !current.is_empty() {
        fields.push(current);
    }
    fields
}

fn parse_delimited(inner: &str) -> Option<FilterPattern> {
    let mut fields = Vec::new();
    for part in inner.split(',') {
        let part = part.trim();
        if part == "..." {
            fields.push(Field::Rest);
            continue;
        }
        let mut parser = Parser::new(part);
        let name = parser.word()?;
        if name.is_empty() {
            return None;
        }
        parser.skip_space();
        if parser.rest().is_empty() {
            fields.push(Field::Named(None));
            continue;
        }
        let op = parser.op()?;
        parser.skip_space();
        let literal = parser.literal()?;
        parser.skip_space();
        if !parser.rest().is_empty() {
            return None;
        }
        fields.push(Field::Named(Some((op, literal))));
    }
    Some(FilterPattern::Delimited(fields))
}

fn match_fields(fields: &[Field], values: &[String]) -> bool {
    match fields.split_first() {
        None => values.is_empty(),
        Some((Field::Rest, rest)) => {
            (0..=values.len()).any(|skip| match_fields(rest, &values[skip..]))
        }
        Some((Field::Named(condition), rest)) => match values.split_first() {
            None => false,
            Some((value, others)) => {
                let ok = match condition {
                    None => true,
                    Some((op, literal)) => compare(&Value::String(value.clone()), *op, literal),
                };
                ok && match_fields(rest, others)
            }
        },
    }
}

fn eval(expr: &Expr, value: &Value) -> bool {
    match expr {
        Expr::And(a, b) => eval(a, value) && eval(b, value),
        Expr::Or(a, b) => eval(a, value) || eval(b, value),
        Expr::Exists(path, exists) => select(value, path).is_some() == *exists,
        Expr::Compare(path, op, literal) => {
            select(value, path).is_some_and(|found| compare(found, *op, literal))
        }
    }
}

fn select<'a>(value: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(value, |current, step| match step {
        Step::Key(key) => current.get(key),
        Step::Index(i) => current.get(*i),
    })
}

/// `*` in a text literal matches any run of characters.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn compare(found: &Value, op: Op, literal: &Literal) -> bool {
    let number = match found {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse::<f64>().ok(),
        _ => None,
    };
    let equal = match literal {
        Literal::Number(expected) => {
            let Some(actual) = number else {
                return false;
            };
            return match op {
                Op::Eq => actual == *expected,
                Op::Ne => actual != *expected,
                Op::Lt => actual < *expected,
                Op::Le => actual <= *expected,
                Op::Gt => actual > *expected,
                Op::Ge => actual >= *expected,
            };
        }
        Literal::Text(expected) => match found {
            Value::String(s) => wildcard(expected, s),
            Value::Number(n) => wildcard(expected, &n.to_string()),
            _ => false,
        },
        Literal::Bool(expected) => found.as_bool() == Some(*expected),
        Literal::Null => found.is_null(),
        Literal::Regex(regex) => found.as_str().is_some_and(|s| regex.is_match(s)),
    };
    match op {
        Op::Eq => equal,
        Op::Ne => !equal,
        _ => false,
    }
}

/// A small recursive-descent parser over a pattern's text.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { text, at: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Option<Expr> {
        let mut left = self.conjunction()?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.conjunction()?));
        }
        Some(left)
    }

    fn conjunction(&mut self) -> Option<Expr> {
        let mut left = self.atom()?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.atom()?));
        }
        Some(left)
    }

    fn atom(&mut self) -> Option<Expr> {
        if self.eat("(") {
            let inner = self.expr()?;
            return self.eat(")").then_some(inner);
        }
        self.skip_space();
        let path = self.path()?;
        self.skip_space();
        let upper = self.rest().to_ascii_uppercase();
        if upper.starts_with("NOT EXISTS") {
            self.at += "NOT EXISTS".len();
            return Some(Expr::Exists(path, false));
        }
        if upper.starts_with("IS ") {
            self.at += 3;
            self.skip_space();
            let literal = self.literal()?;
            return Some(Expr::Compare(path, Op::Eq, literal));
        }
        let op = self.op()?;
        self.skip_space();
        let literal = self.literal()?;
        Some(Expr::Compare(path, op, literal))
    }

    fn path(&mut self) -> Option<Vec<Step>> {
        let rest = self.rest();
        if !rest.starts_with('$') {
            return None;
        }
        self.at += 1;
        let mut steps = Vec::new();
        loop {
            if self.rest().starts_with('.') {
                self.at += 1;
                let word = self.word()?;
                if word.is_empty() {
                    return None;
                }
                steps.push(Step::Key(word));
            } else if self.rest().starts_with('[') {
                let close = self.rest().find(']')?;
                let index = self.rest()[1..close].trim().parse().ok()?;
                self.at += close + 1;
                steps.push(Step::Index(index));
            } else {
                return Some(steps);
            }
        }
    }

    fn word(&mut self) -> Option<String> {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '@'))
            .unwrap_or(rest.len());
        self.at += len;
        Some(rest[..len].to_owned())
    }

    fn op(&mut self) -> Option<Op> {
        for (token, op) in [
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if self.rest().starts_with(token) {
                self.at += token.len();
                return Some(op);
            }
        }
        None
    }

    fn literal(&mut self) -> Option<Literal> {
        let rest = self.rest();
        if let Some(body) = rest.strip_prefix('"') {
            let end = body.find('"')?;
            self.at += end + 2;
            return Some(Literal::Text(body[..end].to_owned()));
        }
        if let Some(body) = rest.strip_prefix('%') {
            let end = body.find('%')?;
            self.at += end + 2;
            return Regex::new(&body[..end]).ok().map(Literal::Regex);
        }
        let len = rest
            .find(|c: char| c.is_whitespace() || c == ')' || c == '&' || c == '|')
            .unwrap_or(rest.len());
        let token = &rest[..len];
        if token.is_empty() {
            return None;
        }
        self.at += len;
        Some(match token.to_ascii_lowercase().as_str() {
            "true" => Literal::Bool(true),
            "false" => Literal::Bool(false),
            "null" => Literal::Null,
            _ => match token.parse::<f64>() {
                Ok(n) => Literal::Number(n),
                Err(_) => Literal::Text(token.to_owned()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, message: &str) -> bool {
        FilterPattern::parse(pattern).unwrap().matches(message)
    }

    #[test]
    fn terms() {
        assert!(matches("", "anything"));
        assert!(matches("ERROR", "an ERROR here"));
        assert!(!matches("ERROR", "an error here"));
        assert!(matches("ERROR disk", "ERROR: disk full"));
        assert!(!matches("ERROR disk", "ERROR: memory"));
        assert!(matches("\"disk full\"", "ERROR: disk full"));
        assert!(!matches("\"disk full\"", "full disk"));
        assert!(matches("?ERROR ?WARN", "WARN low"));
        assert!(!matches("?ERROR ?WARN", "INFO ok"));
        assert!(matches("ERROR -retrying", "ERROR failed"));
        assert!(!matches("ERROR -retrying", "ERROR retrying"));
        assert!(matches("%[0-9]{3} ms%", "took 250 ms"));
        assert!(FilterPattern::parse("\"unclosed").is_err());
    }

    #[test]
    fn json_patterns() {
        let message =
            r#"{"level":"error","latency":250,"user":{"id":"u-1"},"tags":["a","b"],"ok":false}"#;
        assert!(matches(r#"{ $.level = "error" }"#, message));
        assert!(!matches(r#"{ $.level = "info" }"#, message));
        assert!(matches(
            r#"{ $.level = "err*" && $.latency > 100 }"#,
            message
        ));
        assert!(!matches(
            r#"{ $.level = "error" && $.latency < 100 }"#,
            message
        ));
        assert!(matches(
            r#"{ $.latency < 100 || $.user.id = "u-1" }"#,
            message
        ));
        assert!(matches(r#"{ $.tags[1] = "b" }"#, message));
        assert!(matches(r#"{ $.ok IS FALSE }"#, message));
        assert!(matches(r#"{ $.missing NOT EXISTS }"#, message));
        assert!(matches(
            r#"{ ($.latency = 250) && ($.level != "info") }"#,
            message
        ));
        assert!(!matches(r#"{ $.level = "error" }"#, "not json"));
        assert!(FilterPattern::parse("{ $.level = }").is_err());
    }

    #[test]
    fn space_delimited_patterns() {
        let line =
            r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;
        assert!(matches(
            "[ip, id, user, timestamp, request, status_code = 404, size]",
            line
        ));
        assert!(matches("[ip, ..., status_code = 4*, size]", line));
        assert!(!matches("[ip, ..., status_code = 5*, size]", line));
        assert!(matches("[..., size > 1000]", line));
        assert!(!matches("[ip, user]", line));
    }
}
