//! DynamoDB attribute values: every type (S, N, B, BOOL, NULL, SS, NS, BS, L,
//! M), checked as DynamoDB checks them on the way in, kept compactly, ordered
//! the way key conditions compare them, and sized the way DynamoDB bills them.

use std::cmp::Ordering;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

/// How deeply lists and maps may nest inside one another.
const MAX_NESTING: usize = 32;

/// A DynamoDB number, kept as its canonical decimal text (`"1.5"`, `"-20"`,
/// `"0.001"`): no exponent, no leading or trailing zeros, no `-0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Num(Box<str>);

/// The most significant digits a number may have.
const MAX_DIGITS: usize = 38;

impl Num {
    /// Parses and normalises a number, with DynamoDB's messages for the
    /// numbers it refuses.
    pub fn parse(text: &str) -> Result<Num, String> {
        let not_numeric = || {
            if text.is_empty() {
                "The parameter cannot be converted to a numeric value".to_owned()
            } else {
                format!("The parameter cannot be converted to a numeric value: {text}")
            }
        };
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.as_bytes().first() {
            Some(b'-') => (true, &trimmed[1..]),
            Some(b'+') => (false, &trimmed[1..]),
            _ => (false, trimmed),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
            None => (unsigned, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits_ok(whole) || !digits_ok(fraction) {
            return Err(not_numeric());
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let body = e.strip_prefix(['+', '-']).unwrap_or(e);
                if body.is_empty() || !digits_ok(body) {
                    return Err(not_numeric());
                }
                // Absurd exponents are out of range either way.
                e.parse::<i64>().unwrap_or(if e.starts_with('-') {
                    -1_000_000
                } else {
                    1_000_000
                })
            }
        };
        let digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
        let Some(first) = digits.iter().position(|&d| d != b'0') else {
            return Ok(Num("0".into()));
        };
        let last = digits.iter().rposition(|&d| d != b'0').unwrap_or(first);
        let significant = &digits[first..=last];
        // The power of ten of the leading significant digit.
        let magnitude = exponent + whole.len() as i64 - 1 - first as i64;
        if magnitude > 125 {
            return Err(
                "Number overflow. Attempting to store a number with magnitude larger than supported range"
                    .into(),
            );
        }
        if magnitude < -130 {
            return Err(
                "Number underflow. Attempting to store a number with magnitude smaller than supported range"
                    .into(),
            );
        }
        if significant.len() > MAX_DIGITS {
            return Err("Attempting to store more than 38 significant digits in a Number".into());
        }
        // Place the decimal point: the leading digit has power `magnitude`.
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        let digit_text = std::str::from_utf8(significant).unwrap_or("0");
        if magnitude < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-magnitude - 1) as usize));
            out.push_str(digit_text);
        } else {
            let int_len = magnitude as usize + 1;
            if significant.len() <= int_len {
                out.push_str(digit_text);
                out.extend(std::iter::repeat_n('0', int_len - significant.len()));
            } else {
                out.push_str(&digit_text[..int_len]);
                out.push('.');
                out.push_str(&digit_text[int_len..]);
            }
        }
        Ok(Num(out.into_boxed_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as an integer mantissa and a power-of-ten scale.
    fn to_scaled(&self) -> (num_bigint::BigInt, usize) {
        let (whole, fraction) = self.0.split_once('.').unwrap_or((&self.0, ""));
        let digits = format!("{whole}{fraction}");
        let mantissa = digits.parse().unwrap_or_default();
        (mantissa, fraction.len())
    }

    /// `self + other` (or `self - other`), exact, with DynamoDB's range and
    /// precision checks on the result.
    pub fn add(&self, other: &Num, subtract: bool) -> Result<Num, String> {
        let (a, a_scale) = self.to_scaled();
        let (b, b_scale) = other.to_scaled();
        let scale = a_scale.max(b_scale);
        let ten = num_bigint::BigInt::from(10);
        let a = a * ten.pow((scale - a_scale) as u32);
        let b = b * ten.pow((scale - b_scale) as u32);
        let sum = if subtract { a - b } else { a + b };
        let digits = sum.to_string();
        let (negative, digits) = match digits.strip_prefix('-') {
            Some(rest) => (true, rest.to_owned()),
            None => (false, digits),
        };
        let padded = format!(
            "{}{digits}",
            "0".repeat((scale + 1).saturating_sub(digits.len()))
        );
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        let sign = if negative { "-" } else { "" };
        Num::parse(&format!("{sign}{whole}.{fraction}0"))
    }

    /// Significant digits, for item sizes.
    fn significant_digits(&self) -> usize {
        let digits: Vec<u8> = self.0.bytes().filter(u8::is_ascii_digit).collect();
        let first = digits.iter().position(|&d| d != b'0').unwrap_or(0);
        let last = digits.iter().rposition(|&d| d != b'0').unwrap_or(0);
        last.saturating_sub(first) + 1
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.as_str(), other.as_str());
        let (a_neg, b_neg) = (a.starts_with('-'), b.starts_with('-'));
        match (a_neg, b_neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => magnitude_cmp(a, b),
            (true, true) => magnitude_cmp(&b[1..], &a[1..]),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares two canonical non-negative decimals.
fn magnitude_cmp(a: &str, b: &str) -> Ordering {
    let (a_whole, a_fraction) = a.split_once('.').unwrap_or((a, ""));
    let (b_whole, b_fraction) = b.split_once('.').unwrap_or((b, ""));
    a_whole
        .len()
        .cmp(&b_whole.len())
        .then_with(|| a_whole.cmp(b_whole))
        .then_with(|| a_fraction.cmp(b_fraction))
}

/// One attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    S(Box<str>),
    N(Num),
    B(Box<[u8]>),
    Bool(bool),
    Null,
    Ss(Box<[Box<str>]>),
    Ns(Box<[Num]>),
    Bs(Box<[Box<[u8]>]>),
    L(Box<[Attr]>),
    M(Box<[(Box<str>, Attr)]>),
}

/// An item: its attributes, sorted by name.
pub type Item = Box<[(Box<str>, Attr)]>;

/// Where a value came from, for messages.
fn invalid(message: &str) -> String {
    format!("One or more parameter values were invalid: {message}")
}

impl Attr {
    /// Reads an attribute value from its JSON form (`{"S": "x"}`), with
    /// DynamoDB's validation. `Err` is a ValidationException message.
    pub fn from_json(value: &Value) -> Result<Attr, String> {
        Self::from_json_at(value, 0)
    }

    fn from_json_at(value: &Value, depth: usize) -> Result<Attr, String> {
        if depth > MAX_NESTING {
            return Err("Nesting Levels have exceeded supported limits".into());
        }
        let Some(object) = value.as_object() else {
            return Err(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
                    .into(),
            );
        };
        let set: Vec<(&String, &Value)> = object.iter().filter(|(_, v)| !v.is_null()).collect();
        match set.len() {
            0 => {
                return Err(
                    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
                        .into(),
                );
            }
            1 => {}
            _ => {
                return Err(
                    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
                        .into(),
                );
            }
        }
        let (kind, body) = set[0];
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("Unexpected value for type {kind}"))
        };
        let list = |v: &Value| {
            v.as_array()
                .cloned()
                .ok_or_else(|| format!("Unexpected value for type {kind}"))
        };
        Ok(match kind.as_str() {
            "S" => Attr::S(text(body)?.into_boxed_str()),
            "N" => Attr::N(Num::parse(&text(body)?)?),
            "B" => Attr::B(decode(&text(body)?)?.into_boxed_slice()),
            "BOOL" => Attr::Bool(body.as_bool().ok_or("Unexpected value for type BOOL")?),
            "NULL" => {
                if body.as_bool() != Some(true) {
                    return Err(invalid(
                        "Null attribute value types must have the value of true",
                    ));
                }
                Attr::Null
            }
            "SS" => {
                let items = list(body)?;
                if items.is_empty() {
                    return Err(invalid("An string set  may not be empty"));
                }
                let mut out: Vec<Box<str>> = Vec::with_capacity(items.len());
                for item in &items {
                    out.push(text(item)?.into_boxed_str());
                }
                if has_duplicates(&out) {
                    let shown: Vec<&str> = out.iter().map(|s| &**s).collect();
                    return Err(invalid(&format!(
                        "Input collection [{}] contains duplicates.",
                        shown.join(", ")
                    )));
                }
                Attr::Ss(out.into_boxed_slice())
            }
            "NS" => {
                let items = list(body)?;
                if items.is_empty() {
                    return Err(invalid("An number set  may not be empty"));
                }
                let mut out = Vec::with_capacity(items.len());
                for item in &items {
                    out.push(Num::parse(&text(item)?)?);
                }
                if has_duplicates(&out) {
                    return Err("Input collection contains duplicates".into());
                }
                Attr::Ns(out.into_boxed_slice())
            }
            "BS" => {
                let items = list(body)?;
                if items.is_empty() {
                    return Err(invalid("An binary set  may not be empty"));
                }
                let mut out: Vec<Box<[u8]>> = Vec::with_capacity(items.len());
                for item in &items {
                    out.push(decode(&text(item)?)?.into_boxed_slice());
                }
                if has_duplicates(&out) {
                    return Err(invalid("Input collection contains duplicates."));
                }
                Attr::Bs(out.into_boxed_slice())
            }
            "L" => {
                let items = list(body)?;
                let mut out = Vec::with_capacity(items.len());
                for item in &items {
                    out.push(Attr::from_json_at(item, depth + 1)?);
                }
                Attr::L(out.into_boxed_slice())
            }
            "M" => {
                let map = body.as_object().ok_or("Unexpected value for type M")?;
                let mut entries = Vec::with_capacity(map.len());
                for (name, value) in map {
                    entries.push((
                        name.clone().into_boxed_str(),
                        Attr::from_json_at(value, depth + 1)?,
                    ));
                }
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Attr::M(entries.into_boxed_slice())
            }
            other => {
                return Err(format!(
                    "Supplied AttributeValue has an unknown datatype: {other}"
                ));
            }
        })
    }

    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        let (kind, body) = match self {
            Attr::S(s) => ("S", Value::from(&**s)),
            Attr::N(n) => ("N", Value::from(n.as_str())),
            Attr::B(b) => ("B", Value::from(STANDARD.encode(b))),
            Attr::Bool(b) => ("BOOL", Value::from(*b)),
            Attr::Null => ("NULL", Value::from(true)),
            Attr::Ss(items) => ("SS", items.iter().map(|s| Value::from(&**s)).collect()),
            Attr::Ns(items) => (
                "NS",
                items.iter().map(|n| Value::from(n.as_str())).collect(),
            ),
            Attr::Bs(items) => (
                "BS",
                items
                    .iter()
                    .map(|b| Value::from(STANDARD.encode(b)))
                    .collect(),
            ),
            Attr::L(items) => ("L", items.iter().map(Attr::to_json).collect()),
            Attr::M(entries) => ("M", map_to_json(entries)),
        };
        out.insert(kind.to_owned(), body);
        Value::Object(out)
    }

    /// The type's name as DynamoDB writes it (`S`, `N`, `BOOL`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Attr::S(_) => "S",
            Attr::N(_) => "N",
            Attr::B(_) => "B",
            Attr::Bool(_) => "BOOL",
            Attr::Null => "NULL",
            Attr::Ss(_) => "SS",
            Attr::Ns(_) => "NS",
            Attr::Bs(_) => "BS",
            Attr::L(_) => "L",
            Attr::M(_) => "M",
        }
    }

    /// Bytes the value counts for in an item's size.
    pub fn size(&self) -> usize {
        match self {
            Attr::S(s) => s.len(),
            Attr::N(n) => n.significant_digits().div_ceil(2) + 1,
            Attr::B(b) => b.len(),
            Attr::Bool(_) | Attr::Null => 1,
            Attr::Ss(items) => items.iter().map(|s| s.len()).sum(),
            Attr::Ns(items) => items
                .iter()
                .map(|n| n.significant_digits().div_ceil(2) + 1)
                .sum(),
            Attr::Bs(items) => items.iter().map(|b| b.len()).sum(),
            Attr::L(items) => 3 + items.iter().map(|a| a.size() + 1).sum::<usize>(),
            Attr::M(entries) => {
                3 + entries
                    .iter()
                    .map(|(name, a)| name.len() + a.size() + 1)
                    .sum::<usize>()
            }
        }
    }

    /// The value as a key value, if it is a scalar a key may have.
    pub fn as_key(&self) -> Option<KeyVal> {
        match self {
            Attr::S(s) => Some(KeyVal::S(s.clone())),
            Attr::N(n) => Some(KeyVal::N(n.clone())),
            Attr::B(b) => Some(KeyVal::B(b.clone())),
            _ => None,
        }
    }
}

fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, a)| items[..i].contains(a))
}

fn decode(text: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(text)
        .map_err(|err| format!("Invalid Base64 value: {err}"))
}

/// A map of attribute values (an item, a key, an `M` value), sorted by name.
pub fn map_from_json(map: &Map<String, Value>) -> Result<Item, String> {
    let mut out = Vec::with_capacity(map.len());
    for (name, value) in map {
        out.push((name.clone().into_boxed_str(), Attr::from_json(value)?));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_boxed_slice())
}

pub fn map_to_json(entries: &[(Box<str>, Attr)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_json()))
            .collect(),
    )
}

/// The attribute `name` of an item (sorted by name).
pub fn get<'a>(item: &'a [(Box<str>, Attr)], name: &str) -> Option<&'a Attr> {
    item.binary_search_by(|(n, _)| (**n).cmp(name))
        .ok()
        .map(|i| &item[i].1)
}

/// An item's size as DynamoDB counts it: names plus values.
pub fn item_size(item: &[(Box<str>, Attr)]) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value.size())
        .sum()
}

/// A key attribute's value: a string, number or binary, ordered as DynamoDB
/// orders sort keys (strings and binaries by their bytes, numbers by value).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyVal {
    S(Box<str>),
    N(Num),
    B(Box<[u8]>),
}

