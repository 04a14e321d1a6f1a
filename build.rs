//! Ships style.css without comments and indentation: the stylesheet is
//! compiled into the wasm, and every byte there is a byte each host page
//! downloads. The readable file stays the source of truth.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=style.css");
    let css = fs::read_to_string("style.css").expect("style.css is next to Cargo.toml");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("style.min.css");
    fs::write(out, minify(&css)).expect("OUT_DIR is writable");
}

/// Drops `/* … */` comments and collapses whitespace, keeping one space only
/// where two words would otherwise merge (`0 auto`, `a b`). Quoted strings
/// pass through untouched.
fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
                space = true;
            }
            '"' | '\'' => {
                push_space(&mut out, &mut space, c);
                out.push(c);
                for q in chars.by_ref() {
                    out.push(q);
                    if q == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => space = true,
            c => {
                push_space(&mut out, &mut space, c);
                out.push(c);
            }
        }
    }
    out
}

/// Emits a pending space unless a neighbour makes it meaningless. Spaces
/// around `+`/`-` (calc), before `(` (`and (`) and before `:` (descendant
/// pseudo-classes) carry meaning and stay.
fn push_space(out: &mut String, space: &mut bool, next: char) {
    if std::mem::take(space) {
        let prev = out.chars().last();
        if prev.is_some_and(|p| !"{};,:>(".contains(p)) && !"{};,>!)".contains(next) {
            out.push(' ');
        }
    }
}
