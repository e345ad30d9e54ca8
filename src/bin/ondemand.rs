//! The on-demand worker: writes the texts the page needs only now and then, loaded the first
//! time one is asked for (see `playground::on_demand` for why it is a worker of its own).

#[cfg(target_arch = "wasm32")]
fn main() {
    playground::web::on_demand::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The on-demand worker runs in a browser: build it with `trunk build` (see README.md)."
    );
}
