import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { describeServerError, isApiError } from '../api/errors';
import {
  MAX_WALLETS,
  useMakePrimaryWallet,
  useProveWallet,
  useRemoveWallet,
  useWallets,
  type WalletStep,
} from '../api/queries';
import type { Wallet } from '../api/types';
import { getEthereum, holds, requestAccounts, WalletError } from '../lib/ethereum';
import { shortAddress } from '../lib/format';
import { Badge, ErrorNotice, InlineConfirm, Skeleton } from './common';

const stepText: Record<WalletStep, string> = {
  connect: 'Approve the connection request in your wallet.',
  challenge: 'Preparing a message for your wallet to sign…',
  sign: 'Sign the message in your wallet. It costs nothing and sends no transaction.',
  verify: 'Checking the signature…',
};

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * walletErrorText is the sentence for a wallet action that failed: the wallet's own trouble in words, and
 * the API's messages as it sent them (a 409 says the wallet is verified by another member, a 400 why the
 * signature or address was refused, a 429 or 503 when to try again).
 */
function walletErrorText(err: unknown): string {
  if (err instanceof WalletError) return err.message;
  if (isApiError(err) && !err.fromBody) {
    if (err.code === 'conflict') return 'That wallet is verified by another member.';
    if (err.code === 'not_found') return 'That wallet is no longer on your account.';
  }
  return describeServerError(err);
}

/** Address shows a wallet shortened, its whole address in the tooltip and for screen readers. */
export function Address({ address, className }: { address: string; className?: string }) {
  return (
    <code className={className} title={address}>
      <span aria-hidden="true">{shortAddress(address)}</span>
      <span className="visually-hidden">{address}</span>
    </code>
  );
}

function WalletBadges({ wallet }: { wallet: Wallet }) {
  return (
    <span className="badges">
      {wallet.primary && <Badge tone="info">Primary</Badge>}{' '}
      {wallet.verified ? <Badge tone="success">Verified</Badge> : <Badge tone="warning">Not verified</Badge>}{' '}
      {wallet.kind === 'contract' && <Badge tone="neutral">Smart wallet</Badge>}
    </span>
  );
}

/** What the panel last did, said where the focus goes once the control that had it is gone. */
type Outcome =
  | { kind: 'verified' | 'added' | 'removed'; address: string }
  /** replaced: the old primary, unverified, that the API removed as this one took its place. */
  | { kind: 'primary'; address: string; replaced: string | null }
  | {
      kind: 'failed';
      /** What did not happen; 'added-unverified' is an add whose challenge put the wallet on the list before the proof failed. */
      action: 'verify' | 'add' | 'added-unverified' | 'remove' | 'primary' | 'connect';
      address: string | null;
      error: unknown;
    };

function outcomeText(o: Outcome): string {
  switch (o.kind) {
    case 'added':
    case 'verified':
      return `${shortAddress(o.address)} is ${o.kind === 'added' ? 'added and ' : ''}verified. Its NFTs join your holdings below; this can take a minute.`;
    case 'removed':
      return `Removed ${shortAddress(o.address)}. Its NFTs are no longer shown.`;
    case 'primary':
      return `${shortAddress(o.address)} is now your primary wallet${o.replaced ? `; ${shortAddress(o.replaced)} was removed` : ''}.`;
    case 'failed': {
      const who = o.address ? shortAddress(o.address) : '';
      const what = {
        verify: `${who} was not verified.`,
        add: `${who} was not added.`,
        'added-unverified': `${who} is on your list, but not verified.`,
        remove: `${who} was not removed.`,
        primary: `${who} was not made your primary wallet.`,
        connect: 'No wallet was added.',
      }[o.action];
      return `${what} ${walletErrorText(o.error)}`;
    }
  }
}

/**
 * WalletsPanel lists the member's wallets (CONTRACT §10) with what each is (Primary, Verified or Not verified,
 * Smart wallet), and lets them prove one (Verify: the API's Sign-In with Ethereum message signed by the
 * browser wallet with personal_sign), add one from the browser wallet (connect, choose the account if it
 * shares several, then the same proof), choose the primary one (the profile's preferredWallet; asked first when
 * the current primary is unverified, as the API then removes it with its NFTs) and remove one (asked first). The
 * NFTs shown are those of the primary wallet and every verified one, so each change reads the wallets, the
 * profile and the NFTs again.
 */
