import { useState } from 'react';
import { describeError, isApiError } from '../api/errors';
import { useVerifyWallet, type WalletStep } from '../api/queries';
import { getEthereum, WalletError } from '../lib/ethereum';
import { shortAddress } from '../lib/format';
import { Badge } from './common';

const stepText: Record<WalletStep, string> = {
  challenge: 'Preparing a message for your wallet to sign…',
  sign: 'Confirm the signature request in your wallet extension. It costs nothing and sends no transaction.',
  verify: 'Checking the signature…',
};

function errorText(err: unknown): string {
  if (err instanceof WalletError) return err.message;
  if (isApiError(err) && err.code === 'conflict') {
    return 'Your wallet address changed while verifying. Reload the page and try again.';
  }
  if (isApiError(err) && err.code === 'validation_failed') {
    return 'The signature did not match your wallet, or the request expired. Please try again.';
  }
  return describeError(err);
}

/**
 * WalletVerification shows whether the member's wallet is verified and lets
 * them prove it: the API issues a Sign-In with Ethereum message, the wallet
 * extension signs it with personal_sign, and the API checks the signature.
 */
export function WalletVerification({ wallet, verified }: { wallet: string | null; verified: boolean }) {
  const [step, setStep] = useState<WalletStep | null>(null);
  const verify = useVerifyWallet(setStep);
  const hasExtension = getEthereum() !== null;

  if (!wallet) return null;
  const isVerified = verified || verify.isSuccess;

  return (
    <div className="wallet">
      <p className="wallet__line">
        <span>
          Wallet <code title={wallet}>{shortAddress(wallet)}</code>
        </span>{' '}
        {isVerified ? <Badge tone="success">Verified</Badge> : <Badge tone="warning">Not verified</Badge>}
      </p>
      {!isVerified && (
        <div className="wallet__verify">
          {hasExtension ? (
            <>
              <p className="muted small">Prove this wallet is yours by signing a message with it.</p>
              <button
                type="button"
                className="button button--primary"
                onClick={() => verify.mutate({ wallet })}
                aria-disabled={verify.isPending}
                disabled={verify.isPending}
              >
                {verify.isPending ? 'Verifying…' : 'Verify wallet'}
              </button>
            </>
          ) : (
            <p className="notice notice--info">
              No wallet extension was found in this browser. To verify, install one (such as MetaMask) with this
              account, then reload the page.
            </p>
          )}
        </div>
      )}
      <div role="status" className="wallet__status">
        {verify.isPending && step && <p>{stepText[step]}</p>}
        {verify.isSuccess && <p className="success-text">Your wallet is verified.</p>}
      </div>
      {verify.isError && (
        <p className="notice notice--error" role="alert">
          {errorText(verify.error)}
        </p>
      )}
    </div>
  );
}
