// @ts-check
// Starts an Ethereum dev chain (bin/devchain, built by scripts/e2e.sh from internal/evmtest/cmd/devchain:
// go-ethereum's own node, in memory) serving JSON-RPC on a free 127.0.0.1 port, with one ERC-1271 smart-contract
// wallet (evmtest's TestWallet) deployed for an owner, so that a `dashboard serve` started with its ETH_RPC_URL
// checks that wallet's signatures with eth_call as it would through a node provider. Nothing leaves the machine.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { recordPid, repoRoot } from './server.mjs';

const binary = process.env.DEVCHAIN_BIN ?? join(repoRoot, 'bin', 'devchain');
/** Bounds the wait for the chain's one line; only a chain that never starts reaches it. */
const START_TIMEOUT_MS = 60_000;

/**
 * startDevChain starts the chain with a TestWallet of owner and resolves with its JSON-RPC URL, its chain id,
 * the wallet's address (EIP-55) and a stop function.
 * @param {{owner: string, chainId: number}} opts owner: the address whose key the wallet accepts; chainId: the
 *   EIP-155 id the chain answers with, which must be the one the dashboard's challenges name (NFT_CHAIN)
 * @returns {Promise<{url: string, chainId: number, wallet: string, stop: () => Promise<void>}>}
 */
export async function startDevChain({ owner, chainId }) {
  // stdin stays an open pipe: the chain stops when it closes, so it cannot outlive this process.
  const child = spawn(binary, ['-owner', owner, '-chain-id', String(chainId)], { stdio: ['pipe', 'pipe', 'inherit'] });
  if (child.pid !== undefined) recordPid(child.pid, true);
  const exited = new Promise((res) => child.once('exit', () => res(undefined)));
  const stop = async () => {
    child.stdin?.end();
    child.kill('SIGTERM');
    await exited;
    if (child.pid !== undefined) recordPid(child.pid, false);
  };
  try {
    const line = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the dev chain printed nothing')), START_TIMEOUT_MS);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the dev chain exited (${code}) before printing its URL`)));
      createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).once('line', (text) => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    const started = JSON.parse(/** @type {string} */ (line));
    if (typeof started.url !== 'string' || typeof started.wallet !== 'string' || started.chainId !== chainId) {
      throw new Error(`the dev chain printed ${line}, want {url, chainId: ${chainId}, wallet}`);
    }
    return { url: started.url, chainId: started.chainId, wallet: started.wallet, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
