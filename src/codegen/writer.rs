//! What each language's file implements: [`Writer`].

use crate::codegen::async_scenario::Ctx;
use crate::codegen::cpu_scenario::Cpu;
use crate::cpu::CpuMode;
use crate::model::scenario::Strategy;

/// What one language writes: the shared setup, then one snippet per strategy (async scenarios)
/// or per mode (CPU scenarios). Each language's file implements it.
pub(super) trait Writer {
    /// The simulated call, with the scenario's behaviour.
    fn setup(&self, ctx: &Ctx) -> String;
    /// Strategy `s` over the calls.
    fn strategy(&self, ctx: &Ctx, s: Strategy) -> String;
    /// The CPU kernel.
    fn cpu_setup(&self, cpu: &Cpu<'_>) -> String;
    /// The kernel run in `mode`.
    fn cpu_mode(&self, cpu: &Cpu<'_>, mode: CpuMode) -> String;
}
