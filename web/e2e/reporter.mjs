// @ts-check
// Test reporter for `npm run e2e`: node's spec reporter, then one closing line that any CI log scanner reads:
//   e2e: N passed, N failed[, N skipped]
// Counted are the tests themselves (top level), and a test file that could not run counts as failed.
import { once } from 'node:events';
import { spec as SpecReporter } from 'node:test/reporters';

/**
 * @param {AsyncIterable<{type: string, data: any}>} source
 * @returns {AsyncGenerator<string, void>}
 */
export default async function* reporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const spec = new SpecReporter();
  /** @type {string[]} */
  const out = [];
  spec.on('data', (/** @type {string | Buffer} */ chunk) => out.push(String(chunk)));
  const ended = once(spec, 'end');

  for await (const event of source) {
    const { type, data } = event;
    if ((type === 'test:pass' || type === 'test:fail') && data.nesting === 0 && data.details?.type !== 'suite') {
      if (data.skip || data.todo) counts.skipped++;
      else if (type === 'test:pass') counts.passed++;
      else counts.failed++;
    }
    spec.write(event);
    while (out.length) yield /** @type {string} */ (out.shift());
  }
  spec.end();
  await ended;
  while (out.length) yield /** @type {string} */ (out.shift());
  const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
  yield `\ne2e: ${counts.passed} passed, ${counts.failed} failed${skipped}\n`;
}
