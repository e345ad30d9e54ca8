// A node:test reporter that writes one line per failing test, "file: test name: why", so that
// scripts/test.sh can end a failed run with the failing test and its reason.
import { relative } from 'node:path';

export default async function* failures(source) {
  for await (const { type, data } of source) {
    if (type !== 'test:fail' || data.details?.type === 'suite') continue;
    const err = data.details?.error;
    const cause = err?.cause ?? err;
    const why = String(cause?.message ?? cause ?? 'failed').split('\n')[0];
    const file = data.file ? relative(process.cwd(), data.file) : 'e2e';
    yield `${file}: ${data.name}: ${why}\n`;
  }
}
