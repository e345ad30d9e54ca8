// A tutorial post on another origin that embeds the playground in an iframe (`#play`) and
// records every height the embed tells it (`window.heights`). Served on localhost while the
// playground is served on 127.0.0.1: two origins. Used by the Chromium and the Firefox tests.
import { createServer } from 'node:http';

/** Serves the post with an iframe of `src`; resolves to its URL and a `close()`. */
export async function hostPage(src, { lazy = false } = {}) {
  const host = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>A tutorial post</title><h1>My post</h1>
      <script>window.heights = []; addEventListener('message', (e) => {
        if (e.data && e.data.type === 'avp:height') window.heights.push(e.data.height); });</script>
      <iframe id="play" src="${src}" title="demo"${lazy ? ' loading="lazy"' : ''} width="100%" height="640" style="border:0"></iframe>`);
  });
  await new Promise((r) => host.listen(0, '127.0.0.1', r));
  return {
    url: `http://localhost:${host.address().port}/`,
    async close() {
      host.closeAllConnections();
      await new Promise((r) => host.close(r));
    },
  };
}
