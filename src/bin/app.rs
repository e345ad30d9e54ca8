//! The page. All logic lives in the library; this only mounts it.

#[cfg(target_arch = "wasm32")]
fn main() {
    playground::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The page runs in a browser: build it with `trunk build` (see README.md).");
}
