//! A tiny JSON writer for results.json (xtask stays dependency-free).

use super::{Measured, Sizes};
use crate::shell::Env;
use std::fmt;

pub enum Json {
    Num(f64),
    Bool(bool),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn str(s: &str) -> Json {
        Json::Str(s.to_string())
    }

    pub fn obj<const N: usize>(fields: [(&str, Json); N]) -> Json {
        Json::Obj(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => write!(f, "{}", *n as i64),
            Json::Num(n) => write!(f, "{:.4}", n),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Str(s) => write_str(f, s),
            Json::Arr(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Json::Obj(fields) => {
                f.write_str("{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_str(f, k)?;
                    write!(f, ":{v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

pub fn sizes(s: Sizes) -> Json {
    Json::obj([
        ("raw", Json::Num(s.raw as f64)),
        ("gzip", Json::Num(s.gzip as f64)),
        ("brotli", Json::Num(s.brotli as f64)),
    ])
}

pub fn files(files: &[Measured]) -> Json {
    Json::Arr(
        files
            .iter()
            .map(|m| Json::obj([("file", Json::str(&m.name)), ("bytes", sizes(m.sizes))]))
            .collect(),
    )
}

/// `Linux 6.1.0 x86_64, 2 CPUs (AMD EPYC …)`.
pub fn machine(env: &Env) -> String {
    let uname = env.read("uname", &["-srm"]).unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_default();
    format!("{uname}, {cpus} CPUs ({model})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_json() {
        let j = Json::obj([
            ("a", Json::Num(3.0)),
            ("b", Json::Num(0.5)),
            ("s", Json::str("q\"\\\n\u{1}é")),
            ("l", Json::Arr(vec![Json::Bool(true), Json::Bool(false)])),
        ]);
        assert_eq!(
            j.to_string(),
            r#"{"a":3,"b":0.5000,"s":"q\"\\\n\u0001é","l":[true,false]}"#
        );
    }
}
