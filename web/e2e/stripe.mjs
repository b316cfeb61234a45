// @ts-check
// Starts the stateful Stripe fake (bin/stripefake, built by scripts/e2e.sh from internal/stripetest/cmd/stripefake)
// on a free 127.0.0.1 port, seeded with Checkout Sessions, so that a `dashboard serve` started with its
// STRIPE_API_BASE lists and reads them as it would Stripe's. It speaks Stripe's JSON; nothing leaves the machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFake } from './fake.mjs';
import { repoRoot } from './server.mjs';

const binary = process.env.STRIPEFAKE_BIN ?? join(repoRoot, 'bin', 'stripefake');

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
  try {
    const { line, stop } = await startFake(binary, ['-sessions', seed], 'the Stripe fake');
    return {
      url: line.trim(),
      stop: async () => {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
