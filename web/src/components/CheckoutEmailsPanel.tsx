import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../api/errors';
import {
  MAX_CHECKOUT_EMAILS,
  useAddCheckoutEmail,
  useCheckoutEmails,
  useRefreshOrders,
  useRemoveCheckoutEmail,
  useVerifyCheckoutEmail,
} from '../api/queries';
import type { CheckoutEmail } from '../api/types';
import { formatTime } from '../lib/format';
import { checkEmail, limits } from '../lib/validation';
import { Badge, ErrorNotice, InlineConfirm, Skeleton } from './common';
import { CODE_LENGTH, CodeField, codeErrorText, INCOMPLETE_CODE, isCompleteCode } from './VerificationCode';

/** The address waiting for its code in the panel, and when that code stops working (unknown after a reload). */
interface CodeFor {
  email: string;
  expiresAt: string | null;
}

/** What the panel last did, said where the focus goes once the control that had it is gone. */
type Outcome = { kind: 'verified' | 'removed'; email: string } | { kind: 'remove-failed'; email: string; error: unknown };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function EmailBadges({ email }: { email: CheckoutEmail }) {
  return (
    <span className="badges">
      {email.primary && <Badge tone="neutral">Profile email</Badge>}{' '}
      {email.verified ? <Badge tone="success">Verified</Badge> : <Badge tone="warning">Pending</Badge>}
    </span>
  );
}

/**
 * CheckoutEmailsPanel lists the member's email addresses (the profile email first, marked) and lets them add
 * the other addresses they used at checkout, so those orders show in their history (CONTRACT §9): adding one
 * mails it a 6-digit code, entered here (Confirm, or Send a new code, which adds the same address again);
 * removing one asks first. Verifying an address has the server look up its orders, so the order list is read
 * again then, and on "Refresh orders".
 */