impl KeyVal {
    pub fn to_attr(&self) -> Attr {
        match self {
            KeyVal::S(s) => Attr::S(s.clone()),
            KeyVal::N(n) => Attr::N(n.clone()),
            KeyVal::B(b) => Attr::B(b.clone()),
        }
    }

    pub fn size(&self) -> usize {
        self.to_attr().size()
    }
}

/// Orders two values the way comparisons in expressions do: only values of
/// the same scalar type compare.
pub fn compare(a: &Attr, b: &Attr) -> Option<Ordering> {
    match (a, b) {
        (Attr::S(x), Attr::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Attr::N(x), Attr::N(y)) => Some(x.cmp(y)),
        (Attr::B(x), Attr::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Equality as expressions see it: sets are equal regardless of order.
pub fn equal(a: &Attr, b: &Attr) -> bool {
    fn same_set<T: PartialEq>(x: &[T], y: &[T]) -> bool {
        x.len() == y.len() && x.iter().all(|item| y.contains(item))
    }
    match (a, b) {
        (Attr::Ss(x), Attr::Ss(y)) => same_set(x, y),
        (Attr::Ns(x), Attr::Ns(y)) => same_set(x, y),
        (Attr::Bs(x), Attr::Bs(y)) => same_set(x, y),
        (Attr::L(x), Attr::L(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        (Attr::M(x), Attr::M(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((n1, v1), (n2, v2))| n1 == n2 && equal(v1, v2))
        }
        _ => a == b,
    }
}

/// Attribute values serialize as DynamoDB writes them (`{"N": "1.5"}`,
/// binaries in base64): the form items are stored in on disk.
impl serde::Serialize for Attr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Base64<'a>(&'a [u8]);
        impl serde::Serialize for Base64<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&STANDARD.encode(self.0))
            }
        }
        struct Strs<'a, T>(&'a [T]);
        impl<T: AsRef<str>> serde::Serialize for Strs<'_, T> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(AsRef::as_ref))
            }
        }
        struct Binaries<'a>(&'a [Box<[u8]>]);
        impl serde::Serialize for Binaries<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|b| Base64(b)))
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            Attr::S(s) => map.serialize_entry("S", &**s)?,
            Attr::N(n) => map.serialize_entry("N", n.as_str())?,
            Attr::B(b) => map.serialize_entry("B", &Base64(b))?,
            Attr::Bool(b) => map.serialize_entry("BOOL", b)?,
            Attr::Null => map.serialize_entry("NULL", &true)?,
            Attr::Ss(items) => map.serialize_entry("SS", &Strs(items))?,
            Attr::Ns(items) => map.serialize_entry("NS", &Strs(items))?,
            Attr::Bs(items) => map.serialize_entry("BS", &Binaries(items))?,
            Attr::L(items) => map.serialize_entry("L", &**items)?,
            Attr::M(entries) => map.serialize_entry("M", &MapJson(entries))?,
        }
        map.end()
    }
}

