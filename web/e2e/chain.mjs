// @ts-check
// Starts an Ethereum dev chain (bin/devchain, built by scripts/e2e.sh from internal/evmtest/cmd/devchain:
// go-ethereum's own node, in memory) serving JSON-RPC on a free 127.0.0.1 port, with one ERC-1271 smart-contract
// wallet (evmtest's TestWallet) deployed for an owner, so that a `dashboard serve` started with its ETH_RPC_URL
// checks that wallet's signatures with eth_call as it would through a node provider. Nothing leaves the machine.
import { join } from 'node:path';
import { startFake } from './fake.mjs';
import { repoRoot } from './server.mjs';

const binary = process.env.DEVCHAIN_BIN ?? join(repoRoot, 'bin', 'devchain');

/**
 * startDevChain starts the chain with a TestWallet of owner and resolves with its JSON-RPC URL, its chain id,
 * the wallet's address (EIP-55) and a stop function.
 * @param {{owner: string, chainId: number}} opts owner: the address whose key the wallet accepts; chainId: the
 *   EIP-155 id the chain answers with, which must be the one the dashboard's challenges name (NFT_CHAIN)
 * @returns {Promise<{url: string, chainId: number, wallet: string, stop: () => Promise<void>}>}
 */
export async function startDevChain({ owner, chainId }) {
  const { line, stop } = await startFake(binary, ['-owner', owner, '-chain-id', String(chainId)], 'the dev chain');
  try {
    const started = JSON.parse(line);
    if (typeof started.url !== 'string' || typeof started.wallet !== 'string' || started.chainId !== chainId) {
      throw new Error(`the dev chain printed ${line}, want {url, chainId: ${chainId}, wallet}`);
    }
    return { url: started.url, chainId: started.chainId, wallet: started.wallet, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
