import { useId, useRef } from 'react';
import { createPortal } from 'react-dom';
import { isApiError } from '../api/errors';
import { useOrder } from '../api/queries';
import type { Address, OrderDetail } from '../api/types';
import { formatMoney } from '../lib/format';
import { useModal } from '../lib/useModal';
import { EmptyState, ErrorNotice, Skeleton } from './common';
import { FulfillmentStatusBadge } from './FulfillmentStatusBadge';
import { OrderStatusBadge } from './OrderStatusBadge';
import { OrderTimeline } from './OrderTimeline';

interface Props {
  orderId: string;
  /** Shown in the title while the detail loads. */
  orderNumber: string;
  onClose: () => void;
}

function AddressBlock({ address }: { address: Address }) {
  const lines = [
    address.name,
    address.line1,
    address.line2,
    [address.city, address.state, address.postalCode].filter(Boolean).join(', '),
    address.country,
  ].filter(Boolean);
  return (
    <address className="address">
      {lines.map((l, i) => (
        <span key={i}>{l}</span>
      ))}
    </address>
  );
}

function Detail({ order }: { order: OrderDetail }) {
  const money = (n: number) => formatMoney(n, order.currency);
  const discount = order.discounts.reduce((sum, d) => sum + d.amount, 0);
  return (
    <>
      {order.stale && (
        <p className="notice notice--warning" role="status">
          We couldn't reach our payment provider, so this is the last saved copy of your order. It may be out of date.
        </p>
      )}
      <dl className="details details--inline">
        <div>
          <dt>Status</dt>
          <dd className="badges">
            <OrderStatusBadge status={order.status} />{' '}
            <FulfillmentStatusBadge status={order.fulfillmentStatus} />
          </dd>
        </div>
      </dl>

      <OrderTimeline order={order} />

      <h3>Items</h3>
      {order.items.length === 0 ? (
        <EmptyState title="No items are listed for this order." />
      ) : (
        <table className="items">
          <caption className="visually-hidden">Items in this order</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Qty
              </th>
              <th scope="col" className="num">
                Price
              </th>
              <th scope="col" className="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item, i) => (
              <tr key={`${item.stripePriceId ?? item.sku ?? item.name}-${i}`}>
                <th scope="row">
                  {item.name}
                  {item.sku && <span className="muted small block">SKU {item.sku}</span>}
                </th>
                <td className="num">{item.quantity}</td>
                <td className="num">{formatMoney(item.unitPrice, item.currency)}</td>
                <td className="num">{formatMoney(item.amountTotal, item.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <dl className="totals">
        <div>
          <dt>Subtotal</dt>
          <dd>{money(order.amountSubtotal)}</dd>
        </div>
        {order.discounts.map((d, i) => (
          <div key={i}>
            <dt>Discount{d.code ? ` (${d.code})` : d.name ? ` (${d.name})` : ''}</dt>
            <dd>−{money(d.amount)}</dd>
          </div>
        ))}
        {order.amount - order.amountSubtotal + discount > 0 && (
          <div>
            <dt>Shipping and taxes</dt>
            <dd>{money(order.amount - order.amountSubtotal + discount)}</dd>
          </div>
        )}
        <div className="totals__total">
          <dt>Total</dt>
          <dd>{money(order.amount)}</dd>
        </div>
        {order.amountRefunded > 0 && (
          <div>
            <dt>Refunded</dt>
            <dd>−{money(order.amountRefunded)}</dd>
          </div>
        )}
      </dl>

      {order.shippingAddress && (
        <>
          <h3>Shipping to</h3>
          <AddressBlock address={order.shippingAddress} />
        </>
      )}

      <h3>Receipt</h3>
      {order.receiptUrl ? (
        <p>
          <a href={order.receiptUrl} target="_blank" rel="noopener noreferrer">
            View receipt<span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        </p>
      ) : (
        <p className="muted">No receipt is available for this order{order.status === 'pending' ? ' yet' : ''}.</p>
      )}
    </>
  );
}

/**
 * OrderDetailDrawer is a modal side panel with GET /dashboard/orders/{orderId}:
 * the order's progress (placed, paid, the parcel's steps with its tracking
 * link, a refund), items, totals, the receipt link and a notice when the copy
 * is stale.
 * Focus stays inside while it is open; Escape or the close button closes it
 * and focus returns to the order that opened it.
 */
export function OrderDetailDrawer({ orderId, orderNumber, onClose }: Props) {
  const { data, error, isPending, isError, refetch } = useOrder(orderId);
  const titleId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  useModal(dialogRef, onClose, closeRef);

  let body;
  if (isPending) {
    body = <Skeleton label="Loading order details…" lines={6} />;
  } else if (isError) {
    body =
      isApiError(error) && error.status === 404 ? (
        <ErrorNotice title="We couldn't find this order." error={error} />
      ) : (
        <ErrorNotice title="We couldn't load this order." error={error} onRetry={() => void refetch()} />
      );
  } else {
    body = <Detail order={data.order} />;
  }

  return createPortal(
    <div className="drawer-root">
      <div className="drawer__backdrop" aria-hidden="true" onClick={onClose} />
      <div ref={dialogRef} className="drawer" role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1}>
        <div className="drawer__header">
          <h2 id={titleId}>Order {data?.order.orderNumber ?? orderNumber}</h2>
          <button ref={closeRef} type="button" className="button button--icon" aria-label="Close order details" onClick={onClose}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <div className="drawer__body">{body}</div>
      </div>
    </div>,
    document.body,
  );
}
