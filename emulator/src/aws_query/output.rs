//! Debug builds check every Query-protocol answer (IAM, SES) against the operation's output shape,
//! as the JSON front door does for the JSON services
//! ([`crate::aws_json::call`]): the XML inside `<{Action}Result>` is read
//! back, guided by the shape, into the JSON form [`Model::check_response`]
//! checks (member names, types, required members).
//!
//! Only the XML this emulator writes is read: elements without attributes,
//! text escaped by [`super::escape`].

use serde_json::{Map, Value};

use crate::validation::{Model, Operation, Shape};

/// An element: its name, child elements and text.
#[derive(Debug, Default)]
struct Element {
    name: String,
    children: Vec<Element>,
    text: String,
}

/// Checks the XML of an operation's `<{Action}Result>` (empty: no Result
/// element) against its output shape; `Err` names the first mismatch.
pub(crate) fn check(
    model: &Model,
    shapes: &[Shape],
    operation: &Operation,
    result: &str,
) -> Result<(), String> {
    let children = parse(result)?;
    let output = match operation.output {
        Some(shape) => {
            let result = Element {
                children,
                ..Element::default()
            };
            to_json(shapes, shape, &result, "")?
        }
        None if children.is_empty() => Value::Object(Map::new()),
        None => {
            return Err(format!(
                "{} has no output, but answered {result}",
                operation.name
            ));
        }
    };
    model.check_response(operation, &output)
}

/// The elements of an XML fragment, in order.
fn parse(xml: &str) -> Result<Vec<Element>, String> {
    let mut stack = vec![Element::default()];
    let mut rest = xml;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            text(&mut stack, rest)?;
            break;
        };
        text(&mut stack, &rest[..open])?;
        let close = rest[open..]
            .find('>')
            .ok_or_else(|| format!("an unclosed tag in {xml}"))?;
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let element = stack.pop().filter(|_| !stack.is_empty());
            match element {
                Some(element) if element.name == name => {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(element);
                    }
                }
                _ => return Err(format!("a stray </{name}> in {xml}")),
            }
        } else if let Some(name) = tag.strip_suffix('/').filter(|name| valid_name(name)) {
            // `<Name/>`: an empty element.
            if let Some(parent) = stack.last_mut() {
                parent.children.push(Element {
                    name: name.to_owned(),
                    ..Element::default()
                });
            }
        } else if !valid_name(tag) {
            return Err(format!("an element with attributes or no name: <{tag}>"));
        } else {
            stack.push(Element {
                name: tag.to_owned(),
                ..Element::default()
            });
        }
    }
    match stack.pop() {
        Some(root) if stack.is_empty() => Ok(root.children),
        _ => Err(format!("an unclosed element in {xml}")),
    }
}

fn valid_name(tag: &str) -> bool {
    !tag.is_empty() && !tag.contains(|c: char| c.is_whitespace() || c == '/')
}

fn text(stack: &mut [Element], raw: &str) -> Result<(), String> {
    let unescaped = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#13;", "\r")
        .replace("&amp;", "&");
    let nested = stack.len() > 1;
    match stack.last_mut() {
        Some(element) if nested => element.text.push_str(&unescaped),
        _ if raw.trim().is_empty() => {}
        _ => return Err(format!("text outside any element: {raw}")),
    }
    Ok(())
}

