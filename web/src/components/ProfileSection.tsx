import { useEffect, useId, useRef, useState } from 'react';
import { CheckoutEmailsPanel } from './CheckoutEmailsPanel';
import { DashboardErrorBoundary } from './DashboardErrorBoundary';
import { DataExport } from './DataExport';
import { ProfileEditForm } from './ProfileEditForm';
import { ProfileOverviewCard } from './ProfileOverviewCard';

/**
 * ProfileSection puts the overview card and, while editing, the edit form side by side; below them the
 * member's checkout emails and the download of their data.
 */
export function ProfileSection() {
  const formId = useId();
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const sectionRef = useRef<HTMLDivElement>(null);
  /** Where the focus goes when the form closes: the button that opened it, or the code of a new email. */
  const returnFocus = useRef<'edit' | 'code' | null>(null);

  useEffect(() => {
    if (editing) {
      sectionRef.current?.querySelector<HTMLInputElement>(`[id="${formId}"] input`)?.focus();
    } else if (returnFocus.current) {
      const code = returnFocus.current === 'code' ? sectionRef.current?.querySelector<HTMLInputElement>('input[autocomplete="one-time-code"]') : null;
      returnFocus.current = null;
      (code ?? sectionRef.current?.querySelector<HTMLButtonElement>('.card__header button'))?.focus();
    }
  }, [editing, formId]);

  return (
    <div ref={sectionRef} className={`profile${editing ? ' profile--editing' : ''}`}>
      <ProfileOverviewCard
        formId={formId}
        editing={editing}
        onEdit={() => {
          setStatus(null);
          setEditing(true);
        }}
      />
      <p className="status-message" role="status">
        {status}
      </p>
      {editing && (
        <DashboardErrorBoundary title="The profile form could not be shown">
          <ProfileEditForm
            formId={formId}
            onDone={(message, opts) => {
              returnFocus.current = opts?.codeSent ? 'code' : 'edit';
              setStatus(message);
              setEditing(false);
            }}
          />
        </DashboardErrorBoundary>
      )}
      <DashboardErrorBoundary title="Your email addresses could not be shown">
        <CheckoutEmailsPanel />
      </DashboardErrorBoundary>
      <DashboardErrorBoundary title="The data download could not be shown">
        <DataExport />
      </DashboardErrorBoundary>
    </div>
  );
}
