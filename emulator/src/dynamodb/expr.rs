//! DynamoDB expressions: condition expressions (ConditionExpression,
//! FilterExpression, KeyConditionExpression) and projection expressions, with
//! `#name` and `:value` placeholders, reserved words and DynamoDB's messages.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use super::reserved::is_reserved;
use super::value::{self, Attr, Num};

/// One step of a document path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Name(String),
    Index(usize),
}

pub type Path = Vec<Step>;

#[derive(Debug, Clone)]
pub enum Operand {
    Path(Path),
    /// A `:value` placeholder, by name.
    Value(String),
    Size(Path),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ne => "<>",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Cond {
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Compare(Operand, Cmp, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    Type(Path, Operand),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
}

/// The placeholders of one request: `ExpressionAttributeNames` and
/// `ExpressionAttributeValues`, and which of them the expressions used.
pub struct Placeholders {
    names: HashMap<String, String>,
    values: HashMap<String, Attr>,
    names_given: bool,
    values_given: bool,
    used_names: HashSet<String>,
    used_values: HashSet<String>,
}

impl Placeholders {
    /// Reads the request's placeholder maps. `Err` is a ValidationException message.
    pub fn from_request(input: &Map<String, Value>) -> Result<Placeholders, String> {
        let names_map = input
            .get("ExpressionAttributeNames")
            .and_then(Value::as_object);
        let values_map = input
            .get("ExpressionAttributeValues")
            .and_then(Value::as_object);
        if names_map.is_some_and(Map::is_empty) {
            return Err("ExpressionAttributeNames must not be empty".into());
        }
        if values_map.is_some_and(Map::is_empty) {
            return Err("ExpressionAttributeValues must not be empty".into());
        }
        let names = names_map
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let mut values = HashMap::new();
        if let Some(map) = values_map {
            for (name, value) in map {
                let attr = Attr::from_json(value).map_err(|err| {
                    format!(
                        "ExpressionAttributeValues contains invalid value: {err} for key {name}"
                    )
                })?;
                values.insert(name.clone(), attr);
            }
        }
        Ok(Placeholders {
            names,
            values,
            names_given: names_map.is_some(),
            values_given: values_map.is_some(),
            used_names: HashSet::new(),
            used_values: HashSet::new(),
        })
    }

    /// After every expression of the request is parsed: placeholders given
    /// but never used are an error, as are placeholders without expressions.
    pub fn check_all_used(&self, any_expression: bool) -> Result<(), String> {
        if !any_expression {
            if self.names_given {
                return Err(
                    "ExpressionAttributeNames can only be specified when using expressions".into(),
                );
            }
            if self.values_given {
                return Err(
                    "ExpressionAttributeValues can only be specified when using expressions".into(),
                );
            }
        }
        let mut unused_names: Vec<&String> = self
            .names
            .keys()
            .filter(|k| !self.used_names.contains(*k))
            .collect();
        if !unused_names.is_empty() {
            unused_names.sort();
            let list: Vec<&str> = unused_names.iter().map(|s| s.as_str()).collect();
            return Err(format!(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                list.join(", ")
            ));
        }
        let mut unused_values: Vec<&String> = self
            .values
            .keys()
            .filter(|k| !self.used_values.contains(*k))
            .collect();
        if !unused_values.is_empty() {
            unused_values.sort();
            let list: Vec<&str> = unused_values.iter().map(|s| s.as_str()).collect();
            return Err(format!(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                list.join(", ")
            ));
        }
        Ok(())
    }

    /// Adds a value the emulator names itself (for legacy parameters), counted as used.
    pub fn insert_value(&mut self, name: &str, value: Attr) {
        self.values.insert(name.to_owned(), value);
        self.used_values.insert(name.to_owned());
    }

    pub fn value(&self, name: &str) -> Option<&Attr> {
        self.values.get(name)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Name(String),
    Value(String),
    Number(String),
    Op(&'static str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Word(s) | Token::Name(s) | Token::Value(s) | Token::Number(s) => s.clone(),
            Token::Op(s) => (*s).to_owned(),
            Token::LParen => "(".into(),
            Token::RParen => ")".into(),
            Token::LBracket => "[".into(),
            Token::RBracket => "]".into(),
            Token::Comma => ",".into(),
            Token::Dot => ".".into(),
        }
    }
}

fn tokenize(text: &str, kind: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let token = match c {
            '(' => Token::LParen,
            ')' => Token::RParen,
            '[' => Token::LBracket,
            ']' => Token::RBracket,
            ',' => Token::Comma,
            '.' => Token::Dot,
            '=' => Token::Op("="),
            '+' => Token::Op("+"),
            '-' => Token::Op("-"),
            '<' if chars.get(i + 1) == Some(&'>') => {
                i += 1;
                Token::Op("<>")
            }
            '<' if chars.get(i + 1) == Some(&'=') => {
                i += 1;
                Token::Op("<=")
            }
            '<' => Token::Op("<"),
            '>' if chars.get(i + 1) == Some(&'=') => {
                i += 1;
                Token::Op(">=")
            }
            '>' => Token::Op(">"),
            '#' | ':' => {
                let mut end = i + 1;
                while end < chars.len() && word_char(chars[end]) {
                    end += 1;
                }
                if end == i + 1 {
                    return Err(syntax_error(kind, &c.to_string(), text));
                }
                let word: String = chars[i..end].iter().collect();
                i = end - 1;
                if c == '#' {
                    Token::Name(word)
                } else {
                    Token::Value(word)
                }
            }
            c if c.is_ascii_digit() => {
                let mut end = i;
                while end < chars.len() && chars[end].is_ascii_digit() {
                    end += 1;
                }
                let word: String = chars[i..end].iter().collect();
                i = end - 1;
                Token::Number(word)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = i;
                while end < chars.len() && word_char(chars[end]) {
                    end += 1;
                }
                let word: String = chars[i..end].iter().collect();
                i = end - 1;
                Token::Word(word)
            }
            other => {
                return Err(format!(
                    "Invalid {kind}: Syntax error; token: \"{other}\", near: \"{}\"",
                    near(text, start)
                ));
            }
        };
        tokens.push(token);
        i += 1;
    }
    Ok(tokens)
}

/// The text around character `at`, for syntax errors.
fn near(text: &str, at: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let to = (at + 8).min(chars.len());
    let from = at.saturating_sub(8).min(to);
    chars[from..to].iter().collect::<String>().trim().to_owned()
}

fn syntax_error(kind: &str, token: &str, text: &str) -> String {
    let at = text
        .find(token)
        .map_or(0, |byte| text[..byte].chars().count());
    format!(
        "Invalid {kind}: Syntax error; token: \"{token}\", near: \"{}\"",
        near(text, at)
    )
}

struct Parser<'a> {
    kind: &'a str,
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    placeholders: &'a mut Placeholders,
    /// Parentheses and NOTs open around the current token.
    depth: usize,
}

