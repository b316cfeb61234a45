// @ts-check
// Starts one of the test-only fakes the browser tests run beside `dashboard serve` (bin/devchain, bin/stripefake,
// built by scripts/e2e.sh). They share one protocol (internal/fakecmd is their end of it): once a fake serves it
// prints one line on stdout, and it runs until its stdin closes or it gets SIGTERM, so it cannot outlive this
// process.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { recordPid } from './server.mjs';

/** Bounds the wait for a fake's one line; only a fake that never starts reaches it. */
const START_TIMEOUT_MS = 60_000;

/**
 * startFake starts binary with args and resolves with the one line it prints once it serves and a stop function.
 * A fake that cannot be started, exits first, or prints nothing within the bound is stopped and the promise
 * rejects, naming it by name ("the dev chain").
 * @param {string} binary
 * @param {string[]} args
 * @param {string} name
 * @returns {Promise<{line: string, stop: () => Promise<void>}>}
 */
export async function startFake(binary, args, name) {
  // stdin stays an open pipe: the fake stops when it closes, so it cannot outlive this process.
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  if (child.pid !== undefined) recordPid(child.pid, true);
  // 'close' rather than 'exit': it also comes when the binary could not be started, where 'exit' never does.
  const closed = new Promise((res) => child.once('close', () => res(undefined)));
  const stop = async () => {
    child.stdin?.end();
    child.kill('SIGTERM');
    await closed;
    if (child.pid !== undefined) recordPid(child.pid, false);
  };
  try {
    const line = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} printed nothing within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before printing its line`));
      });
      createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).once('line', (text) => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    return { line: /** @type {string} */ (line), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
