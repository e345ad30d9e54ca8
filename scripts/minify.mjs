// Trunk post-build hook (Trunk.toml), run before csp.mjs: minifies the JavaScript that
// wasm-bindgen wrote (the page's module and the workers' scripts) with terser and the style
// sheet by dropping comments and spaces, and updates the integrity hashes Trunk put on them.
// The glue is about half whitespace, comments and long local names: 50 KB raw, 8.8 KB gzip for
// the page before, about 6.4 KB after, on every visit. Trunk's own minifier cannot parse
// wasm-bindgen's output (`export default`).
// Also usable by hand: node scripts/minify.mjs path/to/dist
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { minify } from 'terser';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist';
const html = join(dir, 'index.html');
let page = await readFile(html, 'utf8');

/** JavaScript: the page's glue is an ES module (only its exports keep their names); a
 * worker's glue is a classic script whose global `wasm_bindgen` the worker's start-up code
 * calls, so its top level keeps every name. */
async function js(source) {
  const module = /^\s*(export|import)\s/m.test(source);
  const out = await minify(source, { module, compress: true, mangle: true });
  return out.code;
}

/** CSS: comments out, runs of white space to one space, none around braces and semicolons.
 * Nothing else is touched (a space before `:` can be a descendant combinator). */
function css(source) {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};])\s*/g, '$1')
    .trim();
}

for (const name of await readdir(dir)) {
  const kind = name.endsWith('.js') ? js : name.endsWith('.css') ? css : null;
  if (!kind) continue;
  const file = join(dir, name);
  const source = await readFile(file, 'utf8');
  const out = await kind(source);
  if (typeof out !== 'string' || out.length === 0) {
    throw new Error(`minify.mjs: nothing came out for ${name}`);
  }
  await writeFile(file, out);
  // Trunk's integrity attribute holds the hash of the file as it wrote it: write the new one.
  const integrity = `sha384-${createHash('sha384').update(out).digest('base64')}`;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const link = new RegExp(`(href="\\./${escaped}"[^>]*integrity=")sha384-[^"]*"`);
  page = page.replace(link, `$1${integrity}"`);
  console.log(`minify.mjs: ${name} ${source.length} -> ${out.length} bytes`);
}
await writeFile(html, page);
