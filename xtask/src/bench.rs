//! `cargo xtask bench` (issue 7): embed bytes against peer survey widgets.

use crate::shell::{Env, Error, Result};

pub fn run(_env: &Env) -> Result<()> {
    Err(Error::new("`cargo xtask bench` is not implemented yet"))
}
