// Trunk post-build hook (Trunk.toml), run before csp.mjs: minifies the JavaScript that
// wasm-bindgen wrote (the page's module and the workers' scripts) with terser, and updates the
// integrity hash Trunk put on the page's module. The glue is about half whitespace, comments
// and long local names: 50 KB raw, 8.8 KB gzip for the page before, about 6.4 KB after, on
// every visit. Trunk's own minifier cannot parse wasm-bindgen's output (`export default`).
// Also usable by hand: node scripts/minify.mjs path/to/dist
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { minify } from 'terser';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist';
const html = join(dir, 'index.html');
let page = await readFile(html, 'utf8');

for (const name of (await readdir(dir)).filter((n) => n.endsWith('.js'))) {
  const file = join(dir, name);
  const source = await readFile(file, 'utf8');
  // The page's glue is an ES module (only its exports keep their names); a worker's glue is a
  // classic script whose global `wasm_bindgen` the worker's start-up code calls, so its top
  // level keeps every name.
  const module = /^\s*(export|import)\s/m.test(source);
  const out = await minify(source, { module, compress: true, mangle: true });
  if (typeof out.code !== 'string' || out.code.length === 0) {
    throw new Error(`minify.mjs: terser gave nothing for ${name}`);
  }
  await writeFile(file, out.code);
  // Trunk's integrity attribute holds the hash of the file as it wrote it: write the new one.
  const integrity = `sha384-${createHash('sha384').update(out.code).digest('base64')}`;
  const link = new RegExp(`(href="\\./${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*integrity=")sha384-[^"]*"`);
  page = page.replace(link, `$1${integrity}"`);
  console.log(`minify.mjs: ${name} ${source.length} -> ${out.code.length} bytes`);
}
await writeFile(html, page);
