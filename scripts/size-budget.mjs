// The size check, run by the test command after the release build. It sorts the build's files
// by when the page loads them:
// - page: what every visit loads at start (the page, its style, the app's JS and wasm). This is
//   the initial transfer;
// - first run: the CPU worker's JS and wasm, loaded by the first run that uses workers (never by
//   the event-loop experiments, and not when a CPU experiment merely opens);
// - on demand: loaded only when someone asks for what they hold (the on-demand worker, when the
//   code panel first opens or an export other than the JSON is first asked for; the language
//   module and its style, program.css, when a program is first opened).
// Sizes are stable from build to build, so unlike times they can be a hard check; the test
// command fails when one of these is exceeded:
// - BUDGET_BYTES, issue #16's budget (issue #7's 250 KB was set too tight): at most 300 KB gzip
//   at start, the program language to come included;
// - CEILING_BYTES (at start) and TOTAL_CEILING_BYTES (every file, lazy ones included), just
//   above what the page weighs now, so that it cannot grow unnoticed. Lower them whenever the
//   page shrinks; raise them only on purpose, saying why in the commit, and CEILING_BYTES never
//   past the budget.
// Usage: node scripts/size-budget.mjs [dist]
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

export const BUDGET_BYTES = 300_000;
export const CEILING_BYTES = 298_200;
export const TOTAL_CEILING_BYTES = 777_800;

/** When the page loads a file of the build (see the top of this file). */
export function group(name) {
  if (/^(ondemand|lang|program)[._]/.test(name)) return 'on demand';
  if (/^worker[._]/.test(name)) return 'first run';
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

/** Gzip bytes by when they load: at start, with the first run that uses workers, on demand. */
export function initial(files) {
  const sum = (group) => files.filter((f) => f.group === group).reduce((s, f) => s + f.gzip, 0);
  return { page: sum('page'), firstRun: sum('first run'), onDemand: sum('on demand') };
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
  const { page, firstRun, onDemand } = initial(files);
  const total = page + firstRun + onDemand;
  console.log(
    `  at start: ${kb(page)} gzip; ${kb(firstRun)} more with the first run that uses workers, ` +
      `${kb(onDemand)} more on demand (${kb(total)} in all)`,
  );
  const checks = [
    ['at start', page, BUDGET_BYTES, 'the budget (issue #16)'],
    ['at start', page, CEILING_BYTES, 'the ceiling'],
    ['in all', total, TOTAL_CEILING_BYTES, 'the ceiling'],
  ];
  let ok = true;
  for (const [what, bytes, limit, name] of checks) {
    const fine = bytes <= limit;
    ok &&= fine;
    console.log(
      `${fine ? 'ok' : 'FAIL'}: ${kb(bytes)} gzip ${what}, ${name} ${kb(limit)} ` +
        (fine ? `not exceeded (${kb(limit - bytes)} to spare)` : `EXCEEDED by ${kb(bytes - limit)}: the page grew`),
    );
  }
  process.exit(ok ? 0 : 1);
}
