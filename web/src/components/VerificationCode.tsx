// The pieces shared by every "enter the code we mailed you" form: the profile
// email change (EmailChange) and the checkout emails (CheckoutEmailsPanel).
import { useId, type ReactNode, type Ref } from 'react';
import { describeError, describeServerError, isApiError } from '../api/errors';

/** The length of a mailed code (CONTRACT §9). */
export const CODE_LENGTH = 6;

/** isCompleteCode says whether code is the whole code: exactly CODE_LENGTH digits. */
export function isCompleteCode(code: string): boolean {
  return new RegExp(`^[0-9]{${CODE_LENGTH}}$`).test(code);
}

/** The message for a code that is not CODE_LENGTH digits, before anything is sent. */
export const INCOMPLETE_CODE = `Enter the ${CODE_LENGTH} digits from the email.`;

/**
 * codeErrorText is the sentence a member sees when a code could not be confirmed or a new one could not be
 * sent: the server's own where it has one (a wrong code says how many tries are left, an expired one what to
 * do next), and for a 429 when to try again.
 */
export function codeErrorText(err: unknown): string {
  if (!isApiError(err)) return describeError(err);
  switch (err.code) {
    case 'invalid_code': // "That code is not right; 4 tries left."
    case 'code_expired': // "The code has expired; …"
      return err.message;
    case 'validation_failed':
      return err.fields.code ?? err.fields.email ?? err.message;
    case 'upstream_unavailable':
      return describeServerError(err);
    default:
      return describeError(err);
  }
}

interface CodeFieldProps {
  /** The input's id (its label points at it). */
  id: string;
  value: string;
  onChange: (code: string) => void;
  /** What the code is and until when it works, under the label. */
  hint: ReactNode;
  /** The error to show under the input, if any. */
  error: string | null;
  inputRef?: Ref<HTMLInputElement>;
}

/**
 * CodeField is the labelled "Verification code" input: digits only (pasted "123 456" or "123-456" keeps its
 * digits), the numeric keyboard and one-time-code autofill on phones, its hint and error in
 * aria-describedby.
 */
export function CodeField({ id, value, onChange, hint, error, inputRef }: CodeFieldProps) {
  const base = useId();
  const hintId = `${base}-hint`;
  const errorId = `${base}-error`;
  const describedBy = [hintId, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>Verification code</label>
      <p id={hintId} className="field__hint">
        {hint}
      </p>
      <input
        ref={inputRef}
        id={id}
        name="code"
        className="email-change__code"
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]*"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value.replace(/\D/g, '').slice(0, CODE_LENGTH))}
        aria-invalid={Boolean(error)}
        aria-describedby={describedBy}
      />
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
