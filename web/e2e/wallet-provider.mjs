// @ts-check
// A test wallet for the browser tests: an EIP-1193 provider at window.ethereum whose accounts are known test
// keys. The page only forwards each request to Node through a Playwright binding; Node answers it, and signs
// personal_sign (EIP-191) requests with real secp256k1 (@noble/curves, RFC 6979 deterministic, low s), so the
// server checks a signature exactly as it would from MetaMask. No key or library code goes into the page.
//
//   import { installTestWallet, TEST_KEYS } from './wallet-provider.mjs';
//   const wallet = await installTestWallet(context, { accounts: [TEST_KEYS[0], TEST_KEYS[1]] });
//   await page.goto(url);                      // window.ethereum exists from the first script on
//   wallet.addresses                           // ['0xf39F…2266', '0x7099…79C8'] (EIP-55)
//   wallet.requests                            // every request the page made, in order
//   wallet.rejectNext('personal_sign')         // the next such request fails with 4001, as a declined prompt
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';

/**
 * TEST_KEYS are the first accounts of the well-known Hardhat/Anvil test mnemonic ("test test … junk"): public
 * test keys that hold nothing on any real chain. Their addresses are 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266,
 * 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 and 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC.
 */
export const TEST_KEYS = Object.freeze([
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdd4ddab',
]);

/** The name of the binding the page's provider calls; one per browser context. */
export const BINDING = '__babesTestWalletRequest';

const encoder = new TextEncoder();

/** @param {Uint8Array} bytes */
function toHex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

/**
 * keyBytes reads a private key given as hex (with or without 0x).
 * @param {string} privateKey
 */
