//! `touchpoint check <file>`.

use crate::config_watch::{LoadError, LoadedConfig};
use std::collections::BTreeSet;
use std::path::Path;

/// What `check` found: lines to print and whether the file is clean.
pub struct CheckReport {
    pub lines: Vec<String>,
    pub ok: bool,
}

pub fn check(path: &Path) -> CheckReport {
    let problems = match LoadedConfig::from_file(path) {
        Err(e @ LoadError::Read(..)) => vec![e.to_string()],
        Err(LoadError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
        Ok(loaded) if !loaded.problems.is_empty() => {
            loaded.problems.iter().map(ToString::to_string).collect()
        }
        Ok(loaded) => {
            let touchpoints = &loaded.config.touchpoints;
            let stages: BTreeSet<&str> = touchpoints.iter().map(|t| t.stage.as_str()).collect();
            let summary = format!(
                "{}: ok — {} {} across {} journey {}",
                path.display(),
                touchpoints.len(),
                plural(touchpoints.len(), "touchpoint"),
                stages.len(),
                plural(stages.len(), "stage"),
            );
            return CheckReport {
                lines: vec![summary],
                ok: true,
            };
        }
    };
    CheckReport {
        lines: problems,
        ok: false,
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
