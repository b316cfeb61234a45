// The browser wallet extension (EIP-1193 provider at window.ethereum).

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

export type WalletErrorKind = 'no-extension' | 'rejected' | 'wrong-account' | 'failed';

/** WalletError is a failure on the wallet extension's side of the verification. */
export class WalletError extends Error {
  readonly kind: WalletErrorKind;
  constructor(kind: WalletErrorKind, message: string) {
    super(message);
    this.name = 'WalletError';
    this.kind = kind;
  }
}

function code(err: unknown): number | null {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const c = (err as { code: unknown }).code;
    return typeof c === 'number' ? c : null;
  }
  return null;
}

/**
 * requestSignature asks the extension to connect (so it may sign for this
 * site), checks that it holds the member's wallet, and has it sign message
 * with personal_sign (EIP-191).
 */
export async function requestSignature(message: string, wallet: string): Promise<string> {
  const eth = getEthereum();
  if (!eth) throw new WalletError('no-extension', 'No wallet extension was found in this browser.');
  try {
    const accounts = await eth.request({ method: 'eth_requestAccounts' });
    if (Array.isArray(accounts) && accounts.length > 0) {
      const held = accounts.filter((a): a is string => typeof a === 'string').map((a) => a.toLowerCase());
      if (!held.includes(wallet.toLowerCase())) {
        throw new WalletError(
          'wrong-account',
          `Your wallet extension is not on the address ${wallet}. Switch to that account and try again.`,
        );
      }
    }
    const signature = await eth.request({ method: 'personal_sign', params: [message, wallet] });
    if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
      throw new WalletError('failed', 'The wallet returned a signature we could not use.');
    }
    return signature;
  } catch (err) {
    if (err instanceof WalletError) throw err;
    if (code(err) === 4001) throw new WalletError('rejected', 'You declined the signature request.');
    throw new WalletError('failed', 'The wallet extension could not sign the message. Please try again.');
  }
}
