import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Fulfillment, OrderDetail } from '../api/types';
import { orderFixture } from '../test/fixtures';
import { OrderTimeline } from './OrderTimeline';

const PLACED = '2025-11-20T09:00:00Z';
const PAID = '2025-11-20T09:01:00Z';
const PROCESSING = '2025-11-21T10:00:00Z';
const SHIPPED = '2025-11-22T15:30:00Z';
const DELIVERED = '2025-11-25T11:00:00Z';
const RETURNED = '2025-11-28T16:00:00Z';
const TRACKING_URL = 'https://www.ups.com/track?tracknum=1Z999AA10123456784';

/** fulfillment is the club's record up to status, with every step before it. */
function fulfillment(status: Fulfillment['status'], overrides: Partial<Fulfillment> = {}): Fulfillment {
  const all = [
    { status: 'processing' as const, at: PROCESSING },
    { status: 'shipped' as const, at: SHIPPED },
    { status: 'delivered' as const, at: DELIVERED },
    { status: 'returned' as const, at: RETURNED },
  ];
  const upTo = all.findIndex((s) => s.status === status);
  const shipped = upTo >= 1;
  return {
    status,
    carrier: shipped ? 'UPS' : null,
    trackingNumber: shipped ? '1Z999AA10123456784' : null,
    trackingUrl: shipped ? TRACKING_URL : null,
    events: all.slice(0, upTo + 1),
    ...overrides,
  };
}

function order(overrides: Partial<OrderDetail> = {}): OrderDetail {
  return orderFixture(1, { status: 'completed', createdAt: PLACED, completedAt: PAID, ...overrides });
}

function show(o: OrderDetail) {
  render(<OrderTimeline order={o} />);
  const list = screen.getByRole('list', { name: 'Order progress' });
  expect(list.tagName).toBe('OL');
  const steps = within(list).getAllByRole('listitem');
  const labels = steps.map((li) => li.querySelector('.timeline__label')?.textContent);
  const current = steps.filter((li) => li.getAttribute('aria-current') === 'step');
  expect(current, 'exactly one current step').toHaveLength(1);
  return { list, steps, labels, current: current[0]! };
}

/** timeOf is the machine-readable date a step shows, if any. */
const timeOf = (li: HTMLElement) => li.querySelector('time')?.getAttribute('datetime') ?? null;

