// A tiny static file server for dist/: correct MIME types (application/wasm lets the browser
// compile while downloading), gzip when asked, optional sub-path prefix, loopback only.
// Gzip as static hosts serve it: text and wasm only, compressed once per file (level 9, the
// size scripts/size-budget.mjs reports) and kept, so no request waits for the compressor.
// CLI: node scripts/static-server.mjs DIR [--port 8080] [--prefix /playground/]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json', '.svg', '.txt']);

/** Serves `dir` on 127.0.0.1:`port` (0 picks a free one) under `prefix`; `gzip: false` sends
 * every file as it is (the benchmark's uncompressed comparison). Resolves to the server and its
 * base URL. */
export async function serve(dir, { port = 0, prefix = '/', host = '127.0.0.1', gzip = true } = {}) {
  const root = resolve(dir);
  if (!prefix.endsWith('/')) prefix += '/';
  // file -> { mtimeMs, size, body }: a rebuilt file (new mtime or size) is compressed again.
  const gzipped = new Map();
  const compressed = (file, info, raw) => {
    const hit = gzipped.get(file);
    if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit.body;
    const body = gzipSync(raw, { level: 9 });
    gzipped.set(file, { mtimeMs: info.mtimeMs, size: info.size, body });
    return body;
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      let path = decodeURIComponent(url.pathname);
      if (path + '/' === prefix) {
        res.writeHead(301, { Location: prefix });
        return res.end();
      }
      if (!path.startsWith(prefix)) {
        res.writeHead(404);
        return res.end('not found');
      }
      path = path.slice(prefix.length) || 'index.html';
      const file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403);
        return res.end('forbidden');
      }
      let target = file;
      let info = await stat(target);
      if (info.isDirectory()) {
        target = join(target, 'index.html');
        info = await stat(target);
      }
      let body = await readFile(target);
      const headers = {
        'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
      };
      if (gzip && COMPRESSIBLE.has(extname(target))) {
        headers.Vary = 'Accept-Encoding';
        if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && body.length > 1024) {
          body = compressed(target, info, body);
          headers['Content-Encoding'] = 'gzip';
        }
      }
      headers['Content-Length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const base = `http://${host}:${server.address().port}${prefix}`;
  return { server, base, close: () => new Promise((ok) => server.close(ok)) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const dir = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--'))) ?? 'dist';
  const { base } = await serve(dir, { port: Number(opt('--port', 8080)), prefix: opt('--prefix', '/') });
  console.log(`Serving ${dir}/ at ${base}  (Ctrl-C to stop)`);
}
