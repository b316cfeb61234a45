// The browser wallet (EIP-1193 provider at window.ethereum): an extension such as MetaMask, or a wallet app's
// own browser.

export interface EthereumProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

declare global {
  interface Window {
    ethereum?: EthereumProvider;
  }
}

export function getEthereum(): EthereumProvider | null {
  if (typeof window === 'undefined') return null;
  const eth = window.ethereum;
  return eth && typeof eth.request === 'function' ? eth : null;
}

export type WalletErrorKind = 'no-extension' | 'rejected' | 'pending' | 'no-accounts' | 'wrong-account' | 'failed';

/** WalletError is a failure on the wallet's side of connecting or signing. */
export class WalletError extends Error {
  readonly kind: WalletErrorKind;
  constructor(kind: WalletErrorKind, message: string) {
    super(message);
    this.name = 'WalletError';
    this.kind = kind;
  }
}

/** The EIP-1193 / JSON-RPC error code a provider put on its error, if any. */
function rpcCode(err: unknown): number | null {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const c = (err as { code: unknown }).code;
    return typeof c === 'number' ? c : null;
  }
  return null;
}

const isAddress = (a: unknown): a is string => typeof a === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a);

function provider(): EthereumProvider {
  const eth = getEthereum();
  if (!eth) throw new WalletError('no-extension', 'No wallet extension was found in this browser.');
  return eth;
}

/**
 * requestAccounts asks the wallet to connect to this site (eth_requestAccounts; the wallet may show a prompt) and
 * returns the accounts it shares, without duplicates. None at all is an error: there is nothing to add.
 */
export async function requestAccounts(): Promise<string[]> {
  const eth = provider();
  let accounts: unknown;
  try {
    accounts = await eth.request({ method: 'eth_requestAccounts' });
  } catch (err) {
    const code = rpcCode(err);
    if (code === 4001) throw new WalletError('rejected', 'You declined the connection request in your wallet.');
    // MetaMask's "a request is already pending" (its prompt is open, maybe behind this window).
    if (code === -32002) throw new WalletError('pending', 'Your wallet is already asking you something: open it to continue.');
    throw new WalletError('failed', 'Your wallet could not connect to this page. Please try again.');
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of Array.isArray(accounts) ? accounts : []) {
    if (isAddress(a) && !seen.has(a.toLowerCase())) {
      seen.add(a.toLowerCase());
      out.push(a);
    }
  }
  if (out.length === 0) throw new WalletError('no-accounts', 'Your wallet did not share an account. Unlock it, or create an account, and try again.');
  return out;
}

/** holds says whether address is among accounts (addresses compare case-insensitively: EIP-55 is only a checksum). */
export function holds(accounts: readonly string[], address: string): boolean {
  return accounts.some((a) => a.toLowerCase() === address.toLowerCase());
}

/** utf8Hex is text as 0x-prefixed hex of its UTF-8 bytes, the form personal_sign takes its data in. */
export function utf8Hex(text: string): string {
  let hex = '0x';
  for (const b of new TextEncoder().encode(text)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * signMessage has the wallet sign message with address through personal_sign (EIP-191). The message goes as hex
 * of its UTF-8 bytes, which every wallet reads as the text and shows as such. The signature is not limited to 65
 * bytes: a smart-contract wallet's (ERC-1271, or ERC-6492 for one not deployed yet) is longer.
 */
export async function signMessage(message: string, address: string): Promise<string> {
  const eth = provider();
  let signature: unknown;
  try {
    signature = await eth.request({ method: 'personal_sign', params: [utf8Hex(message), address] });
  } catch (err) {
    const code = rpcCode(err);
    if (code === 4001) throw new WalletError('rejected', 'You declined the signature request.');
    if (code === 4100) {
      throw new WalletError('wrong-account', `Your wallet has not allowed this page to use ${address}. Connect that account and try again.`);
    }
    throw new WalletError('failed', 'Your wallet could not sign the message. Please try again.');
  }
  if (typeof signature !== 'string' || !/^0x(?:[0-9a-fA-F]{2}){65,}$/.test(signature)) {
    throw new WalletError('failed', 'Your wallet returned a signature we could not use.');
  }
  return signature;
}
