//! Array methods written in the language itself (`xs.map(f)` calls `map(xs, f)`), so they run
//! as ordinary steps of the machine: a callback may start promises, throw, or hit a limit like
//! any other code. Errors inside them are reported at the method call in the program.

/// The methods, as functions whose first parameter is the array.
pub const PRELUDE: &str = r#"
function map(xs, f) {
  const out = [];
  let i = 0;
  for (const x of xs) { out.push(f(x, i)); i += 1; }
  return out;
}
function filter(xs, f) {
  const out = [];
  let i = 0;
  for (const x of xs) { if (f(x, i)) { out.push(x); } i += 1; }
  return out;
}
function forEach(xs, f) {
  let i = 0;
  for (const x of xs) { f(x, i); i += 1; }
}
function reduce(xs, f, initial) {
  let acc = initial;
  let i = 0;
  for (const x of xs) { acc = f(acc, x, i); i += 1; }
  return acc;
}
function join(xs, separator) {
  if (separator === undefined) { separator = ","; }
  let out = "";
  let i = 0;
  for (const x of xs) {
    if (i > 0) { out += separator; }
    if (x !== undefined && x !== null) { out += x; }
    i += 1;
  }
  return out;
}
function includes(xs, value) {
  for (const x of xs) { if (x === value) { return true; } }
  return false;
}
"#;
