//! The page's side of one Web Worker: spawn it, wait for `Ready`, exchange typed messages.

use std::cell::Cell;

use super::timers::Sleep;
use futures::channel::mpsc;
use futures::future::{select, Either};
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker};

use super::clock::now_ms;
use super::message::{from_js, to_js};
use crate::cpu::kernels::{warm_up, Job};
use crate::cpu::protocol::{FromWorker, ProtocolError, ToWorker, WorkerError};

/// A job that did not produce a result.
#[derive(Clone, Debug, PartialEq)]
pub struct JobError {
    /// What went wrong, for people.
    pub message: String,
    /// True when the worker is unusable afterwards (it panicked, crashed or was stopped):
    /// drop it.
    pub fatal: bool,
    /// Set when the worker stopped answering and the page terminated it: the silence that was
    /// too long, in ms (see [`stall_limit_ms`]).
    pub stalled_ms: Option<u32>,
}

impl JobError {
    fn fatal(e: WorkerError) -> JobError {
        JobError {
            message: e.to_string(),
            fatal: true,
            stalled_ms: None,
        }
    }
}

/// What a finished job reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobDone {
    /// The kernel's output.
    pub value: u64,
    /// Time computed, measured inside the worker.
    pub compute_ms: f64,
}

/// Where Trunk puts the worker's script, relative to the page (works under a sub-path). Its wasm
/// sits beside it as `worker_bg.wasm`.
pub const WORKER_URL: &str = "./worker.js";

/// How long a worker may take to load before we give up on it.
pub const READY_TIMEOUT_MS: u32 = 10_000;

/// How long a worker computing a job may stay silent (no progress, no answer) before the page
/// terminates it, by default, in ms.
///
/// A healthy worker is never that quiet: it posts progress at least every 0.1 s, or after each
/// part of its job if a part takes longer (`worker_main`), and no part of the largest jobs
/// allowed takes more than about 0.2 s natively (the benchmark measures the longest silence
/// during a real run). 10 s leaves room for a phone several times slower than a desktop, with
/// more workers than cores sharing the CPU, and still ends a hung run in a time people wait.
pub const STALL_LIMIT_MS: u32 = 10_000;

thread_local! {
    static STALL_LIMIT: Cell<u32> = const { Cell::new(STALL_LIMIT_MS) };
}

/// Sets how long a worker may stay silent during a job before it is stopped (tests lower it).
pub fn set_stall_limit_ms(ms: u32) {
    STALL_LIMIT.with(|l| l.set(ms.max(1)));
}

/// How long a worker may stay silent during a job before it is stopped, ms (default
/// [`STALL_LIMIT_MS`]).
pub fn stall_limit_ms() -> u32 {
    STALL_LIMIT.with(|l| l.get())
}

/// What the page says about a worker it stopped: `who` (e.g. "worker 2") stopped answering.
pub fn stalled_message(who: &str, silent_ms: u32) -> String {
    format!(
        "{who} stopped answering (no message for {} s) and was stopped",
        f64::from(silent_ms) / 1000.0
    )
}

/// The worker's event handlers, kept alive as long as the worker: the browser calls them.
struct Handlers {
    _message: Closure<dyn FnMut(MessageEvent)>,
    _error: Closure<dyn FnMut(Event)>,
}

/// A running worker and the messages it sent that nobody has read yet. Reading takes
/// `&mut self`: one reader at a time, so no answer can be taken by the wrong waiter.
pub struct WorkerClient {
    worker: Worker,
    inbox: mpsc::UnboundedReceiver<Result<FromWorker, WorkerError>>,
    _handlers: Handlers,
    /// The kernels this worker has been warmed up for ([`warm_up::kernel`]).
    warmed: Vec<&'static str>,
}