/// `element` read as the shape says, into the JSON form of the value.
fn to_json(shapes: &[Shape], shape: usize, element: &Element, path: &str) -> Result<Value, String> {
    let scalar = || -> Result<&str, String> {
        match element.children.first() {
            None => Ok(element.text.as_str()),
            Some(child) => Err(format!("{path} holds an element <{}>", child.name)),
        }
    };
    let at = |problem: &str| format!("{path} {problem}: {:?}", element.text);
    Ok(match &shapes[shape] {
        Shape::String { .. } | Shape::Blob => Value::String(scalar()?.to_owned()),
        Shape::Integer { .. } => Value::from(
            scalar()?
                .parse::<i64>()
                .map_err(|_| at("must be an integer"))?,
        ),
        Shape::Double => Value::from(
            scalar()?
                .parse::<f64>()
                .map_err(|_| at("must be a number"))?,
        ),
        Shape::Boolean => match scalar()? {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(at("must be true or false")),
        },
        Shape::Timestamp => {
            let time = chrono::DateTime::parse_from_rfc3339(scalar()?)
                .map_err(|_| at("must be an ISO 8601 timestamp"))?;
            Value::from(time.timestamp_millis() as f64 / 1000.0)
        }
        Shape::Structure { members, .. } => {
            let mut object = Map::new();
            for child in &element.children {
                let child_path = join(path, &child.name);
                let Some(member) = members.iter().find(|m| m.name == child.name) else {
                    return Err(format!("{child_path} is not a member of the output shape"));
                };
                let value = to_json(shapes, member.shape, child, &child_path)?;
                if object.insert(child.name.clone(), value).is_some() {
                    return Err(format!("{child_path} appears twice"));
                }
            }
            Value::Object(object)
        }
        Shape::List { member, .. } => {
            let mut items = Vec::new();
            for (i, child) in element.children.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                if child.name != "member" {
                    return Err(format!("{item_path} is <{}>, not <member>", child.name));
                }
                items.push(to_json(shapes, *member, child, &item_path)?);
            }
            Value::Array(items)
        }
        Shape::Map { value, .. } => {
            let mut object = Map::new();
            for entry in &element.children {
                let key = entry.children.iter().find(|c| c.name == "key");
                let item = entry.children.iter().find(|c| c.name == "value");
                let (Some(key), Some(item), "entry") = (key, item, entry.name.as_str()) else {
                    return Err(format!(
                        "{path} holds <{}>, not an <entry> with <key> and <value>",
                        entry.name
                    ));
                };
                let item_path = format!("{path}[{:?}]", key.text);
                object.insert(key.text.clone(), to_json(shapes, *value, item, &item_path)?);
            }
            Value::Object(object)
        }
    })
}

fn join(parent: &str, member: &str) -> String {
    if parent.is_empty() {
        member.to_owned()
    } else {
        format!("{parent}.{member}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::model;

    fn check_result(action: &str, result: &str) -> Result<(), String> {
        let model = Model::new(model::SHAPES, model::PATTERNS, model::OPERATIONS);
        let operation = model.operation(action).unwrap();
        check(&model, model::SHAPES, operation, result)
    }

    const ROLE: &str = "<RoleName>r</RoleName><Path>/</Path><RoleId>AROA1</RoleId>\
        <Arn>arn:aws:iam::000000000000:role/r</Arn>\
        <CreateDate>2024-01-02T03:04:05Z</CreateDate>";

    #[test]
    fn accepts_a_role_as_iam_writes_it() {
        let result = format!(
            "<Role>{ROLE}<Tags><member><Key>k</Key><Value>a &amp; b</Value></member></Tags>\
             <MaxSessionDuration>3600</MaxSessionDuration></Role>"
        );
        assert_eq!(check_result("GetRole", &result), Ok(()));
        assert_eq!(check_result("DeleteRole", ""), Ok(()));
        let empty = format!("<Role>{ROLE}<RoleLastUsed/></Role>");
        assert_eq!(check_result("GetRole", &empty), Ok(()));
    }

    #[test]
    fn names_what_does_not_match() {
        let missing = check_result("GetRole", "<Role><RoleName>r</RoleName></Role>").unwrap_err();
        assert!(
            missing.contains("required member Role.Path is missing"),
            "{missing}"
        );
        let unknown = format!("<Role>{ROLE}<Colour>red</Colour></Role>");
        assert_eq!(
            check_result("GetRole", &unknown),
            Err("Role.Colour is not a member of the output shape".into())
        );
        let number = format!("<Role>{ROLE}<MaxSessionDuration>long</MaxSessionDuration></Role>");
        assert!(
            check_result("GetRole", &number)
                .unwrap_err()
                .contains("must be an integer")
        );
        let list =
            format!("<Role>{ROLE}<Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags></Role>");
        assert_eq!(
            check_result("GetRole", &list),
            Err("Role.Tags[0] is <Tag>, not <member>".into())
        );
        assert!(check_result("DeleteRole", "<Role></Role>").is_err());
        assert!(check_result("GetRole", "<Role>").is_err());
    }
}
