// The size check, run by the test command after the release build, on everything the page
// transfers when it opens: the page, its style, the app's JS and wasm, plus the worker's JS and
// wasm when the experiment uses workers (event-loop experiments never load them). The worst
// case, an experiment with workers, is what the numbers below are checked against. Sizes are stable from build to build, so unlike times they can be a
// hard check. Two numbers:
// - TARGET_BYTES, the budget of issue #7 (250 KB gzip in total), is NOT met yet: it is printed
//   with the gap, and the benchmark reports it as outside budget;
// - CEILING_BYTES is enforced: the test command fails if the page grows past it, so that size
//   only goes down from here. Lower it whenever the page shrinks.
// Usage: node scripts/size-budget.mjs [dist]
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

export const TARGET_BYTES = 250_000;
export const CEILING_BYTES = 500_000;

/** Every file the page loads at start, with its raw and gzip (level 9) size in bytes. */
export async function sizes(dist = 'dist') {
  const names = (await readdir(dist)).filter((n) => /\.(html|css|js|wasm)$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(dist, name));
      return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = process.argv[2] ?? 'dist';
  const files = await sizes(dist);
  if (!files.some((f) => f.name.endsWith('.wasm'))) {
    console.error(`size budget: no .wasm in ${dist}; build first (trunk build --release)`);
    process.exit(1);
  }
  const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
  for (const f of files) console.log(`  ${f.name.padEnd(40)} ${kb(f.raw).padStart(10)} raw ${kb(f.gzip).padStart(10)} gzip`);
  const total = files.reduce((s, f) => s + f.gzip, 0);
  const page = files.filter((f) => !f.name.startsWith('worker')).reduce((s, f) => s + f.gzip, 0);
  console.log(`  event-loop experiment (no worker loaded): ${kb(page)} gzip; with workers: ${kb(total)} gzip`);
  const ok = total <= CEILING_BYTES;
  console.log(
    total <= TARGET_BYTES
      ? `target met: ${kb(total)} gzip in total (target ${kb(TARGET_BYTES)})`
      : `target NOT met: ${kb(total)} gzip in total, ${kb(total - TARGET_BYTES)} over the ${kb(TARGET_BYTES)} target (issue #7)`,
  );
  console.log(`${ok ? 'ok' : 'FAIL'}: ceiling ${kb(CEILING_BYTES)} gzip ${ok ? 'not exceeded' : 'EXCEEDED: the page grew'}`);
  process.exit(ok ? 0 : 1);
}
