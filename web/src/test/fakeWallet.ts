// A browser wallet for the tests, at its real edge: an EIP-1193 provider at window.ethereum that holds known
// test keys and answers as MetaMask does (eth_requestAccounts, personal_sign [hex data, address]), signing for
// real (secp256k1, EIP-191), so the fake API checks a signature by recovering its signer, as the server does.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { vi } from 'vitest';

/** The first keys of the public Hardhat/Anvil test mnemonic: they hold nothing anywhere. */
export const TEST_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdd4ddab',
] as const;

const encoder = new TextEncoder();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));

/** checksum is the EIP-55 form of an address. */
export function checksum(address: string): string {
  const lower = address.toLowerCase().replace(/^0x/, '');
  const h = hex(keccak_256(encoder.encode(lower)));
  return `0x${Array.from(lower, (c, i) => (Number.parseInt(h.charAt(i), 16) >= 8 ? c.toUpperCase() : c)).join('')}`;
}

function addressOfPublicKey(pub: Uint8Array): string {
  const full = secp256k1.Point.fromBytes(pub).toBytes(false);
  return checksum(`0x${hex(keccak_256(full.subarray(1)).subarray(12))}`);
}

/** addressOf is the EIP-55 address of a private key. */
export function addressOf(key: string): string {
  return addressOfPublicKey(secp256k1.getPublicKey(fromHex(key.slice(2))));
}

/** The addresses of TEST_KEYS, EIP-55. */
export const TEST_ADDRESSES = TEST_KEYS.map(addressOf);

function personalHash(message: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`\x19Ethereum Signed Message:\n${message.length}`);
  const all = new Uint8Array(prefix.length + message.length);
  all.set(prefix);
  all.set(message, prefix.length);
  return keccak_256(all);
}

/** personalSign is a wallet's personal_sign of message (text or bytes) with key: 0x + r ‖ s ‖ v (27 or 28). */
export function personalSign(key: string, message: string | Uint8Array): string {
  const bytes = typeof message === 'string' ? encoder.encode(message) : message;
  const sig = secp256k1.sign(personalHash(bytes), fromHex(key.slice(2)), { prehash: false, format: 'recovered' });
  return `0x${hex(sig.subarray(1))}${(27 + (sig[0] ?? 0)).toString(16)}`;
}

/** recoverSigner is the EIP-55 address that made an EIP-191 signature of message, or null for one that is not. */
export function recoverSigner(message: string, signature: string): string | null {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return null;
  const raw = fromHex(signature.slice(2));
  const v = raw[64] ?? 0;
  const recovered = new Uint8Array(65);
  recovered[0] = v >= 27 ? v - 27 : v;
  recovered.set(raw.subarray(0, 64), 1);
  try {
    return addressOfPublicKey(secp256k1.recoverPublicKey(recovered, personalHash(encoder.encode(message)), { prehash: false }));
  } catch {
    return null;
  }
}

/** messageText is personal_sign's data as the text it is: 0x-hex is UTF-8 bytes, anything else the text itself. */
export function messageText(data: string): string {
  return /^0x([0-9a-fA-F]{2})*$/.test(data) ? new TextDecoder().decode(fromHex(data.slice(2))) : data;
}

export interface FakeWalletAccount {
  /** The key that signs. */
  key: string;
  /** The account's address when it is not the key's: a smart wallet (ERC-1271) the key owns. */
  address?: string;
}

type Override = (params: unknown[]) => unknown;

/**
 * installFakeWallet puts a wallet holding accounts (keys, or smart wallets with their owner's key) at
 * window.ethereum and returns its request mock. An override answers a method instead (return a value, or throw an
 * error with a `code` as wallets do: 4001 for a declined prompt).
 */
export function installFakeWallet(accounts: (string | FakeWalletAccount)[], overrides: Record<string, Override> = {}) {
  const held = accounts.map((a) => (typeof a === 'string' ? { key: a } : a)).map((a) => ({ key: a.key, address: a.address ?? addressOf(a.key) }));
  let connected = false;
  const request = vi.fn(async ({ method, params = [] }: { method: string; params?: unknown[] }): Promise<unknown> => {
    const o = overrides[method];
    if (o) return o(params);
    switch (method) {
      case 'eth_requestAccounts':
        connected = true;
        return held.map((a) => a.address.toLowerCase()); // as MetaMask: lower case
      case 'personal_sign': {
        const [data, address] = params;
        const account = held.find((a) => typeof address === 'string' && a.address.toLowerCase() === address.toLowerCase());
        if (!connected || !account || typeof data !== 'string') {
          throw Object.assign(new Error('The requested account has not been authorized by the user.'), { code: 4100 });
        }
        return personalSign(account.key, encoder.encode(messageText(data)));
      }
      default:
        throw Object.assign(new Error(`unsupported ${method}`), { code: 4200 });
    }
  });
  window.ethereum = { request };
  return { request, addresses: held.map((a) => a.address) };
}
