// Keeps the machine busy: one busy loop per thread (two by default, the cores of the machines
// CI runs on), until this process is stopped. `LOAD=1 ./scripts/test.sh` starts it before the
// tests and stops it by its process id when they end, whatever their outcome, to prove the
// suite passes on a busy machine. Usage: node scripts/load.mjs [threads]
import { Worker, isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const threads = Math.max(1, Number(process.argv[2] ?? 2) || 2);
  for (let i = 0; i < threads; i++) new Worker(new URL(import.meta.url));
  console.log(`load: ${threads} busy loops in process ${process.pid}`);
  // Stopped by a signal: the threads end with the process.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => process.exit(0));
} else {
  // A real busy loop: nothing the optimiser can remove, no sleep.
  let x = 0;
  for (;;) x = (x * 1103515245 + 12345) % 2147483648;
}