impl WorkerClient {
    /// Spawns the worker whose Trunk-built script is `script_url` (relative to the page; its
    /// `_bg.wasm` beside it) and waits for its `Ready`. Returns the client and the time from
    /// spawn to `Ready` in ms.
    ///
    /// The worker's wasm is compiled once per page ([`compiled_module`]) and the compiled
    /// module is posted to each worker, so a worker instantiates it rather than fetching and
    /// compiling its own. Its script is read once too and carried in each worker's bootstrap,
    /// rather than fetched by each worker (2 workers to `Ready`: 42 ms against 57, median of
    /// 15 on 2 cores).
    pub async fn spawn(script_url: &str) -> Result<(WorkerClient, f64), WorkerError> {
        let t0 = now_ms();
        let (module, script) = compiled_module(script_url)
            .await
            .map_err(WorkerError::CannotStart)?;
        let (worker, bootstrap_url) =
            start_worker_with(script_url, Some(&script)).map_err(WorkerError::CannotStart)?;
        let (tx, rx) = mpsc::unbounded();
        let tx_err = tx.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let msg = from_js::<FromWorker>(ev.data()).map_err(WorkerError::from);
            let _ = tx.unbounded_send(msg);
        });
        // A script that fails to load fires a plain Event; an exception inside the worker fires
        // an ErrorEvent with a message.
        let onerror = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            ev.prevent_default();
            let why = match ev.dyn_ref::<ErrorEvent>() {
                Some(e) => WorkerError::Crashed(e.message()),
                None => WorkerError::CannotStart("the worker script could not be loaded".into()),
            };
            let _ = tx_err.unbounded_send(Err(why));
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        // The bootstrap waits for the compiled module before it loads anything.
        if let Err(e) = worker.post_message(&module) {
            worker.terminate();
            let _ = web_sys::Url::revoke_object_url(&bootstrap_url);
            return Err(WorkerError::CannotStart(format!(
                "cannot hand the compiled module to the worker: {e:?}"
            )));
        }
        let mut client = WorkerClient {
            worker,
            inbox: rx,
            _handlers: Handlers {
                _message: onmessage,
                _error: onerror,
            },
            warmed: Vec::new(),
        };
        let ready = client.next(READY_TIMEOUT_MS).await;
        // Loaded or failed: either way the bootstrap has been read.
        let _ = web_sys::Url::revoke_object_url(&bootstrap_url);
        match ready {
            Ok(FromWorker::Ready) => Ok((client, now_ms() - t0)),
            Ok(other) => Err(WorkerError::OutOfTurn(format!("{other:?} before Ready"))),
            Err(e) => {
                client.worker.terminate();
                Err(e)
            }
        }
    }

    /// Sends one message.
    pub fn send(&self, msg: &ToWorker) -> Result<(), WorkerError> {
        let value = to_js(msg)?;
        self.worker
            .post_message(&value)
            .map_err(|e| ProtocolError::Unencodable(format!("{e:?}")).into())
    }

    /// The next message, or an error if the worker crashed or stayed silent for `timeout_ms`.
    pub async fn next(&mut self, timeout_ms: u32) -> Result<FromWorker, WorkerError> {
        match select(self.inbox.next(), Sleep::new(timeout_ms)).await {
            Either::Left((Some(msg), _)) => msg,
            Either::Left((None, _)) => Err(WorkerError::Gone),
            Either::Right(_) => Err(WorkerError::Silent { ms: timeout_ms }),
        }
    }

    /// Runs `job` and waits for its answer. Answers of other runs or jobs are skipped, so a late
    /// message can never be taken for this job's. A worker that sends nothing at all for
    /// [`stall_limit_ms`] is terminated and the job fails with `stalled_ms` set.
    pub async fn run(&mut self, run_id: u32, job_id: u32, job: Job) -> Result<JobDone, JobError> {
        self.run_with_progress(run_id, job_id, job, &mut |_| {})
            .await
    }

    /// Like [`WorkerClient::run`], calling `progress` with the fraction done as the worker
    /// reports it.
    pub async fn run_with_progress(
        &mut self,
        run_id: u32,
        job_id: u32,
        job: Job,
        progress: &mut dyn FnMut(f64),
    ) -> Result<JobDone, JobError> {
        self.exchange(
            ToWorker::Run {
                run_id,
                job_id,
                job,
            },
            run_id,
            job_id,
            progress,
            stall_limit_ms(),
        )
        .await
    }

    /// Parks the worker on a timer of `ms` (a worker held while it waits). It says nothing
    /// while it waits, so it is stopped only if silent for the stall limit beyond `ms`.
    pub async fn hold(&mut self, run_id: u32, job_id: u32, ms: u32) -> Result<JobDone, JobError> {
        self.exchange(
            ToWorker::Hold { run_id, job_id, ms },
            run_id,
            job_id,
            &mut |_| {},
            ms.saturating_add(stall_limit_ms()),
        )
        .await
    }

    /// Hands the worker `job` without waiting for it: the worker queues it behind the job it is
    /// running, so it starts it the moment that one ends, with no round trip through the page.
    /// [`WorkerClient::answer`] then waits for its answer.
    pub fn queue(&self, run_id: u32, job_id: u32, job: Job) -> Result<(), JobError> {
        self.send(&ToWorker::Run {
            run_id,
            job_id,
            job,
        })
        .map_err(JobError::fatal)
    }

    /// Waits for the answer to a job handed over with [`WorkerClient::queue`]: as
    /// [`WorkerClient::run_with_progress`] does after sending it.
    pub async fn answer(
        &mut self,
        run_id: u32,
        job_id: u32,
        progress: &mut dyn FnMut(f64),
    ) -> Result<JobDone, JobError> {
        self.receive(run_id, job_id, progress, stall_limit_ms())
            .await
    }

    async fn exchange(
        &mut self,
        msg: ToWorker,
        run_id: u32,
        job_id: u32,
        progress: &mut dyn FnMut(f64),
        silence_limit_ms: u32,
    ) -> Result<JobDone, JobError> {
        self.send(&msg).map_err(JobError::fatal)?;
        self.receive(run_id, job_id, progress, silence_limit_ms)
            .await
    }

    /// The answer to job `job_id` of run `run_id`, already sent.
    async fn receive(
        &mut self,
        run_id: u32,
        job_id: u32,
        progress: &mut dyn FnMut(f64),
        silence_limit_ms: u32,
    ) -> Result<JobDone, JobError> {
        // No limit on the job's length: a job may legitimately compute for seconds, telling us
        // how far it got. A crash arrives as an error event, cancelling terminates the worker,
        // and a worker that says nothing at all for `silence_limit_ms` is stopped.
        let tick = (silence_limit_ms / 4).max(1);
        let mut silent = 0.0;
        loop {
            let t0 = now_ms();
            let next = match select(self.inbox.next(), Sleep::new(tick)).await {
                Either::Left((next, _)) => next,
                Either::Right(_) => {
                    // At most two ticks count per tick: if the page itself was frozen or
                    // throttled (a background tab), it could not hear the worker, and that is
                    // not the worker's silence.
                    silent += (now_ms() - t0).min(2.0 * f64::from(tick));
                    if silent >= f64::from(silence_limit_ms) {
                        self.worker.terminate();
                        return Err(JobError {
                            message: stalled_message("the worker", silence_limit_ms),
                            fatal: true,
                            stalled_ms: Some(silence_limit_ms),
                        });
                    }
                    continue;
                }
            };
            // Any message, even one for another job, means the worker is alive.
            silent = 0.0;
            match next {
                None => return Err(JobError::fatal(WorkerError::Gone)),
                Some(Err(e)) => return Err(JobError::fatal(e)),
                Some(Ok(FromWorker::Done {
                    run_id: r,
                    job_id: j,
                    value,
                    compute_ms,
                })) if r == run_id && j == job_id => return Ok(JobDone { value, compute_ms }),
                Some(Ok(FromWorker::Progress {
                    run_id: r,
                    job_id: j,
                    done,
                    total,
                })) if r == run_id && j == job_id => progress(done as f64 / total.max(1) as f64),
                Some(Ok(FromWorker::Failed {
                    run_id: r,
                    job_id: j,
                    message,
                    fatal,
                })) if fatal || (r == Some(run_id) && j == Some(job_id)) => {
                    return Err(JobError {
                        message,
                        fatal,
                        stalled_ms: None,
                    })
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Warms this worker up for `job`'s kernel unless it already is: runs short pieces of the
    /// same kernel ([`warm_up::job`]) until their times settle ([`warm_up::warmed_up`]).
    /// Returns the time it took, ms (0 for a worker already warm for this kernel).
    pub async fn warm_up(&mut self, run_id: u32, job: &Job) -> Result<f64, JobError> {
        let kernel = warm_up::kernel(job);
        let Some(piece) = warm_up::job(job) else {
            return Ok(0.0);
        };
        if self.warmed.contains(&kernel) {
            return Ok(0.0);
        }
        let t0 = now_ms();
        let mut times = Vec::new();
        while !warm_up::warmed_up(&times) {
            let done = self.run(run_id, times.len() as u32, piece.clone()).await?;
            times.push(done.compute_ms);
        }
        self.warmed.push(kernel);
        Ok(now_ms() - t0)
    }

    /// Round trip of a `Ping` for `run_id`, in ms. Answers for other run ids are skipped.
    pub async fn ping(&mut self, run_id: u32) -> Result<f64, WorkerError> {
        let t0 = now_ms();
        self.send(&ToWorker::Ping { run_id })?;
        loop {
            match self.next(READY_TIMEOUT_MS).await? {
                FromWorker::Pong { run_id: r } if r == run_id => return Ok(now_ms() - t0),
                FromWorker::Failed { message, .. } => return Err(WorkerError::Failed(message)),
                _ => continue,
            }
        }
    }
}

/// Starts a classic worker from a tiny bootstrap that loads the wasm-bindgen `no-modules` script
/// and its wasm by absolute URL. Absolute, because a worker's own base URL is not always the
/// page's: a blob-wrapped worker (as test harnesses and some hosts make) cannot resolve
/// `./worker.js`.
/// Returns the worker and the bootstrap's blob URL, to revoke once the worker has loaded.
pub(crate) fn start_worker(script_url: &str) -> Result<(Worker, String), String> {
    start_worker_with(script_url, None)
}

/// The absolute URLs of a Trunk-built worker's script and of its wasm beside it.
fn worker_urls(script_url: &str) -> Result<(String, String), String> {
    let cannot = |e: JsValue| format!("cannot start a worker: {e:?}");
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .ok_or("cannot start a worker: the page has no base URL")?;
    let js = web_sys::Url::new_with_base(script_url, &base)
        .map_err(cannot)?
        .href();
    let wasm = js
        .strip_suffix(".js")
        .map(|stem| format!("{stem}_bg.wasm"))
        .ok_or_else(|| format!("cannot start a worker: {script_url} is not a .js file"))?;
    Ok((js, wasm))
}

thread_local! {
    /// The worker wasm compiled once per page, by URL: a promise of the compiled module and the
    /// worker's script (a two-item array), shared by every worker spawned while it compiles and
    /// after (a promise can be awaited any number of times).
    static MODULES: std::cell::RefCell<Vec<(String, js_sys::Promise)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The compiled `WebAssembly.Module` of the worker whose script is `script_url`, and that script
/// as a `Blob`: compiled (while it downloads, if the server says `application/wasm`) and read the
/// first time they are asked for, and kept for the page's life. A failure is not kept: the next
/// run tries again.
pub async fn compiled_module(script_url: &str) -> Result<(JsValue, JsValue), String> {
    let (js, wasm) = worker_urls(script_url)?;
    let cached = MODULES.with(|m| {
        m.borrow()
            .iter()
            .find(|(url, _)| *url == wasm)
            .map(|(_, p)| p.clone())
    });
    let promise = match cached {
        Some(p) => p,
        None => {
            let url = wasm.clone();
            let p = wasm_bindgen_futures::future_to_promise(async move {
                let module = compile(url).await?;
                Ok(js_sys::Array::of2(&module, &read(js).await?).into())
            });
            MODULES.with(|m| m.borrow_mut().push((wasm.clone(), p.clone())));
            p
        }
    };
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(both) => {
            let both = js_sys::Array::from(&both);
            Ok((both.get(0), both.get(1)))
        }
        Err(e) => {
            MODULES.with(|m| m.borrow_mut().retain(|(url, _)| *url != wasm));
            Err(e
                .as_string()
                .unwrap_or_else(|| "the worker's wasm could not be loaded".into()))
        }
    }
}

/// The worker's script at `js`, as a `Blob` (it goes into each worker's bootstrap as it is).
async fn read(js: String) -> Result<JsValue, String> {
    use wasm_bindgen_futures::JsFuture;
    let why = |_: JsValue| "the worker's script could not be loaded".to_string();
    let window = web_sys::window().ok_or("cannot load the worker: no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&js))
        .await
        .map_err(why)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "the worker's script could not be loaded: HTTP {}",
            response.status()
        ));
    }
    JsFuture::from(response.blob().map_err(why)?)
        .await
        .map_err(why)
}

async fn compile(wasm: String) -> Result<JsValue, String> {
    use wasm_bindgen_futures::JsFuture;
    let why = |e: JsValue| {
        let text = e
            .as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| format!("{e:?}"));
        format!("the worker's wasm could not be loaded: {text}")
    };
    let window = web_sys::window().ok_or("cannot load the worker: no window")?;
    let streaming = JsFuture::from(js_sys::WebAssembly::compile_streaming(
        &window.fetch_with_str(&wasm),
    ))
    .await;
    let module = match streaming {
        Ok(m) => m,
        // Without `application/wasm` compileStreaming refuses: compile the bytes instead.
        Err(_) => {
            let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&wasm))
                .await
                .map_err(why)?
                .unchecked_into();
            if !response.ok() {
                return Err(format!(
                    "the worker's wasm could not be loaded: HTTP {}",
                    response.status()
                ));
            }
            let bytes = JsFuture::from(response.array_buffer().map_err(why)?)
                .await
                .map_err(why)?;
            JsFuture::from(js_sys::WebAssembly::compile(&bytes))
                .await
                .map_err(why)?
        }
    };
    if module.is_instance_of::<js_sys::WebAssembly::Module>() {
        Ok(module)
    } else {
        Err("the worker's wasm could not be loaded".into())
    }
}

