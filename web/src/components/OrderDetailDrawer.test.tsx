import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi, never } from '../test/fakeApi';
import { orderFixture } from '../test/fixtures';
import { renderDashboard, signIn } from '../test/render';
import { OrderHistoryTable } from './OrderHistoryTable';

describe('OrderDetailDrawer', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.orders = [
      orderFixture(1, {
        discounts: [{ code: 'BABES10', amount: 500 }],
        amount: 4398 - 500 + 800,
      }),
      orderFixture(2, { status: 'pending', receiptUrl: null, stale: true }),
    ];
    signIn();
  });

  async function open(orderNumber: string) {
    const r = renderDashboard(<OrderHistoryTable />);
    const button = await screen.findByRole('button', { name: orderNumber });
    await r.user.click(button);
    const dialog = screen.getByRole('dialog', { name: `Order ${orderNumber}` });
    return { ...r, button, dialog };
  }

  it('opens with the order from /dashboard/orders/{orderId}: items, totals and receipt', async () => {
    const { dialog } = await open('BC-ORDER001');
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    const items = await within(dialog).findByRole('table', { name: 'Items in this order' });
    const [, line] = within(items).getAllByRole('row');
    expect(line).toHaveTextContent('Signature Hoops 1');
    expect(line).toHaveTextContent('SKU BC-HOOP-1');
    expect(within(line!).getByRole('cell', { name: '2' })).toBeInTheDocument();
    expect(line).toHaveTextContent('$10.99');
    expect(line).toHaveTextContent('$21.98');
    expect(dialog).toHaveTextContent('Discount (BABES10)−$5.00');
    expect(dialog).toHaveTextContent('Total$46.98');
    const receipt = within(dialog).getByRole('link', { name: /View receipt/ });
    expect(receipt).toHaveAttribute('href', 'https://pay.stripe.com/receipts/test/cs_test_order0001Ab');
    expect(receipt).toHaveAttribute('target', '_blank');
    expect(receipt).toHaveAttribute('rel', 'noopener noreferrer');
    expect(api.calls('GET /dashboard/orders/cs_test_order0001Ab')).toHaveLength(1);
    expect(within(dialog).queryByText(/last saved copy/)).not.toBeInTheDocument();
  });

  it('moves focus inside, keeps it there, closes on Escape and returns focus', async () => {
    const { dialog, button, user } = await open('BC-ORDER001');
    const close = within(dialog).getByRole('button', { name: 'Close order details' });
    expect(close).toHaveFocus();
    await within(dialog).findByRole('link', { name: /View receipt/ });
    // Tab cycles between the close button and the receipt link, never leaving the dialog.
    await user.tab();
    expect(within(dialog).getByRole('link', { name: /View receipt/ })).toHaveFocus();
    await user.tab();
    expect(close).toHaveFocus();
    await user.tab({ shift: true });
    expect(within(dialog).getByRole('link', { name: /View receipt/ })).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(button).toHaveFocus();
  });

  it('closes with the close button and returns focus to the order', async () => {
    const { dialog, button, user } = await open('BC-ORDER001');
    await user.click(within(dialog).getByRole('button', { name: 'Close order details' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() => expect(button).toHaveFocus());
  });

  it('shows a stale notice and no receipt for a stale pending order', async () => {
    const { dialog } = await open('BC-ORDER002');
    expect(await within(dialog).findByText(/this is the last saved copy of your order/)).toBeInTheDocument();
    expect(within(dialog).getByText('No receipt is available for this order yet.')).toBeInTheDocument();
    expect(within(dialog).getByText('Payment pending')).toBeInTheDocument();
  });

  it('shows a loading skeleton while the order loads', async () => {
    api.on('GET /dashboard/orders/cs_test_order0001Ab', never);
    const { dialog } = await open('BC-ORDER001');
    expect(within(dialog).getByRole('status')).toHaveTextContent('Loading order details…');
    // The title is known from the list before the detail arrives.
    expect(within(dialog).getByRole('heading', { name: 'Order BC-ORDER001' })).toBeInTheDocument();
  });

  it('offers a retry when Stripe is unavailable', async () => {
    api.on('GET /dashboard/orders/cs_test_order0001Ab', async () =>
      apiError(503, 'upstream_unavailable', 'Stripe is unavailable.'),
    );
    const { dialog, user } = await open('BC-ORDER001');
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent("We couldn't load this order.");
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await within(dialog).findByRole('table', { name: 'Items in this order' })).toBeInTheDocument();
  });

  it("shows the order's progress with the parcel's carrier and tracking link, readable without colour", async () => {
    api.orders[0] = orderFixture(1, {
      fulfillmentStatus: 'shipped',
      fulfillment: {
        status: 'shipped',
        carrier: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
        events: [
          { status: 'processing', at: '2025-11-25T10:00:00Z' },
          { status: 'shipped', at: '2025-11-26T15:30:00Z' },
        ],
      },
    });
    const { dialog } = await open('BC-ORDER001');
    const progress = await within(dialog).findByRole('list', { name: 'Order progress' });
    const steps = within(progress).getAllByRole('listitem');
    expect(steps.map((s) => s.querySelector('.timeline__label')?.textContent)).toEqual([
      'Order placed',
      'Paid',
      'Processing',
      'Shipped',
      'Delivered',
    ]);
    expect(steps[3]).toHaveAttribute('aria-current', 'step');
    expect(steps[4]).toHaveTextContent('Not yet');
    const link = within(steps[3]!).getByRole('link', { name: /^Track parcel 1Z999AA10123456784/ });
    expect(link).toHaveAttribute('href', 'https://www.ups.com/track?tracknum=1Z999AA10123456784');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(steps[3]).toHaveTextContent('Carrier: UPS');
    // The status line names both the payment and the parcel.
    expect(within(dialog).getByText('Status').nextElementSibling).toHaveTextContent('Completed Shipped');
  });

  it('says when the order cannot be found', async () => {
    api.on('GET /dashboard/orders/cs_test_order0001Ab', async () => apiError(404, 'not_found', 'No such order.'));
    const { dialog } = await open('BC-ORDER001');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent("We couldn't find this order.");
  });
});