function keyBytes(privateKey) {
  const hex = privateKey.replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('wallet-provider: a private key is 32 bytes of hex');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/**
 * checksumAddress is the EIP-55 form of a 0x + 40 hex address.
 * @param {string} address
 */
export function checksumAddress(address) {
  const lower = address.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new Error(`wallet-provider: not an address: ${address}`);
  const hash = toHex(keccak_256(encoder.encode(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower.charAt(i);
    out += Number.parseInt(hash.charAt(i), 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/**
 * addressOf is the EIP-55 address of a private key: the last 20 bytes of keccak256 of the uncompressed public key.
 * @param {string} privateKey
 */
export function addressOf(privateKey) {
  const pub = secp256k1.getPublicKey(keyBytes(privateKey), false);
  return checksumAddress(`0x${toHex(keccak_256(pub.subarray(1)).subarray(12))}`);
}

/**
 * messageBytes is what personal_sign signs for its first parameter, read as wallets do: 0x-prefixed hex is the
 * bytes it spells (dapps send text hex-encoded), anything else is UTF-8 text.
 * @param {string} data
 */
export function messageBytes(data) {
  if (/^0x([0-9a-fA-F]{2})*$/.test(data)) return Uint8Array.from(Buffer.from(data.slice(2), 'hex'));
  return encoder.encode(data);
}

/**
 * personalHash is the EIP-191 hash of a message: keccak256("\x19Ethereum Signed Message:\n" + length + message).
 * @param {Uint8Array} message
 */
export function personalHash(message) {
  const prefix = encoder.encode(`\x19Ethereum Signed Message:\n${message.length}`);
  const all = new Uint8Array(prefix.length + message.length);
  all.set(prefix);
  all.set(message, prefix.length);
  return keccak_256(all);
}

/**
 * personalSign signs a message as a wallet's personal_sign does and returns "0x" + hex(r ‖ s ‖ v), v being 27
 * or 28. The message is text (UTF-8) or bytes.
 * @param {string} privateKey
 * @param {string | Uint8Array} message
 */
export function personalSign(privateKey, message) {
  const bytes = typeof message === 'string' ? encoder.encode(message) : message;
  // 'recovered' is the recovery id followed by r ‖ s; Ethereum puts it last, plus 27.
  const sig = secp256k1.sign(personalHash(bytes), keyBytes(privateKey), { prehash: false, format: 'recovered' });
  return `0x${toHex(sig.subarray(1))}${(27 + (sig[0] ?? 0)).toString(16)}`;
}

/**
 * recoverAddress is the EIP-55 address whose key made an EIP-191 signature of message.
 * @param {string | Uint8Array} message
 * @param {string} signature 0x + 130 hex
 */
export function recoverAddress(message, signature) {
  const hex = signature.replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{130}$/.test(hex)) throw new Error('wallet-provider: a signature is 65 bytes of hex');
  const raw = Buffer.from(hex, 'hex');
  const v = raw[64] ?? 0;
  const recovered = new Uint8Array(65);
  recovered[0] = v >= 27 ? v - 27 : v;
  recovered.set(raw.subarray(0, 64), 1);
  const bytes = typeof message === 'string' ? encoder.encode(message) : message;
  const pub = secp256k1.recoverPublicKey(recovered, personalHash(bytes), { prehash: false });
  const full = secp256k1.Point.fromBytes(pub).toBytes(false);
  return checksumAddress(`0x${toHex(keccak_256(full.subarray(1)).subarray(12))}`);
}

/**
 * @typedef {object} AccountSpec
 * @property {string} privateKey the key that signs
 * @property {string} [address] the account's address when it is not the key's own: a smart-contract wallet
 *   (ERC-1271) whose owner is the key
 * @property {(signature: string, message: Uint8Array) => string} [wrap] turns the owner's signature into the
 *   wallet's (for example an ERC-6492 wrapper for a wallet not deployed yet)
 */

/**
 * @typedef {object} WalletRequest
 * @property {string} method
 * @property {unknown[]} params
 */

/**
 * @typedef {object} TestWallet
 * @property {string[]} addresses the accounts, EIP-55, in the order eth_requestAccounts answers them
 * @property {WalletRequest[]} requests every request the page made, in order
 * @property {(method: string) => void} rejectNext the next request for method fails with 4001 (the member
 *   declined it in the wallet's prompt)
 * @property {(accounts: (string | AccountSpec)[]) => void} setAccounts replaces the accounts (as switching
 *   accounts in an extension does); the page is not told (no accountsChanged), it sees them at its next request
 */

/**
 * @typedef {{code: number, message: string}} RpcError
 * @typedef {{result: unknown} | {error: RpcError}} RpcAnswer
 */

/**
 * providerScript runs in the page (before its own scripts): it defines window.ethereum, an EIP-1193 provider
 * that forwards every request to Node through the binding, and turns an {error} answer into a thrown
 * ProviderRpcError ({code, message}) as real wallets do.
 * @param {{binding: string}} args
 */
function providerScript({ binding }) {
  /** @type {Record<string, unknown>} */
  const w = /** @type {any} */ (window);
  const call = /** @type {(req: {method: string, params: unknown[]}) => Promise<{result?: unknown, error?: {code: number, message: string}}>} */ (
    w[binding]
  );
  /** @type {Map<string, Set<(...args: unknown[]) => void>>} */
  const listeners = new Map();
  const provider = {
    isTestWallet: true,
    /** @param {{method: string, params?: unknown[]}} args */
    async request(args) {
      if (!args || typeof args.method !== 'string') {
        throw Object.assign(new Error('Invalid request.'), { code: -32600 });
      }
      const answer = await call({ method: args.method, params: Array.isArray(args.params) ? args.params : [] });
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    },
    /** @param {string} event @param {(...args: unknown[]) => void} fn */
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(fn);
      return provider;
    },
    /** @param {string} event @param {(...args: unknown[]) => void} fn */
    removeListener(event, fn) {
      listeners.get(event)?.delete(fn);
      return provider;
    },
  };
  Object.defineProperty(window, 'ethereum', { value: provider, configurable: true, writable: false });
}

/**
 * installTestWallet gives every page of context (now and after each navigation) a window.ethereum that holds
 * the given accounts: eth_requestAccounts connects and answers their addresses, eth_accounts answers them once
 * connected (none before), eth_chainId the chain id, personal_sign [data, address] signs data (hex or text)
 * with that account's key. An address the wallet does not hold is 4100, an unknown method 4200. Call it before
 * the page loads the dashboard.
 * @param {import('playwright-core').BrowserContext} context
 * @param {{accounts: (string | AccountSpec)[], chainId?: number}} opts accounts as private keys or AccountSpecs
 * @returns {Promise<TestWallet>}
 */
export async function installTestWallet(context, opts) {
  const chainId = `0x${(opts.chainId ?? 1).toString(16)}`;
  /** @type {{address: string, spec: AccountSpec}[]} */
  let accounts = [];
  /** @type {string[]} */
  const rejects = [];
  let connected = false;
  /** @type {TestWallet} */
  const wallet = {
    addresses: [],
    requests: [],
    rejectNext(method) {
      rejects.push(method);
    },
    setAccounts(list) {
      accounts = list.map((a) => {
        const spec = typeof a === 'string' ? { privateKey: a } : a;
        return { address: checksumAddress(spec.address ?? addressOf(spec.privateKey)), spec };
      });
      wallet.addresses = accounts.map((a) => a.address);
    },
  };
  wallet.setAccounts(opts.accounts);

  /**
   * @param {string} method
   * @param {unknown[]} params
   * @returns {RpcAnswer}
   */
  function answer(method, params) {
    const r = rejects.indexOf(method);
    if (r >= 0) {
      rejects.splice(r, 1);
      return { error: { code: 4001, message: 'User rejected the request.' } };
    }
    switch (method) {
      case 'eth_requestAccounts':
        connected = true;
        return { result: [...wallet.addresses] };
      case 'eth_accounts':
        return { result: connected ? [...wallet.addresses] : [] };
      case 'eth_chainId':
        return { result: chainId };
      case 'personal_sign': {
        const [data, address] = params;
        if (typeof data !== 'string' || typeof address !== 'string') {
          return { error: { code: -32602, message: 'personal_sign takes [data, address].' } };
        }
        const account = accounts.find((a) => a.address.toLowerCase() === address.toLowerCase());
        if (!connected || !account) {
          return { error: { code: 4100, message: 'The requested account has not been authorized by the user.' } };
        }
        const bytes = messageBytes(data);
        const signature = personalSign(account.spec.privateKey, bytes);
        return { result: account.spec.wrap ? account.spec.wrap(signature, bytes) : signature };
      }
      default:
        return { error: { code: 4200, message: `The test wallet does not support ${method}.` } };
    }
  }

  await context.exposeBinding(BINDING, (_source, /** @type {WalletRequest} */ req) => {
    wallet.requests.push({ method: req.method, params: req.params });
    try {
      return answer(req.method, req.params);
    } catch (err) {
      return { error: { code: -32603, message: err instanceof Error ? err.message : String(err) } };
    }
  });
  await context.addInitScript(providerScript, { binding: BINDING });
  return wallet;
}