/// Like [`start_worker`]; with the worker's `script` at hand, the bootstrap carries it (no
/// fetch of its own), then waits for a compiled `WebAssembly.Module` as its first message and
/// instantiates that instead of fetching the wasm.
fn start_worker_with(
    script_url: &str,
    script: Option<&JsValue>,
) -> Result<(Worker, String), String> {
    let cannot = |e: JsValue| format!("cannot start a worker: {e:?}");
    let (js, wasm) = worker_urls(script_url)?;
    // A wasm that fails to load rejects a promise inside the worker, which the page would never
    // hear of; rethrown from a timer it becomes the worker's `error` event, at once.
    let parts = match script {
        Some(script) => js_sys::Array::of2(
            script,
            &"\n;self.onmessage=(m)=>{self.onmessage=null;\
              wasm_bindgen({module_or_path:m.data}).catch((e)=>setTimeout(()=>{throw e;}));};"
                .into(),
        ),
        None => js_sys::Array::of1(
            &format!(
                "importScripts({js:?});wasm_bindgen({{module_or_path:{wasm:?}}})\
                 .catch((e)=>setTimeout(()=>{{throw e;}}));"
            )
            .into(),
        ),
    };
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(cannot)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(cannot)?;
    let worker = Worker::new(&url).map_err(cannot);
    if worker.is_err() {
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    worker.map(|w| (w, url))
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
