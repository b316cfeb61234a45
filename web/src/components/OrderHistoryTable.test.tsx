import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi, never } from '../test/fakeApi';
import { orderFixture } from '../test/fixtures';
import { renderDashboard, signIn } from '../test/render';
import { OrderHistoryTable } from './OrderHistoryTable';

function rows() {
  const table = screen.getByRole('table');
  return within(table).getAllByRole('row').slice(1);
}

describe('OrderHistoryTable', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
  });

  it('shows a loading skeleton', () => {
    api.on('GET /dashboard/orders', never);
    renderDashboard(<OrderHistoryTable />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading your orders…');
  });

  it('shows orders with status badges and totals formatted in their currency', async () => {
    api.orders = [
      orderFixture(1, { amount: 12345, currency: 'usd', status: 'completed' }),
      orderFixture(2, { amount: 5000, currency: 'eur', status: 'partially_refunded' }),
      orderFixture(3, { amount: 1500, currency: 'jpy', status: 'pending' }),
    ];
    renderDashboard(<OrderHistoryTable />);
    await screen.findByRole('table');
    const [first, second, third] = rows();
    expect(within(first!).getByRole('button', { name: 'BC-ORDER001' })).toBeInTheDocument();
    expect(first).toHaveTextContent('Completed');
    expect(first).toHaveTextContent('$123.45');
    expect(second).toHaveTextContent('Partially refunded');
    expect(second).toHaveTextContent('€50.00');
    // Zero-decimal currencies are not divided by 100.
    expect(third).toHaveTextContent('¥1,500');
    expect(third).toHaveTextContent('Payment pending');
    expect(screen.getByText(/Last updated/)).toBeInTheDocument();
    expect(screen.queryByText(/Refreshing your orders/)).not.toBeInTheDocument();
  });

  it("shows where a parcel is next to the order's status, once the club reports it", async () => {
    api.orders = [
      orderFixture(1, { status: 'completed', fulfillmentStatus: 'shipped' }),
      orderFixture(2, { status: 'completed', fulfillmentStatus: null }),
      orderFixture(3, { status: 'refunded', fulfillmentStatus: 'returned' }),
    ];
    renderDashboard(<OrderHistoryTable />);
    await screen.findByRole('table');
    const [shipped, untracked, returned] = rows();
    const status = (r: HTMLElement) => r.querySelector('[data-label="Status"]');
    expect(status(shipped!)).toHaveTextContent(/^Completed Shipped$/);
    expect(status(untracked!)).toHaveTextContent(/^Completed$/);
    expect(status(returned!)).toHaveTextContent(/^Refunded Returned$/);
    expect(api.calls('GET /dashboard/orders')).toHaveLength(1);
  });

  it('pages with the cursor the API returned, and Previous goes back', async () => {
    const { user } = renderDashboard(<OrderHistoryTable pageSize={10} />);
    await screen.findByRole('table');
    expect(rows()).toHaveLength(10);
    expect(rows()[0]).toHaveTextContent('BC-ORDER001');
    const previous = screen.getByRole('button', { name: 'Previous' });
    const next = screen.getByRole('button', { name: 'Next' });
    expect(previous).toHaveAttribute('aria-disabled', 'true');
    const first = api.calls('GET /dashboard/orders')[0]!;
    expect(first.query.get('limit')).toBe('10');
    expect(first.query.has('cursor')).toBe(false);

    await user.click(next);
    await waitFor(() => expect(rows()[0]).toHaveTextContent('BC-ORDER011'));
    expect(api.calls('GET /dashboard/orders').at(-1)!.query.get('cursor')).toBe('cur-10');
    expect(screen.getByText('Page 2')).toBeInTheDocument();

    await user.click(next);
    await waitFor(() => expect(rows()[0]).toHaveTextContent('BC-ORDER021'));
    expect(api.calls('GET /dashboard/orders').at(-1)!.query.get('cursor')).toBe('cur-20');
    expect(rows()).toHaveLength(5);
    expect(next).toHaveAttribute('aria-disabled', 'true');
    const before = api.calls('GET /dashboard/orders').length;
    await user.click(next);
    expect(api.calls('GET /dashboard/orders')).toHaveLength(before);

    await user.click(previous);
    await waitFor(() => expect(rows()[0]).toHaveTextContent('BC-ORDER011'));
    await user.click(previous);
    await waitFor(() => expect(rows()[0]).toHaveTextContent('BC-ORDER001'));
    expect(screen.getByText('Page 1')).toBeInTheDocument();
    expect(previous).toHaveAttribute('aria-disabled', 'true');
  });

  it('says so when the API is refreshing the orders', async () => {
    api.ordersRefreshing = true;
    api.ordersSyncedAt = null;
    renderDashboard(<OrderHistoryTable />);
    expect(await screen.findByText(/Refreshing your orders from our store/)).toBeInTheDocument();
    expect(screen.getByText('Not synced with our store yet')).toBeInTheDocument();
  });

  it('has an empty state for a member without orders', async () => {
    api.orders = [];
    renderDashboard(<OrderHistoryTable />);
    expect(await screen.findByText('No orders yet.')).toBeInTheDocument();
    expect(screen.getByText(/your orders and receipts show up here/)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows an error with a retry', async () => {
    api.on('GET /dashboard/orders', () => apiError(500, 'internal', 'Internal error.'));
    const { user } = renderDashboard(<OrderHistoryTable />);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("We couldn't load your orders.");
    expect(alert).toHaveTextContent('Reference: req-test');
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table')).toBeInTheDocument();
  });

  it('goes back to the first page when a cursor is refused', async () => {
    const { user } = renderDashboard(<OrderHistoryTable pageSize={10} />);
    await screen.findByRole('table');
    api.on('GET /dashboard/orders', () => apiError(400, 'invalid_cursor', 'The cursor is not valid.'));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This page of orders is no longer available.');
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(rows()[0]).toHaveTextContent('BC-ORDER001'));
  });
});
