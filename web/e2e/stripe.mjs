// @ts-check
// Starts the stateful Stripe fake (bin/stripefake, built by scripts/e2e.sh from internal/stripetest/cmd/stripefake)
// on a free 127.0.0.1 port, seeded with Checkout Sessions, so that a `dashboard serve` started with its
// STRIPE_API_BASE lists and reads them as it would Stripe's. It speaks Stripe's JSON; nothing leaves the machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { recordPid, repoRoot } from './server.mjs';

const binary = process.env.STRIPEFAKE_BIN ?? join(repoRoot, 'bin', 'stripefake');
/** Bounds the wait for the fake's one line; only a fake that never starts reaches it. */
const START_TIMEOUT_MS = 60_000;

/**
 * @typedef {object} SeedSession
 * @property {string} id a Checkout Session id (cs_…)
 * @property {string} created RFC 3339
 * @property {string} [customerEmail] customer_details.email
 * @property {boolean} [paid]
 * @property {{name: string, quantity: number, unitAmount: number}[]} [items]
 */

/**
 * startStripeFake starts the fake with sessions and resolves with its base URL and a stop function.
 * @param {SeedSession[]} sessions
 * @returns {Promise<{url: string, stop: () => Promise<void>}>}
 */
export async function startStripeFake(sessions) {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-e2e-stripe-'));
  const seed = join(dir, 'sessions.json');
  writeFileSync(seed, JSON.stringify(sessions));
  // stdin stays an open pipe: the fake stops when it closes, so it cannot outlive this process.
  const child = spawn(binary, ['-sessions', seed], { stdio: ['pipe', 'pipe', 'inherit'] });
  if (child.pid !== undefined) recordPid(child.pid, true);
  const exited = new Promise((res) => child.once('exit', () => res(undefined)));
  const stop = async () => {
    child.stdin?.end();
    child.kill('SIGTERM');
    await exited;
    if (child.pid !== undefined) recordPid(child.pid, false);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the Stripe fake printed no URL')), START_TIMEOUT_MS);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the Stripe fake exited (${code}) before printing its URL`)));
      createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line.trim());
      });
    });
    return { url: /** @type {string} */ (url), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
