//! The code worker: writes "the code behind it" for the code panel, loaded the first time the
//! panel opens (see `playground::code_request` for why it is a worker of its own).

#[cfg(target_arch = "wasm32")]
fn main() {
    playground::web::code_worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The code worker runs in a browser: build it with `trunk build` (see README.md).");
}