export function CheckoutEmailsPanel() {
  const idBase = useId();
  const ids = {
    title: `${idBase}-title`,
    intro: `${idBase}-intro`,
    address: `${idBase}-address`,
    addressHint: `${idBase}-address-hint`,
    addressError: `${idBase}-address-error`,
    codeTitle: `${idBase}-code-title`,
    code: `${idBase}-code`,
    prompt: `${idBase}-remove-prompt`,
  };
  const list = useCheckoutEmails();
  const add = useAddCheckoutEmail();
  const resend = useAddCheckoutEmail();
  const verify = useVerifyCheckoutEmail();
  const remove = useRemoveCheckoutEmail();
  const refreshOrders = useRefreshOrders();

  const [address, setAddress] = useState('');
  const [addressError, setAddressError] = useState<string | null>(null);
  const [codeFor, setCodeFor] = useState<CodeFor | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  /** The address a new code was sent to, to say so while its form is the one shown. */
  const [resentTo, setResentTo] = useState<string | null>(null);
  /** The address whose removal waits for the member's yes. */
  const [confirming, setConfirming] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const addressRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  /** Each row's "Remove" and "Enter code" buttons, to give the focus back to. */
  const rowButtons = useRef(new Map<string, HTMLButtonElement>());
  /** Where the focus goes after the next render: set by the handler that removes the focused control. */
  const [focusNext, setFocusNext] = useState<'code' | 'outcome' | 'keep' | { row: string } | null>(null);

  useEffect(() => {
    if (!focusNext) return;
    if (focusNext === 'code') codeRef.current?.focus();
    else if (focusNext === 'outcome') outcomeRef.current?.focus();
    else if (focusNext === 'keep') keepRef.current?.focus();
    else (rowButtons.current.get(focusNext.row) ?? addressRef.current)?.focus();
    setFocusNext(null);
  }, [focusNext]);

  /** openCode shows the code form for email, fresh, with the focus in its field. */
  const openCode = (next: CodeFor) => {
    setCodeFor(next);
    setCode('');
    setCodeError(null);
    setResentTo(null);
    verify.reset();
    resend.reset();
    setOutcome(null);
    setFocusNext('code');
  };

  const submitAddress = (e: FormEvent) => {
    e.preventDefault();
    if (add.isPending) return;
    const email = address.trim();
    const problem = email ? checkEmail(email) : 'Enter the email address you used at checkout.';
    if (problem) {
      setAddressError(problem);
      addressRef.current?.focus();
      return;
    }
    setAddressError(null);
    setOutcome(null);
    add.mutate(
      { email },
      {
        onSuccess: (res) => {
          setAddress('');
          openCode({ email: res.email, expiresAt: res.expiresAt });
        },
        onError: () => addressRef.current?.focus(),
      },
    );
  };

  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    if (!codeFor || verify.isPending) return;
    if (!isCompleteCode(code)) {
      setCodeError(INCOMPLETE_CODE);
      codeRef.current?.focus();
      return;
    }
    setCodeError(null);
    const email = codeFor.email;
    verify.mutate(
      { email, code },
      {
        onSuccess: () => {
          setCodeFor(null);
          setOutcome({ kind: 'verified', email });
          setFocusNext('outcome');
        },
        // Still waiting for the right code: select it, so typing replaces it.
        onError: () => requestAnimationFrame(() => codeRef.current?.select()),
      },
    );
  };

  const sendNewCode = () => {
    if (!codeFor || resend.isPending) return;
    verify.reset();
    setCodeError(null);
    setResentTo(null);
    resend.mutate(
      { email: codeFor.email },
      {
        onSuccess: (res) => {
          setCodeFor({ email: res.email, expiresAt: res.expiresAt });
          setCode('');
          setResentTo(res.email);
          codeRef.current?.focus();
        },
      },
    );
  };

  const closeCode = () => {
    const email = codeFor?.email;
    setCodeFor(null);
    verify.reset();
    resend.reset();
    if (email) setFocusNext({ row: `code:${email.toLowerCase()}` });
  };

  const askRemove = (email: string) => {
    setOutcome(null);
    remove.reset();
    setConfirming(email);
    setFocusNext('keep');
  };

  const keep = (email: string) => {
    setConfirming(null);
    setFocusNext({ row: `remove:${email.toLowerCase()}` });
  };

  const confirmRemove = (email: string) => {
    if (remove.isPending) return;
    remove.mutate(
      { email },
      {
        onSuccess: () => {
          setConfirming(null);
          if (codeFor && same(codeFor.email, email)) setCodeFor(null);
          setOutcome({ kind: 'removed', email });
          setFocusNext('outcome');
        },
        onError: (error) => {
          setConfirming(null);
          setOutcome({ kind: 'remove-failed', email, error });
          setFocusNext('outcome');
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
    body = <Skeleton label="Loading your email addresses…" lines={2} />;
  } else if (list.isError) {
    body = <ErrorNotice title="We couldn't load your email addresses." error={list.error} onRetry={() => void list.refetch()} />;
  } else {
    const emails = list.data.emails;
    const added = emails.filter((e) => !e.primary).length;
    const addError = addressError ?? (add.isError ? codeErrorText(add.error) : null);
    body = (
      <>
        <ul className="email-list" aria-label="Your email addresses">
          {emails.map((e) => {
            const key = e.email.toLowerCase();
            const asking = confirming !== null && same(confirming, e.email);
            return (
              <li key={key} className="email-list__item">
                <div className="email-list__main">
                  <span className="email-list__address">{e.email}</span> <EmailBadges email={e} />
                </div>
                {!e.primary &&
                  (asking ? (
                    <InlineConfirm
                      promptId={ids.prompt}
                      prompt={`Remove ${e.email}?`}
                      hint="Orders already in your history stay; new orders with it won't be added."
                      confirmLabel="Yes, remove"
                      busyLabel="Removing…"
                      busy={remove.isPending}
                      onConfirm={() => confirmRemove(e.email)}
                      onKeep={() => keep(e.email)}
                      keepRef={keepRef}
                    />
                  ) : (
                    <div className="email-list__actions">
                      {!e.verified && !(codeFor && same(codeFor.email, e.email)) && (
                        <button
                          ref={rowButton(`code:${key}`)}
                          type="button"
                          className="button"
                          onClick={() => openCode({ email: e.email, expiresAt: null })}
                        >
                          Enter code{' '}
                          <span className="visually-hidden">for {e.email}</span>
                        </button>
                      )}
                      <button ref={rowButton(`remove:${key}`)} type="button" className="button button--ghost" onClick={() => askRemove(e.email)}>
                        Remove{' '}
                        <span className="visually-hidden">{e.email}</span>
                      </button>
                    </div>
                  ))}
              </li>
            );
          })}
        </ul>

        {outcome && (
          <div
            ref={outcomeRef}
            tabIndex={-1}
            className={`notice ${outcome.kind === 'remove-failed' ? 'notice--error' : 'notice--info'}`}
            role={outcome.kind === 'remove-failed' ? 'alert' : 'status'}
          >
            {outcome.kind === 'verified' && (
              <>
                <p>
                  {outcome.email} is verified. Orders you placed with it are being added to your order history; this
                  can take a minute.
                </p>
                <button type="button" className="button" onClick={() => void refreshOrders()}>
                  Refresh orders
                </button>
              </>
            )}
            {outcome.kind === 'removed' && <p>Removed {outcome.email}. Orders already in your history stay.</p>}
            {outcome.kind === 'remove-failed' && (
              <p>
                {outcome.email} was not removed. {describeError(outcome.error)}
              </p>
            )}
          </div>
        )}

        {codeFor && (
          <div className="email-change">
            <h4 id={ids.codeTitle} className="email-change__title">
              Confirm your checkout email
            </h4>
            <p>
              We sent a code to <strong className="email-change__address">{codeFor.email}</strong>. Its orders show
              here once you enter it.
            </p>
            <form className="email-change__form" onSubmit={submitCode} noValidate aria-labelledby={ids.codeTitle}>
              <CodeField
                id={ids.code}
                inputRef={codeRef}
                value={code}
                onChange={setCode}
                error={codeError ?? (verify.isError ? codeErrorText(verify.error) : null)}
                hint={
                  <>
                    The {CODE_LENGTH} digits from the email
                    {codeFor.expiresAt ? `. It works until ${formatTime(codeFor.expiresAt)}` : ''}.
                  </>
                }
              />
              <div className="form__actions">
                <button type="submit" className="button button--primary" disabled={verify.isPending} aria-disabled={verify.isPending}>
                  {verify.isPending ? 'Confirming…' : 'Confirm'}
                </button>
                <button type="button" className="button" onClick={sendNewCode} disabled={resend.isPending} aria-disabled={resend.isPending}>
                  {resend.isPending ? 'Sending…' : 'Send a new code'}
                </button>
                <button type="button" className="button button--ghost" onClick={closeCode}>
                  Not now
                </button>
              </div>
            </form>
            <p className="email-change__status" role="status">
              {resentTo && same(resentTo, codeFor.email) ? `We sent a new code to ${codeFor.email}.` : null}
            </p>
            {resend.isError && (
              <p className="notice notice--error" role="alert">
                No new code was sent. {codeErrorText(resend.error)}
              </p>
            )}
          </div>
        )}

        {/* At the limit the form gives way to a note, unless it is showing why an address was not added. */}
        {added >= MAX_CHECKOUT_EMAILS && !add.isError && !add.isPending ? (
          <p className="muted small">
            You have added {MAX_CHECKOUT_EMAILS} addresses, the most you can. Remove one to add another.
          </p>
        ) : (
          <form className="checkout-emails__add" onSubmit={submitAddress} noValidate aria-label="Add a checkout email">
            <div className={`field${addError ? ' field--invalid' : ''}`}>
              <label htmlFor={ids.address}>Email used at checkout</label>
              <p id={ids.addressHint} className="field__hint">
                We'll send a {CODE_LENGTH}-digit code to it, to be sure it's yours. Up to {MAX_CHECKOUT_EMAILS} addresses.
              </p>
              <input
                ref={addressRef}
                id={ids.address}
                name="email"
                type="email"
                inputMode="email"
                autoComplete="email"
                spellCheck={false}
                maxLength={limits.email}
                value={address}
                onChange={(ev) => setAddress(ev.target.value)}
                aria-invalid={Boolean(addError)}
                aria-describedby={[ids.addressHint, addError ? ids.addressError : null].filter(Boolean).join(' ')}
              />
              {addError && (
                <p id={ids.addressError} className="field-error" role="alert">
                  {addError}
                </p>
              )}
            </div>
            <div className="form__actions">
              <button type="submit" className="button" disabled={add.isPending} aria-disabled={add.isPending}>
                {add.isPending ? 'Adding…' : 'Add email'}
              </button>
            </div>
          </form>
        )}
      </>
    );
  }

  return (
    <section className="card checkout-emails" aria-labelledby={ids.title}>
      <div className="card__header">
        <h3 id={ids.title}>Checkout emails</h3>
      </div>
      <p id={ids.intro} className="muted">
        Used another address at checkout? Add it to see those orders here.
      </p>
      {body}
    </section>
  );
}
