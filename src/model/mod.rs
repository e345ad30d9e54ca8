//! What to run: the scenario a person builds (its fields checked as they type them), the plan
//! of concrete timings drawn from it, the ideal time predicted from the plan, and the link
//! fragment that carries the scenario (the URL is its source of truth).
//!
//! Inside the folder: `scenario` <- `input` <- `editor` <- `router`, and `scenario` <- `plan`
//! <- `predict`. It uses only [`crate::cpu`] (a CPU experiment's spec) and [`crate::units`].

pub mod editor;
pub mod embed;
pub mod input;
pub mod plan;
pub mod predict;
pub mod router;
pub mod scenario;