impl AsRef<str> for Num {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// A map of attribute values (an item, an `M` value) serialized as a JSON
/// object, as [`map_to_json`] writes it, without building a `Value`.
pub struct MapJson<'a>(pub &'a [(Box<str>, Attr)]);

impl serde::Serialize for MapJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (&**name, value)))
    }
}

impl serde::Serialize for KeyVal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_attr().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(text: &str) -> String {
        Num::parse(text).unwrap().as_str().to_owned()
    }

    #[test]
    fn numbers_are_normalised() {
        assert_eq!(num("1.50"), "1.5");
        assert_eq!(num("007"), "7");
        assert_eq!(num("-0"), "0");
        assert_eq!(num("0.000"), "0");
        assert_eq!(num("1e2"), "100");
        assert_eq!(num("1.25E-3"), "0.00125");
        assert_eq!(num("-12.5e1"), "-125");
        assert_eq!(num(".5"), "0.5");
        assert_eq!(num("+3"), "3");
        assert_eq!(
            num("9.9999999999999999999999999999999999999E+125").len(),
            126
        );
    }

    #[test]
    fn numbers_dynamodb_refuses() {
        for (text, message) in [
            ("", "The parameter cannot be converted to a numeric value"),
            (
                "abc",
                "The parameter cannot be converted to a numeric value: abc",
            ),
            (
                "1e",
                "The parameter cannot be converted to a numeric value: 1e",
            ),
            (
                "1.2.3",
                "The parameter cannot be converted to a numeric value: 1.2.3",
            ),
            (
                "123456789012345678901234567890123456789",
                "Attempting to store more than 38 significant digits in a Number",
            ),
            (
                "1e126",
                "Number overflow. Attempting to store a number with magnitude larger than supported range",
            ),
            (
                "1e-131",
                "Number underflow. Attempting to store a number with magnitude smaller than supported range",
            ),
        ] {
            assert_eq!(Num::parse(text).unwrap_err(), message, "{text}");
        }
        assert!(Num::parse("1e-130").is_ok());
    }

    #[test]
    fn numbers_add_exactly() {
        let add = |a: &str, b: &str, subtract: bool| {
            Num::parse(a)
                .unwrap()
                .add(&Num::parse(b).unwrap(), subtract)
                .unwrap()
                .as_str()
                .to_owned()
        };
        assert_eq!(add("1", "2", false), "3");
        assert_eq!(add("0.1", "0.2", false), "0.3");
        assert_eq!(add("1.5", "2.25", true), "-0.75");
        assert_eq!(add("-10", "10", false), "0");
        assert_eq!(
            add("99999999999999999999999999999999999999", "1", true).len(),
            38
        );
        let big = Num::parse("9.9999999999999999999999999999999999999E+125").unwrap();
        assert!(big.add(&big, false).is_err());
    }

    #[test]
    fn numbers_order_by_value() {
        let mut values: Vec<Num> = ["10", "-2.5", "9", "0", "-10", "0.01", "9.5"]
            .iter()
            .map(|t| Num::parse(t).unwrap())
            .collect();
        values.sort();
        let sorted: Vec<&str> = values.iter().map(Num::as_str).collect();
        assert_eq!(sorted, ["-10", "-2.5", "0", "0.01", "9", "9.5", "10"]);
    }

    #[test]
    fn every_type_round_trips() {
        let value = json!({"M": {
            "s": {"S": "text"}, "n": {"N": "42"}, "b": {"B": "AAEC"},
            "t": {"BOOL": true}, "z": {"NULL": true},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": ["AA==", "AQ=="]},
            "l": {"L": [{"S": "x"}, {"N": "1"}, {"L": []}]}, "m": {"M": {}}
        }});
        let attr = Attr::from_json(&value).unwrap();
        assert_eq!(attr.to_json(), value);
    }

    #[test]
    fn values_serialize_as_they_are_read() {
        let value = json!({"M": {
            "s": {"S": "text"}, "n": {"N": "12345678901234567890.123456789"},
            "b": {"B": "AAEC/w=="}, "t": {"BOOL": false}, "z": {"NULL": true},
            "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["1", "-0.5"]}, "bs": {"BS": ["AA==", "AQ=="]},
            "l": {"L": [{"S": "x"}, {"M": {"k": {"N": "1"}}}, {"L": []}]}, "m": {"M": {}}
        }});
        let attr = Attr::from_json(&value).unwrap();
        assert_eq!(serde_json::to_value(&attr).unwrap(), value);
        assert_eq!(
            serde_json::to_value(KeyVal::B(vec![0, 1].into_boxed_slice())).unwrap(),
            json!({"B": "AAE="})
        );
    }

    #[test]
    fn malformed_values_are_refused() {
        for (value, message) in [
            (json!({}), "Supplied AttributeValue is empty"),
            (json!({"S": "a", "N": "1"}), "more than one datatypes"),
            (json!({"SS": []}), "An string set  may not be empty"),
            (json!({"NS": ["1", "1.0"]}), "contains duplicates"),
            (
                json!({"SS": ["a", "a"]}),
                "Input collection [a, a] contains duplicates.",
            ),
            (
                json!({"NULL": false}),
                "Null attribute value types must have the value of true",
            ),
            (json!({"B": "***"}), "Base64"),
            (json!({"L": [{}]}), "Supplied AttributeValue is empty"),
            (
                (0..40).fold(json!({"S": "x"}), |inner, _| json!({"L": [inner]})),
                "Nesting Levels have exceeded supported limits",
            ),
        ] {
            let err = Attr::from_json(&value).unwrap_err();
            assert!(err.contains(message), "{value}: {err}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(Attr::S("abc".into()).size(), 3);
        assert_eq!(Attr::N(Num::parse("12345").unwrap()).size(), 4);
        let item: Item = vec![("id".into(), Attr::S("x".into()))].into_boxed_slice();
        assert_eq!(item_size(&item), 3);
    }
}
