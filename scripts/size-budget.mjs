// The size check, run by the test command after the release build. It sorts the build's files
// by when the page loads them:
// - page: what every visit loads at start (the page, its style, the app's JS and wasm);
// - workers: the CPU worker's JS and wasm, loaded at start only by experiments that use workers
//   (event-loop experiments never load them);
// - on demand: loaded only when someone asks for what they hold (the code worker, when the code
//   panel first opens). Not part of the initial transfer; printed so that it stays visible.
// The worst case at start, page + workers, is what the numbers below are checked against.
// Sizes are stable from build to build, so unlike times they can be a hard check. Two numbers:
// - TARGET_BYTES, the budget of issue #7 (250 KB gzip in total), is NOT met yet: it is printed
//   with the gap, and the benchmark reports it as outside budget;
// - CEILING_BYTES is enforced: the test command fails if the initial transfer grows past it, so
//   that size only goes down from here. Lower it whenever the page shrinks.
// Usage: node scripts/size-budget.mjs [dist]
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

export const TARGET_BYTES = 250_000;
export const CEILING_BYTES = 500_000;

/** When the page loads a file of the build (see the top of this file). */
export function group(name) {
  if (/^codegen[._]/.test(name)) return 'on demand';
  if (/^worker[._]/.test(name)) return 'workers';
  return 'page';
}

/** Every file the page can load, with its raw and gzip (level 9) size in bytes and its group. */
export async function sizes(dist = 'dist') {
  const names = (await readdir(dist)).filter((n) => /\.(html|css|js|wasm)$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(dist, name));
      return { name, group: group(name), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    }),
  );
}

/** Gzip bytes loaded at start: without workers (event-loop experiments) and with them. */
export function initial(files) {
  const sum = (groups) => files.filter((f) => groups.includes(f.group)).reduce((s, f) => s + f.gzip, 0);
  return { page: sum(['page']), withWorkers: sum(['page', 'workers']), onDemand: sum(['on demand']) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = process.argv[2] ?? 'dist';
  const files = await sizes(dist);
  if (!files.some((f) => f.name.endsWith('.wasm'))) {
    console.error(`size budget: no .wasm in ${dist}; build first (trunk build --release)`);
    process.exit(1);
  }
  const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
  for (const f of files) {
    console.log(`  ${f.name.padEnd(34)} ${f.group.padEnd(10)} ${kb(f.raw).padStart(10)} raw ${kb(f.gzip).padStart(10)} gzip`);
  }
  const { page, withWorkers, onDemand } = initial(files);
  console.log(
    `  at start: ${kb(page)} gzip for an event-loop experiment, ${kb(withWorkers)} with workers; ` +
      `${kb(onDemand)} more on demand`,
  );
  const ok = withWorkers <= CEILING_BYTES;
  console.log(
    withWorkers <= TARGET_BYTES
      ? `target met: ${kb(withWorkers)} gzip at start (target ${kb(TARGET_BYTES)})`
      : `target NOT met: ${kb(withWorkers)} gzip at start, ${kb(withWorkers - TARGET_BYTES)} over the ${kb(TARGET_BYTES)} target (issue #7)`,
  );
  console.log(`${ok ? 'ok' : 'FAIL'}: ceiling ${kb(CEILING_BYTES)} gzip ${ok ? 'not exceeded' : 'EXCEEDED: the page grew'}`);
  process.exit(ok ? 0 : 1);
}