impl<'a> Parser<'a> {
    /// A parser at the start of `text`, an expression of the `kind` named in
    /// messages; an empty, oversized or untokenizable expression is refused.
    fn new(
        text: &'a str,
        kind: &'a str,
        placeholders: &'a mut Placeholders,
    ) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Err(format!("Invalid {kind}: The expression can not be empty;"));
        }
        check_size(text, kind)?;
        let tokens = tokenize(text, kind)?;
        Ok(Parser {
            kind,
            text,
            tokens,
            at: 0,
            placeholders,
            depth: 0,
        })
    }
}

/// The longest expression DynamoDB takes, in bytes.
const MAX_EXPRESSION_BYTES: usize = 4096;
/// How deeply parentheses and NOTs may nest (keeps parsing off the stack's edge).
const MAX_DEPTH: usize = 64;

fn check_size(text: &str, kind: &str) -> Result<(), String> {
    if text.len() > MAX_EXPRESSION_BYTES {
        return Err(format!(
            "Invalid {kind}: Expression size has exceeded the maximum allowed size; expression size: {}",
            text.len()
        ));
    }
    Ok(())
}

const FUNCTIONS: &[&str] = &[
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "size",
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn error_at_current(&self) -> String {
        match self.peek() {
            Some(token) => syntax_error(self.kind, &token.text(), self.text),
            None => format!(
                "Invalid {}: Syntax error; token: \"<EOF>\", near: \"{}\"",
                self.kind,
                near(self.text, self.text.chars().count())
            ),
        }
    }

    fn expect(&mut self, token: Token) -> Result<(), String> {
        if self.peek() == Some(&token) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error_at_current())
        }
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn condition(&mut self) -> Result<Cond, String> {
        let mut left = self.conjunction()?;
        while self.keyword("OR") {
            self.at += 1;
            let right = self.conjunction()?;
            left = Cond::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn conjunction(&mut self) -> Result<Cond, String> {
        let mut left = self.negation()?;
        while self.keyword("AND") {
            self.at += 1;
            let right = self.negation()?;
            left = Cond::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "Invalid {}: The expression has too many nested levels; maximum: {MAX_DEPTH}",
                self.kind
            ));
        }
        Ok(())
    }

    fn negation(&mut self) -> Result<Cond, String> {
        if self.keyword("NOT") {
            self.at += 1;
            self.deeper()?;
            let inner = self.negation()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, String> {
        if self.peek() == Some(&Token::LParen) {
            self.at += 1;
            self.deeper()?;
            let inner = self.condition()?;
            self.expect(Token::RParen)?;
            self.depth -= 1;
            return Ok(inner);
        }
        // A function used as a condition.
        if let (Some(Token::Word(word)), Some(Token::LParen)) =
            (self.peek().cloned(), self.tokens.get(self.at + 1))
        {
            if word != "size" {
                return self.function(&word);
            }
        }
        let left = self.operand()?;
        match self.peek().cloned() {
            Some(Token::Op(op)) if op != "+" && op != "-" => {
                self.at += 1;
                let cmp = match op {
                    "=" => Cmp::Eq,
                    "<>" => Cmp::Ne,
                    "<" => Cmp::Lt,
                    "<=" => Cmp::Le,
                    ">" => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                let right = self.operand()?;
                Ok(Cond::Compare(left, cmp, right))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("BETWEEN") => {
                self.at += 1;
                let low = self.operand()?;
                if !self.keyword("AND") {
                    return Err(self.error_at_current());
                }
                self.at += 1;
                let high = self.operand()?;
                Ok(Cond::Between(left, low, high))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("IN") => {
                self.at += 1;
                self.expect(Token::LParen)?;
                let mut items = vec![self.operand()?];
                while self.peek() == Some(&Token::Comma) {
                    self.at += 1;
                    items.push(self.operand()?);
                }
                self.expect(Token::RParen)?;
                if items.len() > 100 {
                    return Err(format!(
                        "Invalid {}: The IN operator is provided with too many operands; number of operands: {}",
                        self.kind,
                        items.len()
                    ));
                }
                Ok(Cond::In(left, items))
            }
            _ => Err(self.error_at_current()),
        }
    }

    fn function(&mut self, name: &str) -> Result<Cond, String> {
        if !FUNCTIONS.contains(&name) {
            return Err(format!(
                "Invalid {}: Invalid function name; function: {name}",
                self.kind
            ));
        }
        self.at += 2; // name and '('
        let cond = match name {
            "attribute_exists" => Cond::Exists(self.path()?),
            "attribute_not_exists" => Cond::NotExists(self.path()?),
            "attribute_type" => {
                let path = self.path()?;
                self.expect(Token::Comma)?;
                Cond::Type(path, self.operand()?)
            }
            "begins_with" => {
                let a = self.operand()?;
                self.expect(Token::Comma)?;
                Cond::BeginsWith(a, self.operand()?)
            }
            "contains" => {
                let a = self.operand()?;
                self.expect(Token::Comma)?;
                Cond::Contains(a, self.operand()?)
            }
            _ => {
                return Err(format!(
                    "Invalid {}: The function is not allowed to be used this way in an expression; function: {name}",
                    self.kind
                ));
            }
        };
        self.expect(Token::RParen)?;
        Ok(cond)
    }

    fn operand(&mut self) -> Result<Operand, String> {
        match self.peek().cloned() {
            Some(Token::Value(name)) => {
                self.at += 1;
                if !self.placeholders.values.contains_key(&name) {
                    return Err(format!(
                        "Invalid {}: An expression attribute value used in expression is not defined; attribute value: {name}",
                        self.kind
                    ));
                }
                self.placeholders.used_values.insert(name.clone());
                Ok(Operand::Value(name))
            }
            Some(Token::Word(word))
                if word == "size" && self.tokens.get(self.at + 1) == Some(&Token::LParen) =>
            {
                self.at += 2;
                let path = self.path()?;
                self.expect(Token::RParen)?;
                Ok(Operand::Size(path))
            }
            Some(Token::Word(word)) if self.tokens.get(self.at + 1) == Some(&Token::LParen) => {
                if FUNCTIONS.contains(&word.as_str()) {
                    Err(format!(
                        "Invalid {}: The function is not allowed to be used this way in an expression; function: {word}",
                        self.kind
                    ))
                } else {
                    Err(format!(
                        "Invalid {}: Invalid function name; function: {word}",
                        self.kind
                    ))
                }
            }
            _ => Ok(Operand::Path(self.path()?)),
        }
    }

    fn path_name(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Word(word)) => {
                if is_reserved(&word) {
                    return Err(format!(
                        "Invalid {}: Attribute name is a reserved keyword; reserved keyword: {word}",
                        self.kind
                    ));
                }
                Ok(word)
            }
            Some(Token::Name(name)) => {
                let Some(real) = self.placeholders.names.get(&name).cloned() else {
                    return Err(format!(
                        "Invalid {}: An expression attribute name used in the document path is not defined; attribute name: {name}",
                        self.kind
                    ));
                };
                self.placeholders.used_names.insert(name);
                Ok(real)
            }
            _ => {
                self.at -= 1;
                Err(self.error_at_current())
            }
        }
    }

    fn path(&mut self) -> Result<Path, String> {
        let mut path = vec![Step::Name(self.path_name()?)];
        loop {
            match self.peek() {
                Some(Token::Dot) => {
                    self.at += 1;
                    path.push(Step::Name(self.path_name()?));
                }
                Some(Token::LBracket) => {
                    self.at += 1;
                    let index = match self.next() {
                        Some(Token::Number(n)) => n.parse().map_err(|_| self.error_at_current())?,
                        _ => {
                            self.at -= 1;
                            return Err(self.error_at_current());
                        }
                    };
                    self.expect(Token::RBracket)?;
                    path.push(Step::Index(index));
                }
                _ => return Ok(path),
            }
        }
    }

    fn finish(&self) -> Result<(), String> {
        if self.at < self.tokens.len() {
            return Err(self.error_at_current());
        }
        Ok(())
    }
}

/// Parses a condition expression; `kind` names it in messages
/// (`ConditionExpression`, `FilterExpression`, `KeyConditionExpression`).
pub fn parse_condition(
    text: &str,
    kind: &str,
    placeholders: &mut Placeholders,
) -> Result<Cond, String> {
    let mut parser = Parser::new(text, kind, placeholders)?;
    let cond = parser.condition()?;
    parser.finish()?;
    check_operands(&cond, kind, parser.placeholders)?;
    Ok(cond)
}

/// Parses a projection expression: document paths separated by commas.
pub fn parse_projection(text: &str, placeholders: &mut Placeholders) -> Result<Vec<Path>, String> {
    let kind = "ProjectionExpression";
    let mut parser = Parser::new(text, kind, placeholders)?;
    let mut paths = vec![parser.path()?];
    while parser.peek() == Some(&Token::Comma) {
        parser.at += 1;
        paths.push(parser.path()?);
    }
    parser.finish()?;
    Ok(paths)
}

/// Checks what can be known before evaluation: operand types of functions
/// given constant values, BETWEEN bounds, attribute type names.
fn check_operands(cond: &Cond, kind: &str, placeholders: &Placeholders) -> Result<(), String> {
    let constant = |operand: &Operand| match operand {
        Operand::Value(name) => placeholders.value(name),
        _ => None,
    };
    match cond {
        Cond::And(a, b) | Cond::Or(a, b) => {
            check_operands(a, kind, placeholders)?;
            check_operands(b, kind, placeholders)
        }
        Cond::Not(a) => check_operands(a, kind, placeholders),
        Cond::Between(_, low, high) => {
            if let (Some(low), Some(high)) = (constant(low), constant(high)) {
                if value::compare(low, high) == Some(Ordering::Greater) {
                    return Err(format!(
                        "Invalid {kind}: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                        shown(low),
                        shown(high)
                    ));
                }
            }
            Ok(())
        }
        Cond::BeginsWith(_, operand) => match constant(operand) {
            Some(attr @ (Attr::S(_) | Attr::B(_))) => {
                let _ = attr;
                Ok(())
            }
            Some(other) => Err(format!(
                "Invalid {kind}: Incorrect operand type for operator or function; operator or function: begins_with, operand type: {}",
                other.type_name()
            )),
            None => Ok(()),
        },
        Cond::Type(_, operand) => match constant(operand) {
            Some(Attr::S(name))
                if ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"]
                    .contains(&&**name) =>
            {
                Ok(())
            }
            Some(Attr::S(name)) => Err(format!(
                "Invalid {kind}: Invalid attribute type name found; type: {name}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
            )),
            Some(other) => Err(format!(
                "Invalid {kind}: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {}",
                other.type_name()
            )),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

fn shown(attr: &Attr) -> String {
    match attr {
        Attr::S(s) => format!("{{S:{s}}}"),
        Attr::N(n) => format!("{{N:{}}}", n.as_str()),
        other => format!("{{{}}}", other.type_name()),
    }
}

/// The value a SET action writes.
#[derive(Debug, Clone)]
pub enum SetValue {
    Operand(Operand),
    IfNotExists(Path, Box<SetValue>),
    ListAppend(Box<SetValue>, Box<SetValue>),
    Plus(Box<SetValue>, Box<SetValue>),
    Minus(Box<SetValue>, Box<SetValue>),
}

/// One action of an update expression.
#[derive(Debug, Clone)]
pub enum UpdateAction {
    Set(Path, SetValue),
    Remove(Path),
    /// ADD path :value
    Add(Path, String),
    /// DELETE path :value
    Delete(Path, String),
}

impl UpdateAction {
    pub fn path(&self) -> &Path {
        match self {
            UpdateAction::Set(path, _)
            | UpdateAction::Remove(path)
            | UpdateAction::Add(path, _)
            | UpdateAction::Delete(path, _) => path,
        }
    }
}

impl Parser<'_> {
    fn set_term(&mut self) -> Result<SetValue, String> {
        if let (Some(Token::Word(word)), Some(Token::LParen)) =
            (self.peek().cloned(), self.tokens.get(self.at + 1))
        {
            match word.as_str() {
                "if_not_exists" => {
                    self.at += 2;
                    let path = self.path()?;
                    self.expect(Token::Comma)?;
                    let fallback = self.set_term()?;
                    self.expect(Token::RParen)?;
                    return Ok(SetValue::IfNotExists(path, Box::new(fallback)));
                }
                "list_append" => {
                    self.at += 2;
                    let first = self.set_term()?;
                    self.expect(Token::Comma)?;
                    let second = self.set_term()?;
                    self.expect(Token::RParen)?;
                    return Ok(SetValue::ListAppend(Box::new(first), Box::new(second)));
                }
                _ => {}
            }
        }
        Ok(SetValue::Operand(self.operand()?))
    }

    fn set_value(&mut self) -> Result<SetValue, String> {
        let left = self.set_term()?;
        match self.peek() {
            Some(Token::Op("+")) => {
                self.at += 1;
                Ok(SetValue::Plus(Box::new(left), Box::new(self.set_term()?)))
            }
            Some(Token::Op("-")) => {
                self.at += 1;
                Ok(SetValue::Minus(Box::new(left), Box::new(self.set_term()?)))
            }
            _ => Ok(left),
        }
    }

    fn value_name(&mut self) -> Result<String, String> {
        match self.operand()? {
            Operand::Value(name) => Ok(name),
            _ => {
                self.at -= 1;
                Err(self.error_at_current())
            }
        }
    }
}

/// Parses an update expression (`SET a = :v, b = b + :n REMOVE c ADD d :s DELETE e :t`).
pub fn parse_update(
    text: &str,
    placeholders: &mut Placeholders,
) -> Result<Vec<UpdateAction>, String> {
    let kind = "UpdateExpression";
    let mut parser = Parser::new(text, kind, placeholders)?;
    let mut actions = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    while let Some(token) = parser.peek().cloned() {
        let Token::Word(word) = token else {
            return Err(parser.error_at_current());
        };
        let clause = word.to_ascii_uppercase();
        if !["SET", "REMOVE", "ADD", "DELETE"].contains(&clause.as_str()) {
            return Err(parser.error_at_current());
        }
        if seen.contains(&clause) {
            return Err(format!(
                "Invalid {kind}: The \"{clause}\" section can only be used once in an update expression;"
            ));
        }
        seen.push(clause.clone());
        parser.at += 1;
        loop {
            let path = parser.path()?;
            let action = match clause.as_str() {
                "SET" => {
                    parser.expect(Token::Op("="))?;
                    UpdateAction::Set(path, parser.set_value()?)
                }
                "REMOVE" => UpdateAction::Remove(path),
                "ADD" => UpdateAction::Add(path, parser.value_name()?),
                _ => UpdateAction::Delete(path, parser.value_name()?),
            };
            actions.push(action);
            if parser.peek() == Some(&Token::Comma) {
                parser.at += 1;
            } else {
                break;
            }
        }
    }
    // No two actions may touch overlapping document paths.
    for (i, a) in actions.iter().enumerate() {
        for b in &actions[..i] {
            let (x, y) = (a.path(), b.path());
            let shorter = x.len().min(y.len());
            if x[..shorter] == y[..shorter] {
                return Err(format!(
                    "Invalid {kind}: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {}, path two: {}",
                    show_path(y),
                    show_path(x)
                ));
            }
        }
    }
    Ok(actions)
}

fn show_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|step| match step {
            Step::Name(name) => name.clone(),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The value at `path` in an item.
pub fn resolve<'a>(item: &'a [(Box<str>, Attr)], path: &[Step]) -> Option<&'a Attr> {
    let (first, rest) = path.split_first()?;
    let Step::Name(name) = first else {
        return None;
    };
    let mut current = value::get(item, name)?;
    for step in rest {
        current = match (step, current) {
            (Step::Name(name), Attr::M(entries)) => value::get(entries, name)?,
            (Step::Index(i), Attr::L(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

enum Resolved<'a> {
    Borrowed(&'a Attr),
    Owned(Attr),
}

impl Resolved<'_> {
    fn get(&self) -> &Attr {
        match self {
            Resolved::Borrowed(a) => a,
            Resolved::Owned(a) => a,
        }
    }
}

fn operand_value<'a>(
    operand: &Operand,
    item: &'a [(Box<str>, Attr)],
    placeholders: &'a Placeholders,
) -> Option<Resolved<'a>> {
    match operand {
        Operand::Path(path) => resolve(item, path).map(Resolved::Borrowed),
        Operand::Value(name) => placeholders.value(name).map(Resolved::Borrowed),
        Operand::Size(path) => {
            let size = match resolve(item, path)? {
                Attr::S(s) => s.chars().count(),
                Attr::B(b) => b.len(),
                Attr::Ss(items) => items.len(),
                Attr::Ns(items) => items.len(),
                Attr::Bs(items) => items.len(),
                Attr::L(items) => items.len(),
                Attr::M(entries) => entries.len(),
                _ => return None,
            };
            Num::parse(&size.to_string())
                .ok()
                .map(|n| Resolved::Owned(Attr::N(n)))
        }
    }
}

/// Evaluates a condition against an item (an empty slice for no item).
pub fn eval(cond: &Cond, item: &[(Box<str>, Attr)], placeholders: &Placeholders) -> bool {
    let get = |operand: &Operand| operand_value(operand, item, placeholders);
    match cond {
        Cond::And(a, b) => eval(a, item, placeholders) && eval(b, item, placeholders),
        Cond::Or(a, b) => eval(a, item, placeholders) || eval(b, item, placeholders),
        Cond::Not(a) => !eval(a, item, placeholders),
        Cond::Compare(a, cmp, b) => {
            let (Some(a), Some(b)) = (get(a), get(b)) else {
                return *cmp == Cmp::Ne;
            };
            let (a, b) = (a.get(), b.get());
            match cmp {
                Cmp::Eq => value::equal(a, b),
                Cmp::Ne => !value::equal(a, b),
                _ => match value::compare(a, b) {
                    None => false,
                    Some(order) => match cmp {
                        Cmp::Lt => order == Ordering::Less,
                        Cmp::Le => order != Ordering::Greater,
                        Cmp::Gt => order == Ordering::Greater,
                        _ => order != Ordering::Less,
                    },
                },
            }
        }
        Cond::Between(a, low, high) => {
            let (Some(a), Some(low), Some(high)) = (get(a), get(low), get(high)) else {
                return false;
            };
            matches!(
                value::compare(a.get(), low.get()),
                Some(Ordering::Greater | Ordering::Equal)
            ) && matches!(
                value::compare(a.get(), high.get()),
                Some(Ordering::Less | Ordering::Equal)
            )
        }
        Cond::In(a, items) => {
            let Some(a) = get(a) else {
                return false;
            };
            items
                .iter()
                .filter_map(get)
                .any(|item| value::equal(a.get(), item.get()))
        }
        Cond::Exists(path) => resolve(item, path).is_some(),
        Cond::NotExists(path) => resolve(item, path).is_none(),
        Cond::Type(path, kind) => {
            let (Some(found), Some(kind)) = (resolve(item, path), get(kind)) else {
                return false;
            };
            matches!(kind.get(), Attr::S(name) if **name == *found.type_name())
        }
        Cond::BeginsWith(a, prefix) => {
            let (Some(a), Some(prefix)) = (get(a), get(prefix)) else {
                return false;
            };
            match (a.get(), prefix.get()) {
                (Attr::S(s), Attr::S(p)) => s.starts_with(&**p),
                (Attr::B(s), Attr::B(p)) => s.starts_with(p),
                _ => false,
            }
        }
        Cond::Contains(a, needle) => {
            let (Some(a), Some(needle)) = (get(a), get(needle)) else {
                return false;
            };
            match (a.get(), needle.get()) {
                (Attr::S(s), Attr::S(n)) => s.contains(&**n),
                (Attr::B(s), Attr::B(n)) => n.is_empty() || s.windows(n.len()).any(|w| w == &**n),
                (Attr::Ss(items), Attr::S(n)) => items.contains(n),
                (Attr::Ns(items), Attr::N(n)) => items.contains(n),
                (Attr::Bs(items), Attr::B(n)) => items.contains(n),
                (Attr::L(items), other) => items.iter().any(|i| value::equal(i, other)),
                _ => false,
            }
        }
    }
}

/// A projection result being built: names or list positions to values.
enum Node {
    Leaf(Attr),
    Map(BTreeMap<String, Node>),
    List(BTreeMap<usize, Node>),
}

fn insert(node: &mut BTreeMap<String, Node>, path: &[Step], value: &Attr) {
    let Some((Step::Name(first), rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        node.insert(first.clone(), Node::Leaf(value.clone()));
        return;
    }
    let child = node.entry(first.clone()).or_insert_with(|| match rest[0] {
        Step::Name(_) => Node::Map(BTreeMap::new()),
        Step::Index(_) => Node::List(BTreeMap::new()),
    });
    insert_node(child, rest, value);
}

fn insert_node(node: &mut Node, path: &[Step], value: &Attr) {
    match (node, path.first()) {
        (Node::Map(map), Some(Step::Name(_))) => insert(map, path, value),
        (Node::List(list), Some(Step::Index(i))) => {
            let rest = &path[1..];
            if rest.is_empty() {
                list.insert(*i, Node::Leaf(value.clone()));
                return;
            }
            let child = list.entry(*i).or_insert_with(|| match rest[0] {
                Step::Name(_) => Node::Map(BTreeMap::new()),
                Step::Index(_) => Node::List(BTreeMap::new()),
            });
            insert_node(child, rest, value);
        }
        _ => {}
    }
}

fn node_to_attr(node: Node) -> Attr {
    match node {
        Node::Leaf(attr) => attr,
        Node::Map(map) => Attr::M(
            map.into_iter()
                .map(|(k, v)| (k.into_boxed_str(), node_to_attr(v)))
                .collect(),
        ),
        Node::List(list) => Attr::L(list.into_values().map(node_to_attr).collect()),
    }
}

/// The parts of an item that `paths` name (nested paths keep their nesting).
pub fn project(item: &[(Box<str>, Attr)], paths: &[Path]) -> Vec<(Box<str>, Attr)> {
    let mut root = BTreeMap::new();
    for path in paths {
        if let Some(found) = resolve(item, path) {
            insert(&mut root, path, found);
        }
    }
    root.into_iter()
        .map(|(k, v)| (k.into_boxed_str(), node_to_attr(v)))
        .collect()
}

/// Writes a condition's operator, for "Invalid operator used in KeyConditionExpression".
pub fn operator_name(cond: &Cond) -> String {
    match cond {
        Cond::And(..) => "AND".into(),
        Cond::Or(..) => "OR".into(),
        Cond::Not(..) => "NOT".into(),
        Cond::Compare(_, cmp, _) => cmp.symbol().into(),
        Cond::Between(..) => "BETWEEN".into(),
        Cond::In(..) => "IN".into(),
        Cond::Exists(_) => "attribute_exists".into(),
        Cond::NotExists(_) => "attribute_not_exists".into(),
        Cond::Type(..) => "attribute_type".into(),
        Cond::BeginsWith(..) => "begins_with".into(),
        Cond::Contains(..) => "contains".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn placeholders(names: Value, values: Value) -> Placeholders {
        let mut input = Map::new();
        if !names.is_null() {
            input.insert("ExpressionAttributeNames".into(), names);
        }
        if !values.is_null() {
            input.insert("ExpressionAttributeValues".into(), values);
        }
        Placeholders::from_request(&input).unwrap()
    }

    fn item(value: Value) -> Vec<(Box<str>, Attr)> {
        value::map_from_json(value.as_object().unwrap())
            .unwrap()
            .into_vec()
    }

    #[test]
    fn conditions_evaluate() {
        let mut p = placeholders(
            json!({"#s": "status"}),
            json!({":a": {"S": "active"}, ":n": {"N": "10"}, ":hi": {"N": "20"}, ":p": {"S": "ab"}, ":t": {"S": "L"}}),
        );
        let it = item(json!({
            "status": {"S": "active"}, "code": {"S": "abc"},
            "tags": {"L": [{"S": "x"}]}, "info": {"M": {"deep": {"N": "10"}}}
        }));
        for (text, expected) in [
            ("#s = :a", true),
            ("#s <> :a", false),
            ("size(code) = :n OR begins_with(code, :p)", true),
            ("info.deep = :n AND NOT attribute_exists(absent)", true),
            ("tags[0] = :a", false),
            ("attribute_type(tags, :t)", true),
            ("#s IN (:p, :a)", true),
            (
                "(attribute_not_exists(#s) OR absent < :n) AND begins_with(code, :p)",
                false,
            ),
            ("absent <> :n", true),
            ("info.deep BETWEEN :n AND :hi", true),
        ] {
            let cond = parse_condition(text, "FilterExpression", &mut p).unwrap();
            assert_eq!(eval(&cond, &it, &p), expected, "{text}");
        }
        assert!(p.check_all_used(true).is_ok());
    }

    #[test]
    fn expression_errors_read_like_dynamodb() {
        let mut p = placeholders(
            json!({"#n": "name"}),
            json!({":v": {"N": "1"}, ":s": {"S": "x"}}),
        );
        for (text, message) in [
            (
                "name = :v",
                "Attribute name is a reserved keyword; reserved keyword: name",
            ),
            (
                "#x = :v",
                "An expression attribute name used in the document path is not defined; attribute name: #x",
            ),
            (
                "#n = :missing",
                "An expression attribute value used in expression is not defined; attribute value: :missing",
            ),
            ("#n = ", "Syntax error; token: \"<EOF>\""),
            ("#n == :v", "Syntax error; token: \"=\""),
            (
                "frobnicate(#n)",
                "Invalid function name; function: frobnicate",
            ),
            (
                "begins_with(#n, :v)",
                "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
            ),
            ("#n BETWEEN :v AND :s", ""),
        ] {
            match parse_condition(text, "ConditionExpression", &mut p) {
                Err(err) => {
                    assert!(err.starts_with("Invalid ConditionExpression: "), "{err}");
                    assert!(err.contains(message), "{text}: {err}");
                }
                Ok(_) => assert!(message.is_empty(), "{text} parsed"),
            }
        }
        let deep = format!("{}#n = :v{}", "(".repeat(200), ")".repeat(200));
        let err = parse_condition(&deep, "ConditionExpression", &mut p).unwrap_err();
        assert!(err.contains("too many nested levels"), "{err}");
        let long = format!("#n = :v{}", " ".repeat(5000));
        let err = parse_condition(&long, "ConditionExpression", &mut p).unwrap_err();
        assert!(
            err.contains("Expression size has exceeded the maximum allowed size"),
            "{err}"
        );
        let err = parse_condition("é = ", "ConditionExpression", &mut p).unwrap_err();
        assert!(err.contains("Syntax error"), "{err}");
        let fresh = placeholders(json!({"#n": "a"}), json!({":v": {"N": "1"}}));
        assert_eq!(
            fresh.check_all_used(true).unwrap_err(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"
        );
    }

    #[test]
    fn update_expressions_parse() {
        let mut p = placeholders(
            json!({"#c": "count"}),
            json!({":one": {"N": "1"}, ":l": {"L": []}, ":s": {"SS": ["a"]}}),
        );
        let actions = parse_update(
            "SET #c = if_not_exists(#c, :one) + :one, tags = list_append(tags, :l) REMOVE earlier[2] ADD seen :s DELETE gone :s",
            &mut p,
        )
        .unwrap();
        assert_eq!(actions.len(), 5);
        assert!(matches!(
            &actions[0],
            UpdateAction::Set(_, SetValue::Plus(..))
        ));
        for (text, message) in [
            (
                "SET a = :one SET b = :one",
                "The \"SET\" section can only be used once",
            ),
            ("SET a = :one REMOVE a", "Two document paths overlap"),
            ("SET a.b = :one, a = :one", "Two document paths overlap"),
            ("ADD a b", "Syntax error"),
            ("PUT a = :one", "Syntax error"),
        ] {
            let err = parse_update(text, &mut p).unwrap_err();
            assert!(err.contains(message), "{text}: {err}");
        }
    }

    #[test]
    fn projections_keep_nesting() {
        let mut p = placeholders(json!({"#d": "data"}), Value::Null);
        let paths = parse_projection("id, #d.nested, tags[1], absent", &mut p).unwrap();
        let it = item(json!({
            "id": {"S": "1"}, "label": {"S": "no"},
            "data": {"M": {"nested": {"N": "2"}, "skip": {"N": "3"}}},
            "tags": {"L": [{"S": "a"}, {"S": "b"}]}
        }));
        let projected = project(&it, &paths);
        assert_eq!(
            value::map_to_json(&projected),
            json!({"id": {"S": "1"}, "data": {"M": {"nested": {"N": "2"}}}, "tags": {"L": [{"S": "b"}]}})
        );
    }
}
