import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../api/errors';
import { useUpdateProfile, useVerifyEmail } from '../api/queries';
import type { Profile } from '../api/types';
import { formatTime } from '../lib/format';
import { CODE_LENGTH, CodeField, codeErrorText, INCOMPLETE_CODE, isCompleteCode } from './VerificationCode';

/** errorText is the sentence a member sees when confirming or resending failed: the server's, where it has one. */
function errorText(err: unknown): string {
  if (isApiError(err) && err.code === 'conflict') {
    return err.fields.email ? `${err.message} Choose another address.` : err.message;
  }
  return codeErrorText(err);
}

/**
 * EmailChange shows a pending email change (the profile's pendingEmail, so it
 * survives a reload) and confirms it with the 6-digit code mailed to the new
 * address, or mails a new code by saving the same new address again. The API
 * has no way to cancel a change: saving another address replaces it, and one
 * never confirmed simply lapses. After the change completes, or the server
 * voids it (expired, too many wrong codes, address taken meanwhile), it says
 * so where the panel was.
 */
export function EmailChange({ profile }: { profile: Profile }) {
  const idBase = useId();
  const ids = {
    title: `${idBase}-title`,
    code: `${idBase}-code`,
  };
  const verify = useVerifyEmail();
  const resend = useUpdateProfile();
  const [code, setCode] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  /** The change a new code was sent for (its key), to say so only while that change is the one shown. */
  const [resentFor, setResentFor] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const outcomeRef = useRef<HTMLParagraphElement>(null);

  const pending = profile.pendingEmail ?? null;
  const expiresAt = profile.pendingEmailExpiresAt ?? null;
  // Each mailed code gives the change a new expiry: a new key means a fresh start.
  const key = pending ? `${pending}|${expiresAt ?? ''}` : null;
  const shownKey = useRef(key);
  useEffect(() => {
    if (key !== null && key !== shownKey.current) {
      verify.reset();
      setCode('');
      setLocalError(null);
    }
    shownKey.current = key;
    // Keyed on the change alone (verify.reset is stable): only a new change clears what the member saw.
  }, [key]);

  const completed = !pending && verify.isSuccess;
  const voided = !pending && verify.isError;
  // The panel is gone (its field had the focus): move the focus to what replaced it.
  useEffect(() => {
    if (completed || voided) outcomeRef.current?.focus();
  }, [completed, voided]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (verify.isPending) return;
    if (!isCompleteCode(code)) {
      setLocalError(INCOMPLETE_CODE);
      inputRef.current?.focus();
      return;
    }
    setLocalError(null);
    verify.mutate(
      { code },
      {
        onError: () => {
          // Still pending (a wrong code): select the code, so typing replaces it.
          requestAnimationFrame(() => inputRef.current?.select());
        },
      },
    );
  };

  const sendNewCode = () => {
    if (!pending || resend.isPending) return;
    verify.reset();
    setLocalError(null);
    // Only the email is sent, so no If-Match: nothing else the member typed can be overwritten.
    resend.mutate(
      { update: { email: pending }, updatedAt: null },
      {
        onSuccess: (res) => {
          const p = res.profile;
          setResentFor(p.pendingEmail ? `${p.pendingEmail}|${p.pendingEmailExpiresAt ?? ''}` : null);
          inputRef.current?.focus();
        },
      },
    );
  };

  if (!pending) {
    if (completed) {
      return (
        <p ref={outcomeRef} tabIndex={-1} className="status-message email-change__done" role="status">
          Your email address is now {verify.data.profile.email}.
        </p>
      );
    }
    if (voided) {
      return (
        <div ref={outcomeRef} tabIndex={-1} className="notice notice--error" role="alert">
          <p className="notice__title">Your email address was not changed.</p>
          <p>{errorText(verify.error)}</p>
        </div>
      );
    }
    return null;
  }

  const fieldError = localError ?? (verify.isError ? errorText(verify.error) : null);

  return (
    <div className="email-change">
      <h3 id={ids.title} className="email-change__title">
        Confirm your new email address
      </h3>
      <p>
        We sent a code to <strong className="email-change__address">{pending}</strong>; your email stays{' '}
        <strong className="email-change__address">{profile.email}</strong> until you enter it.
      </p>
      <form className="email-change__form" onSubmit={submit} noValidate aria-labelledby={ids.title}>
        <CodeField
          id={ids.code}
          inputRef={inputRef}
          value={code}
          onChange={setCode}
          error={fieldError}
          hint={<>The {CODE_LENGTH} digits from the email{expiresAt ? `. It works until ${formatTime(expiresAt)}` : ''}.</>}
        />
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={verify.isPending} aria-disabled={verify.isPending}>
            {verify.isPending ? 'Confirming…' : 'Confirm'}
          </button>
          <button type="button" className="button" onClick={sendNewCode} disabled={resend.isPending} aria-disabled={resend.isPending}>
            {resend.isPending ? 'Sending…' : 'Send a new code'}
          </button>
        </div>
      </form>
      <p className="email-change__status" role="status">
        {resentFor === key ? `We sent a new code to ${pending}. Codes in earlier emails no longer work.` : null}
      </p>
      {resend.isError && (
        <p className="notice notice--error" role="alert">
          No new code was sent. {errorText(resend.error)}
        </p>
      )}
      <p className="field__hint">
        Wrong address? Edit your profile and save the right one: it replaces this change. Until a code is entered,
        nothing changes.
      </p>
    </div>
  );
}
