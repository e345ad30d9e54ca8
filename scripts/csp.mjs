// Trunk post-build hook (Trunk.toml): writes the page's Content-Security-Policy into index.html.
// Trunk starts the app with one inline module script; rather than allow inline scripts, the
// policy names that exact script by its SHA-256 hash, computed here from the built file.
// Also usable by hand: node scripts/csp.mjs path/to/index.html
import { readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const file =
  process.argv[2] ?? join(process.env.TRUNK_STAGING_DIR ?? 'dist', 'index.html');
let html = await readFile(file, 'utf8');

// Hash every inline script exactly as the browser sees its text (between the tags).
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
  (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
);

// Each line says why it is there. A <meta> policy cannot set frame-ancestors: the page is meant
// to be embedded in tutorial posts on any site, so that is what we want anyway.
export const policy = [
  "default-src 'none'",
  // Our own scripts and the hashed start-up script; wasm needs compiling (not eval).
  `script-src 'self' ${hashes.join(' ')} 'wasm-unsafe-eval'`,
  "style-src 'self'",
  // The PNG export draws the chart through a blob: image.
  "img-src 'self' data: blob:",
  // Fetching our .wasm files, in the page and in the workers.
  "connect-src 'self'",
  // Workers start from a tiny blob: bootstrap that loads our worker script by absolute URL.
  "worker-src 'self' blob:",
  // The embed dialog's live preview: this page, framed as an embed.
  "frame-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, '');
// Must come before any script it governs: right after <meta charset>.
if (!/<meta charset="utf-8" \/>/.test(html)) throw new Error(`csp.mjs: no <meta charset> in ${file}`);
html = html.replace(/<meta charset="utf-8" \/>/, (m) => `${m}\n    ${meta}`);
await writeFile(file, html);
console.log(`csp.mjs: ${hashes.length} inline script(s) hashed into the policy of ${file}`);
