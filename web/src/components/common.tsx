// Small building blocks shared by the dashboard's views.
import type { KeyboardEvent, ReactNode, Ref } from 'react';
import { describeError } from '../api/errors';

/** Skeleton is a loading placeholder announced once to screen readers. */
export function Skeleton({ label, lines = 3 }: { label: string; lines?: number }) {
  return (
    <div className="skeleton" role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton__line" aria-hidden="true" style={{ width: `${90 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

export function ErrorNotice({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">{title}</p>
      <p>{describeError(error)}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty__title">{title}</p>
      {children}
    </div>
  );
}

/** RefreshingNote tells the member that fresher data is being fetched in the background. */
export function RefreshingNote({ children }: { children: ReactNode }) {
  return (
    <p className="refreshing" role="status">
      <span className="spinner" aria-hidden="true" />
      {children}
    </p>
  );
}

export type BadgeTone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

export function Badge({ tone, children }: { tone: BadgeTone; children: ReactNode }) {
  return <span className={`badge badge--${tone}`}>{children}</span>;
}

interface InlineConfirmProps {
  /** The id of the question, which names the group. */
  promptId: string;
  /** The question ("Remove …?"). */
  prompt: ReactNode;
  /** What the yes does beyond the obvious, under the question. */
  hint?: ReactNode;
  /** The yes button's text, and its text while the action runs. */
  confirmLabel: string;
  busyLabel: string;
  busy: boolean;
  onConfirm: () => void;
  /** The no: "Keep it", and Escape anywhere in the group. */
  onKeep: () => void;
  /** The "Keep it" button, to put the focus on when the question opens. */
  keepRef?: Ref<HTMLButtonElement>;
}

/**
 * InlineConfirm asks before something that cannot be undone, in place of the control that asked for it (no
 * modal): the question, a yes ("Yes, remove") and a "Keep it" that Escape also means.
 */
export function InlineConfirm({ promptId, prompt, hint, confirmLabel, busyLabel, busy, onConfirm, onKeep, keepRef }: InlineConfirmProps) {
  return (
    <div
      className="inline-confirm"
      role="group"
      aria-labelledby={promptId}
      onKeyDown={(ev: KeyboardEvent) => {
        if (ev.key === 'Escape') {
          ev.preventDefault();
          onKeep();
        }
      }}
    >
      <p id={promptId} className="inline-confirm__prompt">
        {prompt}
      </p>
      {hint && <p className="field__hint">{hint}</p>}
      <div className="form__actions">
        <button type="button" className="button button--primary" onClick={onConfirm} aria-disabled={busy}>
          {busy ? busyLabel : confirmLabel}
        </button>
        <button ref={keepRef} type="button" className="button" onClick={onKeep}>
          Keep it
        </button>
      </div>
    </div>
  );
}
