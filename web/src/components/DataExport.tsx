import { useId } from 'react';
import { describeError } from '../api/errors';
import { useExportData } from '../api/queries';

/**
 * DataExport is the "Download my data" button (CONTRACT §12): it fetches GET /dashboard/export with the
 * member's token and has the browser save it under the name the server gives (babes-club-<date>.json). While
 * it runs the button says so and stays focusable; a refusal says why and, for the once-a-minute limit, when to
 * try again.
 */
export function DataExport() {
  const titleId = useId();
  const exporter = useExportData();
  const busy = exporter.isPending;

  return (
    <section className="card data-export" aria-labelledby={titleId}>
      <div className="card__header">
        <h3 id={titleId}>Your data</h3>
      </div>
      <p className="muted">
        A copy of everything your dashboard shows: your profile, email addresses, wallets, orders and NFTs, as a JSON
        file.
      </p>
      <button
        type="button"
        className="button"
        aria-disabled={busy}
        onClick={() => {
          if (!busy) exporter.mutate();
        }}
      >
        {busy ? 'Preparing your download…' : 'Download my data'}
      </button>
      <p className="status-message data-export__status" role="status">
        {exporter.isSuccess ? `Your download has started: ${exporter.data.filename}.` : null}
      </p>
      {exporter.isError && (
        <p className="notice notice--error" role="alert">
          Your data was not downloaded. {describeError(exporter.error)}
        </p>
      )}
    </section>
  );
}
