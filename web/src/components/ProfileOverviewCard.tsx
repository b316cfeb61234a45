import { useState } from 'react';
import { useProfile } from '../api/queries';
import type { Address } from '../api/types';
import { formatDate, shortAddress } from '../lib/format';
import { EmptyState, ErrorNotice, Skeleton } from './common';
import { EmailChange } from './EmailChange';

function AddressLines({ address }: { address: Address | null }) {
  if (!address) return <span className="muted">Not set</span>;
  const lines = [
    address.name,
    [address.line1, address.line2].filter(Boolean).join(', '),
    `${[address.city, [address.state, address.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ')}, ${address.country}`,
  ].filter(Boolean);
  return (
    <address className="address">
      {lines.map((l, i) => (
        <span key={i}>{l}</span>
      ))}
    </address>
  );
}

function Avatar({ url, name }: { url: string | null; name: string }) {
  const [failed, setFailed] = useState<string | null>(null);
  const initials =
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w.charAt(0).toUpperCase())
      .join('') || '?';
  if (url && failed !== url) {
    return <img className="avatar" src={url} alt="" width={64} height={64} onError={() => setFailed(url)} />;
  }
  return (
    <span className="avatar avatar--initials" aria-hidden="true">
      {initials}
    </span>
  );
}

interface Props {
  onEdit: () => void;
  editing: boolean;
  /** id of the edit form, for aria-controls. */
  formId: string;
}

/**
 * ProfileOverviewCard shows the member's profile from GET /dashboard/profile, with a pending email change
 * waiting for its code.
 */
export function ProfileOverviewCard({ onEdit, editing, formId }: Props) {
  const { data, error, isPending, isError, refetch } = useProfile();

  let body;
  if (isPending) {
    body = <Skeleton label="Loading your profile…" lines={4} />;
  } else if (isError) {
    body = <ErrorNotice title="We couldn't load your profile." error={error} onRetry={() => void refetch()} />;
  } else {
    const p = data.profile;
    const unsaved = p.createdAt === null;
    body = (
      <>
        <div className="profile__head">
          <Avatar url={p.avatarUrl} name={p.displayName || p.email} />
          <div>
            <h3 className="profile__name">{p.displayName || 'Unnamed member'}</h3>
            <p className="muted">{p.email || 'No email address'}</p>
            {p.createdAt && <p className="muted small">Member since {formatDate(p.createdAt)}</p>}
          </div>
        </div>
        <EmailChange profile={p} />
        {unsaved && (
          <EmptyState title="Your profile isn't set up yet.">
            <p>Add your phone number, addresses and wallet so checkout and NFT holdings just work.</p>
          </EmptyState>
        )}
        <dl className="details">
          <div>
            <dt>Phone</dt>
            <dd>{p.phone ?? <span className="muted">Not set</span>}</dd>
          </div>
          <div>
            <dt>Wallet</dt>
            <dd>
              {p.preferredWallet ? (
                <code title={p.preferredWallet}>{shortAddress(p.preferredWallet)}</code>
              ) : (
                <span className="muted">Not linked</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Shipping address</dt>
            <dd>
              <AddressLines address={p.shippingAddress} />
            </dd>
          </div>
          <div>
            <dt>Billing address</dt>
            <dd>
              <AddressLines address={p.billingAddress} />
            </dd>
          </div>
        </dl>
      </>
    );
  }

  return (
    <div className="card">
      <div className="card__header">
        <h2 id="profile-heading">Your profile</h2>
        {!isPending && !isError && (
          <button
            type="button"
            className="button"
            onClick={onEdit}
            aria-expanded={editing}
            aria-controls={editing ? formId : undefined}
            disabled={editing}
          >
            {data.profile.createdAt === null ? 'Complete your profile' : 'Edit profile'}
          </button>
        )}
      </div>
      {body}
    </div>
  );
}