export function WalletsPanel() {
  const idBase = useId();
  const ids = {
    title: `${idBase}-title`,
    prompt: `${idBase}-remove-prompt`,
    chooser: `${idBase}-chooser`,
  };
  const list = useWallets();
  const [step, setStep] = useState<WalletStep | null>(null);
  /** The step the running proof reached, read when it fails (the state above is for rendering). */
  const stepRef = useRef<WalletStep | null>(null);
  const prove = useProveWallet((s) => {
    stepRef.current = s;
    setStep(s);
  });
  const makePrimary = useMakePrimaryWallet();
  const remove = useRemoveWallet();
  const hasWallet = getEthereum() !== null;

  /** The wallet being proven, and whether it is being added (from the Add wallet flow) or verified (its row). */
  const [proving, setProving] = useState<{ address: string; mode: 'add' | 'verify' } | null>(null);
  /** True while the browser wallet is asked for its accounts. */
  const [connecting, setConnecting] = useState(false);
  /** The accounts the browser wallet shared, when it shared several: the member picks one. */
  const [choices, setChoices] = useState<string[] | null>(null);
  const [chosen, setChosen] = useState<string>('');
  /** The wallet whose removal, or making primary, waits for the member's yes. */
  const [confirming, setConfirming] = useState<{ action: 'remove' | 'primary'; address: string } | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const addRef = useRef<HTMLButtonElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const chooserRef = useRef<HTMLFieldSetElement>(null);
  /** Each row's buttons, to give the focus back to. */
  const rowButtons = useRef(new Map<string, HTMLButtonElement>());
  const [focusNext, setFocusNext] = useState<'outcome' | 'keep' | 'chooser' | 'add' | { row: string } | null>(null);

  useEffect(() => {
    if (!focusNext) return;
    if (focusNext === 'outcome') outcomeRef.current?.focus();
    else if (focusNext === 'keep') keepRef.current?.focus();
    else if (focusNext === 'chooser') chooserRef.current?.querySelector<HTMLInputElement>('input:not(:disabled)')?.focus();
    else if (focusNext === 'add') addRef.current?.focus();
    else (rowButtons.current.get(focusNext.row) ?? addRef.current)?.focus();
    setFocusNext(null);
  }, [focusNext]);

  const wallets = list.data?.wallets ?? [];
  const primary = wallets.find((w) => w.primary);
  /** replacedBy is the current primary when making address the primary would remove it: it was never proven. */
  const replacedBy = (address: string) => (primary && !primary.verified && !same(primary.address, address) ? primary : undefined);
  const busy = prove.isPending || connecting || makePrimary.isPending || remove.isPending;

  const show = (o: Outcome) => {
    setOutcome(o);
    setFocusNext('outcome');
  };

  /** startProof proves address; accounts are the browser wallet's, when it was just asked for them. */
  const startProof = (address: string, mode: 'add' | 'verify', accounts?: string[]) => {
    setProving({ address, mode });
    setStep(null);
    stepRef.current = null;
    prove.mutate(
      { address, ...(accounts ? { accounts } : {}) },
      {
        onSuccess: (w) => show({ kind: mode === 'add' ? 'added' : 'verified', address: w.address }),
        onError: (error) => {
          const challenged = stepRef.current === 'sign' || stepRef.current === 'verify';
          show({ kind: 'failed', action: mode === 'add' && challenged ? 'added-unverified' : mode, address, error });
        },
        onSettled: () => {
          setProving(null);
          setStep(null);
        },
      },
    );
  };

  const verify = (address: string) => {
    if (busy) return;
    setOutcome(null);
    setConfirming(null);
    setChoices(null);
    startProof(address, 'verify');
  };

  /** addWallet connects the browser wallet; with one new account it goes on to the proof, with several it asks. */
  const addWallet = async () => {
    if (busy) return;
    setOutcome(null);
    setConfirming(null);
    setChoices(null);
    setConnecting(true);
    let accounts: string[];
    try {
      accounts = await requestAccounts();
    } catch (error) {
      show({ kind: 'failed', action: 'connect', address: null, error });
      return;
    } finally {
      setConnecting(false);
    }
    const verified = wallets.filter((w) => w.verified).map((w) => w.address);
    const fresh = accounts.filter((a) => !holds(verified, a));
    const only = fresh[0];
    if (only === undefined) {
      const error = new WalletError(
        'no-accounts',
        accounts.length === 1
          ? 'It is already one of your verified wallets. To add another, switch to it in your wallet and try again.'
          : 'They are all verified wallets of yours already. To add another, switch to it in your wallet and try again.',
      );
      show({ kind: 'failed', action: 'connect', address: null, error });
      return;
    }
    if (accounts.length === 1) {
      startProof(only, 'add', accounts);
      return;
    }
    setChoices(accounts);
    setChosen(only);
    setFocusNext('chooser');
  };

  const submitChoice = (e: FormEvent) => {
    e.preventDefault();
    if (!chosen || !choices || busy) return;
    setChoices(null);
    startProof(chosen, 'add', choices);
  };

  const cancelChoice = () => {
    setChoices(null);
    setFocusNext('add');
  };

  /** savePrimary makes address the primary; replaced is the unverified primary the API removes meanwhile. */
  const savePrimary = (address: string, replaced: string | null) =>
    makePrimary.mutate(
      { address },
      {
        onSuccess: () => {
          setConfirming(null);
          show({ kind: 'primary', address, replaced });
        },
        onError: (error) => {
          setConfirming(null);
          show({ kind: 'failed', action: 'primary', address, error });
        },
      },
    );

  /** choosePrimary makes address the primary at once, or asks first when that would remove the current one. */
  const choosePrimary = (address: string) => {
    if (busy) return;
    setOutcome(null);
    if (replacedBy(address)) {
      makePrimary.reset();
      setConfirming({ action: 'primary', address });
      setFocusNext('keep');
      return;
    }
    setConfirming(null);
    savePrimary(address, null);
  };

  const confirmPrimary = (address: string) => {
    if (makePrimary.isPending) return;
    savePrimary(address, replacedBy(address)?.address ?? null);
  };

  const askRemove = (address: string) => {
    if (busy) return;
    setOutcome(null);
    remove.reset();
    setConfirming({ action: 'remove', address });
    setFocusNext('keep');
  };

  /** keep closes the question, the focus back on the row's button that asked it. */
  const keep = () => {
    if (!confirming) return;
    setConfirming(null);
    setFocusNext({ row: `${confirming.action}:${confirming.address.toLowerCase()}` });
  };

  const confirmRemove = (address: string) => {
    if (remove.isPending) return;
    remove.mutate(
      { address },
      {
        onSuccess: () => {
          setConfirming(null);
          show({ kind: 'removed', address });
        },
        onError: (error) => {
          setConfirming(null);
          show({ kind: 'failed', action: 'remove', address, error });
        },
      },
    );
  };

  const rowButton = (key: string) => (el: HTMLButtonElement | null) => {
    if (el) rowButtons.current.set(key, el);
    else rowButtons.current.delete(key);
  };

  let body;
  if (list.isPending) {
    body = <Skeleton label="Loading your wallets…" lines={2} />;
  } else if (list.isError) {
    body = <ErrorNotice title="We couldn't load your wallets." error={list.error} onRetry={() => void list.refetch()} />;
  } else {
    const atLimit = wallets.length >= MAX_WALLETS;
    body = (
      <>
        {wallets.length === 0 ? (
          <p className="muted">No wallets yet.</p>
        ) : (
          <ul className="wallet-list" aria-label="Your wallets">
            {wallets.map((w) => {
              const key = w.address.toLowerCase();
              const asking = confirming !== null && same(confirming.address, w.address) ? confirming.action : null;
              const replaced = asking === 'primary' ? replacedBy(w.address) : undefined;
              const isProving = proving !== null && same(proving.address, w.address) && proving.mode === 'verify';
              return (
                <li key={key} className="wallet-list__item">
                  <div className="wallet-list__main">
                    <Address address={w.address} className="wallet-list__address" /> <WalletBadges wallet={w} />
                  </div>
                  {asking === 'primary' ? (
                    <InlineConfirm
                      promptId={ids.prompt}
                      prompt={
                        <>
                          Make <Address address={w.address} /> your primary wallet?
                        </>
                      }
                      hint={
                        replaced ? (
                          <>
                            Your current primary wallet, <Address address={replaced.address} />, is not verified, so it will
                            be removed and its NFTs leave your holdings now. To keep it, verify it first.
                          </>
                        ) : undefined
                      }
                      confirmLabel="Yes, make primary"
                      busyLabel="Saving…"
                      busy={makePrimary.isPending}
                      onConfirm={() => confirmPrimary(w.address)}
                      onKeep={keep}
                      keepRef={keepRef}
                    />
                  ) : asking === 'remove' ? (
                    <InlineConfirm
                      promptId={ids.prompt}
                      prompt={
                        <>
                          Remove <Address address={w.address} />?
                        </>
                      }
                      hint={
                        w.primary
                          ? 'Its NFTs leave your holdings now, and you will have no primary wallet until you choose one. You can add it again by signing with it.'
                          : 'Its NFTs leave your holdings now. You can add it again by signing with it.'
                      }
                      confirmLabel="Yes, remove"
                      busyLabel="Removing…"
                      busy={remove.isPending}
                      onConfirm={() => confirmRemove(w.address)}
                      onKeep={keep}
                      keepRef={keepRef}
                    />
                  ) : (
                    <div className="wallet-list__actions">
                      {!w.verified && hasWallet && (
                        <button
                          ref={rowButton(`verify:${key}`)}
                          type="button"
                          className="button button--primary"
                          onClick={() => verify(w.address)}
                          aria-disabled={busy}
                        >
                          {isProving ? 'Verifying…' : 'Verify'} <span className="visually-hidden">{w.address}</span>
                        </button>
                      )}
                      {!w.primary && (
                        <button
                          ref={rowButton(`primary:${key}`)}
                          type="button"
                          className="button"
                          onClick={() => choosePrimary(w.address)}
                          aria-disabled={busy}
                        >
                          {makePrimary.isPending && makePrimary.variables?.address === w.address ? 'Saving…' : 'Make primary'}{' '}
                          <span className="visually-hidden">{w.address}</span>
                        </button>
                      )}
                      <button
                        ref={rowButton(`remove:${key}`)}
                        type="button"
                        className="button button--ghost"
                        onClick={() => askRemove(w.address)}
                        aria-disabled={busy}
                      >
                        Remove <span className="visually-hidden">{w.address}</span>
                      </button>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        )}

        <div role="status" className="wallets__status">
          {connecting && <p>{stepText.connect}</p>}
          {prove.isPending && step && <p>{stepText[step]}</p>}
        </div>

        {outcome && (
          <div
            ref={outcomeRef}
            tabIndex={-1}
            className={`notice ${outcome.kind === 'failed' ? 'notice--error' : 'notice--info'}`}
            role={outcome.kind === 'failed' ? 'alert' : 'status'}
          >
            <p>{outcomeText(outcome)}</p>
          </div>
        )}

        {choices && (
          <form className="wallets__chooser" onSubmit={submitChoice} aria-labelledby={ids.chooser}>
            <fieldset ref={chooserRef}>
              <legend id={ids.chooser}>Choose the wallet to add</legend>
              <p className="field__hint">Your wallet shared {choices.length} accounts. You will sign a message with the one you choose.</p>
              {choices.map((a) => {
                const already = wallets.some((w) => w.verified && same(w.address, a));
                return (
                  <label key={a.toLowerCase()} className="choice">
                    <input
                      type="radio"
                      name="wallet"
                      value={a}
                      checked={same(chosen, a)}
                      disabled={already}
                      onChange={() => setChosen(a)}
                    />
                    <code>{a}</code>
                    {already && <span className="muted small"> (already verified)</span>}
                  </label>
                );
              })}
            </fieldset>
            <div className="form__actions">
              <button type="submit" className="button button--primary" aria-disabled={busy}>
                Sign and add
              </button>
              <button type="button" className="button button--ghost" onClick={cancelChoice}>
                Cancel
              </button>
            </div>
          </form>
        )}

        {!choices &&
          (atLimit ? (
            <p className="muted small">
              You have {MAX_WALLETS} wallets, the most you can. Remove one to add another.
            </p>
          ) : hasWallet ? (
            <div className="wallets__add">
              <button ref={addRef} type="button" className="button" onClick={() => void addWallet()} aria-disabled={busy}>
                {connecting || proving?.mode === 'add' ? 'Adding…' : 'Add wallet'}
              </button>
              <p className="field__hint">
                Connects the wallet in your browser and asks it to sign a message: no transaction, no cost. Up to {MAX_WALLETS} wallets.
              </p>
            </div>
          ) : (
            <div className="notice notice--info">
              <p>
                To add or verify a wallet, this browser needs a wallet extension such as MetaMask, Coinbase Wallet or
                Rabby. Install one, add your wallet to it, then reload this page. On a phone, open this page in your
                wallet app's browser.
              </p>
              <p>
                You can still see a wallet's NFTs without proving it: enter it as the wallet address in your profile
                (Edit profile → Wallet address).
              </p>
            </div>
          ))}
      </>
    );
  }

  return (
    <section className="wallets" aria-labelledby={ids.title}>
      <h3 id={ids.title}>Wallets</h3>
      <p className="muted small">
        Your NFTs below come from your primary wallet and every verified wallet. Verify a wallet by signing a message
        with it; smart wallets (such as Safe or Coinbase Smart Wallet) work too.
      </p>
      {body}
    </section>
  );
}
