import { start, open } from './harness.mjs';
const env = await start({ dist: new URL('../../target/bench-dist', import.meta.url).pathname });
const { page } = await open(env);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const jsAll = (n, ms) => page.evaluate(async ([n, ms]) => { const t0 = performance.now(); await Promise.all(Array.from({ length: n }, () => new Promise((r) => setTimeout(r, ms)))); return performance.now() - t0; }, [n, ms]);
const engine = (s, n, ms) => page.evaluate(([s, n, ms]) => window.wasmBindings.bench_engine(s, n, ms), [s, n, ms]);
await jsAll(1000, 10); await engine('all-at-once', 1000, 10);
const js = [], ours = [];
for (let i = 0; i < 5; i++) { js.push(await jsAll(10000, 100)); ours.push(await engine('all-at-once', 10000, 100)); }
console.log('engine', median(ours).toFixed(1), 'js', median(js).toFixed(1), 'ratio', (median(ours) / median(js)).toFixed(2));
console.log('sequential 10x500', (await engine('sequential', 10, 500)).toFixed(1));
await env.close();
