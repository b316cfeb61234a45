import { useId, type ReactNode } from 'react';
import type { FulfillmentStatus, OrderDetail } from '../api/types';
import { formatDateTime, formatMoney } from '../lib/format';
import { fulfillmentLabels } from './FulfillmentStatusBadge';

interface Step {
  key: string;
  label: string;
  /** When it happened; null for a step with no known date. */
  at: string | null;
  /** Upcoming steps are the ones still to come for a parcel on its way. */
  upcoming?: boolean;
  note?: string | undefined;
  details?: ReactNode;
  /** The marker's symbol (decoration only: the label says it in words); a tick by default. */
  marker?: string;
}

/** Where an unpaid order stopped, when it has no payment time, and its marker. */
const unpaidSteps: Partial<Record<OrderDetail['status'], { label: string; marker: string }>> = {
  pending: { label: 'Waiting for payment', marker: '…' },
  failed: { label: 'Payment failed', marker: '✕' },
  expired: { label: 'Checkout expired', marker: '✕' },
  canceled: { label: 'Canceled', marker: '✕' },
};

/** The steps a parcel goes through on its way; "returned" only ever follows, it is never expected. */
const forward: FulfillmentStatus[] = ['processing', 'shipped', 'delivered'];

/** isHttps says whether url is an https URL, the only kind of tracking link shown (CONTRACT §11). */
function isHttps(url: string | null): url is string {
  if (!url) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

function Tracking({ order }: { order: OrderDetail }) {
  const f = order.fulfillment;
  if (!f) return null;
  const { carrier, trackingNumber, trackingUrl } = f;
  return (
    <>
      {carrier && <p className="timeline__detail">Carrier: {carrier}</p>}
      {isHttps(trackingUrl) ? (
        <p className="timeline__detail">
          <a href={trackingUrl} target="_blank" rel="noopener noreferrer">
            {trackingNumber ? `Track parcel ${trackingNumber}` : 'Track parcel'}{' '}
            <span className="visually-hidden">(opens in a new tab)</span>
          </a>
        </p>
      ) : (
        trackingNumber && (
          <p className="timeline__detail">
            Tracking number: <span className="timeline__tracking">{trackingNumber}</span>
          </p>
        )
      )}
    </>
  );
}

/**
 * timelineSteps lists what happened to an order, oldest first: placed, paid (or where an unpaid order
 * stopped), each fulfilment step the club reported (the carrier and tracking link with the shipped step), a
 * refund; then, while a parcel the club is tracking is on its way, the steps still to come. An order the club
 * never reported on shows no upcoming steps: it may well have arrived before tracking existed.
 */
export function timelineSteps(order: OrderDetail): Step[] {
  const steps: Step[] = [{ key: 'placed', label: 'Order placed', at: order.createdAt }];
  if (order.completedAt) {
    steps.push({ key: 'paid', label: 'Paid', at: order.completedAt });
  } else {
    const unpaid = unpaidSteps[order.status];
    if (unpaid) steps.push({ key: 'unpaid', label: unpaid.label, marker: unpaid.marker, at: null });
  }

  const f = order.fulfillment;
  const events = f?.events ?? [];
  // The carrier and tracking go with the shipped step, or with the latest step when none says shipped.
  const lastShipped = events.map((e) => e.status).lastIndexOf('shipped');
  const trackingAt = lastShipped >= 0 ? lastShipped : events.length - 1;
  events.forEach((e, i) => {
    steps.push({
      key: `fulfillment-${e.status}-${i}`,
      label: fulfillmentLabels[e.status] ?? e.status,
      at: e.at,
      note: e.note,
      details: i === trackingAt ? <Tracking order={order} /> : undefined,
    });
  });

  if (order.status === 'refunded' || order.status === 'partially_refunded') {
    const amount = formatMoney(order.amountRefunded, order.currency);
    steps.push({
      key: 'refunded',
      label: order.status === 'refunded' ? 'Refunded' : 'Partially refunded',
      at: null,
      details: <p className="timeline__detail">{amount} refunded to your payment method</p>,
    });
  } else if (f && order.status === 'completed') {
    const reached = forward.indexOf(f.status);
    if (f.status !== 'returned' && f.status !== 'delivered') {
      for (const status of forward.slice(reached + 1)) {
        steps.push({ key: `upcoming-${status}`, label: fulfillmentLabels[status], at: null, upcoming: true });
      }
    }
  }
  return steps;
}

/**
 * OrderTimeline shows an order's progress as an ordered list a member reads at a glance, on a phone too: each
 * step in words with its date (never colour alone), the latest one marked aria-current="step", and the steps
 * still to come saying "Not yet".
 */
export function OrderTimeline({ order }: { order: OrderDetail }) {
  const titleId = useId();
  const steps = timelineSteps(order);
  const current = steps.reduce((last, s, i) => (s.upcoming ? last : i), 0);
  return (
    <>
      <h3 id={titleId}>Order progress</h3>
      <ol className="timeline" aria-labelledby={titleId}>
        {steps.map((s, i) => {
          const state = s.upcoming ? 'upcoming' : i === current ? 'current' : 'done';
          return (
            <li key={s.key} className={`timeline__step timeline__step--${state}`} aria-current={i === current ? 'step' : undefined}>
              <span className="timeline__marker" aria-hidden="true">
                {state === 'upcoming' ? '' : (s.marker ?? '✓')}
              </span>
              <div className="timeline__content">
                <p className="timeline__label">{s.label}</p>
                {s.upcoming ? (
                  <p className="timeline__meta">Not yet</p>
                ) : (
                  s.at && (
                    <p className="timeline__meta">
                      <time dateTime={s.at}>{formatDateTime(s.at)}</time>
                    </p>
                  )
                )}
                {s.note && <p className="timeline__detail">{s.note}</p>}
                {s.details}
              </div>
            </li>
          );
        })}
      </ol>
    </>
  );
}
