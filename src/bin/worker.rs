//! The Web Worker. Loaded by Trunk's loader shim (`worker_loader.js`); the protocol lives in
//! `playground::cpu::protocol`, the message loop in `playground::web::worker_main`.

#[cfg(target_arch = "wasm32")]
fn main() {
    playground::web::worker_main::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The worker runs in a browser: build it with `trunk build` (see README.md).");
}
