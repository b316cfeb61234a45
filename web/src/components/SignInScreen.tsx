import { useEffect, useRef } from 'react';
import type { SignedOutReason } from '../auth/session';

const messages: Record<SignedOutReason, string> = {
  missing: 'Sign in to The Babes Club to see your profile, orders and NFTs.',
  expired: 'Your session has expired. Please sign in again to continue.',
  unauthorized: 'Your session is no longer valid. Please sign in again to continue.',
  'signed-out': 'You have signed out of the member dashboard.',
};

const signInUrl: string | undefined = import.meta.env.VITE_SIGN_IN_URL;

export function SignInScreen({ reason, onRetry }: { reason: SignedOutReason; onRetry: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main className="signin" id="main">
      <div className="card signin__card">
        <p className="brand">The Babes Club</p>
        <h1 ref={heading} tabIndex={-1}>
          Please sign in
        </h1>
        <p>{messages[reason]}</p>
        {signInUrl ? (
          <p>
            <a className="button button--primary" href={signInUrl}>
              Sign in
            </a>
          </p>
        ) : (
          <p className="muted">Sign in on The Babes Club website, then come back to this page.</p>
        )}
        <button type="button" className="button" onClick={onRetry}>
          I have signed in — try again
        </button>
      </div>
    </main>
  );
}
