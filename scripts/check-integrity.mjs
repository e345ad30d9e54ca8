// After the release build: every file index.html names with an `integrity` hash must have that
// hash, or the browser refuses it and the page never starts. (Trunk builds its pipelines at
// once; a snippet written by several of them was once hashed while another rewrote it, and the
// page shipped with the hash of an empty file.)
// Usage: node scripts/check-integrity.mjs [dist]
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const html = await readFile(join(dist, 'index.html'), 'utf8');
const tags = [...html.matchAll(/<[^>]*\bhref="\.\/([^"]+)"[^>]*\bintegrity="(sha384-[^"]+)"[^>]*>/g)];
let bad = 0;
for (const [, name, expected] of tags) {
  const actual = `sha384-${createHash('sha384').update(await readFile(join(dist, name))).digest('base64')}`;
  if (actual !== expected) {
    bad++;
    console.error(`FAIL: ${name}: index.html says ${expected}, the file is ${actual}`);
  } else {
    console.log(`ok: ${name}`);
  }
}
if (tags.length === 0) {
  console.error('FAIL: index.html names no file with an integrity hash: is this a Trunk build?');
  process.exit(1);
}
process.exit(bad ? 1 : 0);