describe('OrderTimeline', () => {
  it('a paid order the club has not reported on: placed and paid, with their dates, and nothing promised', () => {
    const { steps, labels, current } = show(order());
    expect(labels).toEqual(['Order placed', 'Paid']);
    expect(steps.map(timeOf)).toEqual([PLACED, PAID]);
    expect(current).toBe(steps[1]);
    expect(screen.queryByText('Not yet')).not.toBeInTheDocument();
  });

  it('processing: the steps to come say "Not yet"', () => {
    const { steps, labels, current } = show(order({ fulfillmentStatus: 'processing', fulfillment: fulfillment('processing') }));
    expect(labels).toEqual(['Order placed', 'Paid', 'Processing', 'Shipped', 'Delivered']);
    expect(current).toBe(steps[2]);
    expect(timeOf(steps[2]!)).toBe(PROCESSING);
    for (const upcoming of steps.slice(3)) {
      expect(upcoming).toHaveTextContent('Not yet');
      expect(timeOf(upcoming)).toBeNull();
      expect(upcoming).not.toHaveAttribute('aria-current');
    }
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('shipped: the carrier and a tracking link that opens safely in a new tab, named by the tracking number', () => {
    const { steps, labels, current } = show(order({ fulfillmentStatus: 'shipped', fulfillment: fulfillment('shipped', { events: [
      { status: 'processing', at: PROCESSING },
      { status: 'shipped', at: SHIPPED, note: 'Left our studio in Los Angeles.' },
    ] }) }));
    expect(labels).toEqual(['Order placed', 'Paid', 'Processing', 'Shipped', 'Delivered']);
    const shipped = steps[3]!;
    expect(current).toBe(shipped);
    expect(timeOf(shipped)).toBe(SHIPPED);
    expect(shipped).toHaveTextContent('Carrier: UPS');
    expect(shipped).toHaveTextContent('Left our studio in Los Angeles.');
    const link = within(shipped).getByRole('link', { name: 'Track parcel 1Z999AA10123456784 (opens in a new tab)' });
    expect(link).toHaveAttribute('href', TRACKING_URL);
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(steps[4]).toHaveTextContent('Not yet');
  });

  it('delivered: the latest step, nothing to come, the tracking link still with the shipped step', () => {
    const { steps, labels, current } = show(order({ fulfillmentStatus: 'delivered', fulfillment: fulfillment('delivered') }));
    expect(labels).toEqual(['Order placed', 'Paid', 'Processing', 'Shipped', 'Delivered']);
    expect(steps.map(timeOf)).toEqual([PLACED, PAID, PROCESSING, SHIPPED, DELIVERED]);
    expect(current).toBe(steps[4]);
    expect(screen.queryByText('Not yet')).not.toBeInTheDocument();
    expect(within(steps[3]!).getByRole('link', { name: /^Track parcel 1Z999AA10123456784/ })).toBeInTheDocument();
    expect(within(steps[4]!).queryByRole('link')).not.toBeInTheDocument();
  });

  it('returned: the last step', () => {
    const { steps, labels, current } = show(order({ fulfillmentStatus: 'returned', fulfillment: fulfillment('returned') }));
    expect(labels).toEqual(['Order placed', 'Paid', 'Processing', 'Shipped', 'Delivered', 'Returned']);
    expect(current).toBe(steps[5]);
    expect(timeOf(steps[5]!)).toBe(RETURNED);
  });

  it('a parcel the club marked shipped without a processing step shows what it reported, and the step to come', () => {
    const { labels, steps, current } = show(
      order({ fulfillmentStatus: 'shipped', fulfillment: fulfillment('shipped', { events: [{ status: 'shipped', at: SHIPPED }] }) }),
    );
    expect(labels).toEqual(['Order placed', 'Paid', 'Shipped', 'Delivered']);
    expect(current).toBe(steps[2]);
  });

  it('refunded: the amount, after the parcel steps, as the current step', () => {
    const { steps, labels, current } = show(
      order({ status: 'refunded', amount: 4698, amountRefunded: 4698, fulfillmentStatus: 'returned', fulfillment: fulfillment('returned') }),
    );
    expect(labels).toEqual(['Order placed', 'Paid', 'Processing', 'Shipped', 'Delivered', 'Returned', 'Refunded']);
    expect(current).toBe(steps[6]);
    expect(steps[6]).toHaveTextContent('$46.98 refunded to your payment method');
  });

  it('partially refunded: its amount, and no steps promised for a parcel the club is still sending', () => {
    const { steps, labels, current } = show(
      order({ status: 'partially_refunded', amountRefunded: 1099, fulfillmentStatus: 'processing', fulfillment: fulfillment('processing') }),
    );
    expect(labels).toEqual(['Order placed', 'Paid', 'Processing', 'Partially refunded']);
    expect(current).toBe(steps[3]);
    expect(steps[3]).toHaveTextContent('$10.99 refunded to your payment method');
  });

  it.each([
    ['pending', 'Waiting for payment'],
    ['failed', 'Payment failed'],
    ['expired', 'Checkout expired'],
    ['canceled', 'Canceled'],
  ] as const)('an unpaid %s order says where it stopped', (status, label) => {
    const { steps, labels, current } = show(order({ status, completedAt: null }));
    expect(labels).toEqual(['Order placed', label]);
    expect(current).toBe(steps[1]);
    expect(timeOf(steps[1]!)).toBeNull();
  });

  it('a tracking URL that is not https is not linked; the number is shown as text', () => {
    const { steps } = show(
      order({ fulfillmentStatus: 'shipped', fulfillment: fulfillment('shipped', { trackingUrl: 'javascript:alert(1)' }) }),
    );
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(steps[3]).toHaveTextContent('Tracking number: 1Z999AA10123456784');
  });

  it('a tracking link without a number is still named', () => {
    show(order({ fulfillmentStatus: 'shipped', fulfillment: fulfillment('shipped', { trackingNumber: null }) }));
    expect(screen.getByRole('link', { name: 'Track parcel (opens in a new tab)' })).toHaveAttribute('href', TRACKING_URL);
  });
});
