import { useState } from 'react';
import { isApiError } from '../api/errors';
import { ORDERS_PAGE_SIZE, useOrders } from '../api/queries';
import type { Order } from '../api/types';
import { formatDate, formatMoney, formatRelative } from '../lib/format';
import { EmptyState, ErrorNotice, RefreshingNote, Skeleton } from './common';
import { OrderDetailDrawer } from './OrderDetailDrawer';
import { FulfillmentStatusBadge } from './FulfillmentStatusBadge';
import { OrderStatusBadge } from './OrderStatusBadge';

/**
 * OrderHistoryTable pages through GET /dashboard/orders with the API's
 * cursors: Next sends the page's nextCursor, Previous goes back along the
 * stack of cursors already used. A row's order number opens the detail drawer.
 */
export function OrderHistoryTable({ pageSize = ORDERS_PAGE_SIZE }: { pageSize?: number }) {
  // cursors[i] is the cursor of page i+1; the first page has none.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = cursors.length;
  const { data, error, isPending, isError, isPlaceholderData, isFetching, refetch } = useOrders(cursor, pageSize);
  const [open, setOpen] = useState<Order | null>(null);

  const go = (next: (string | null)[]) => setCursors(next);

  let body;
  if (isPending) {
    body = <Skeleton label="Loading your orders…" lines={5} />;
  } else if (isError) {
    const badCursor = isApiError(error) && error.code === 'invalid_cursor';
    body = badCursor ? (
      <ErrorNotice title="This page of orders is no longer available." error={error} onRetry={() => go([null])} />
    ) : (
      <ErrorNotice title="We couldn't load your orders." error={error} onRetry={() => void refetch()} />
    );
  } else if (!data.hasOrders) {
    body = (
      <EmptyState title="No orders yet.">
        <p>When you shop at The Babes Club, your orders and receipts show up here.</p>
        {data.message && <p className="muted">{data.message}</p>}
      </EmptyState>
    );
  } else {
    body = (
      <>
        {data.orders.length === 0 ? (
          <EmptyState title="No more orders.">
            <p>You have reached the end of your order history.</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="orders" aria-busy={isPlaceholderData && isFetching}>
              <caption className="visually-hidden">Your orders, newest first, page {page}</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Date</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Items
                  </th>
                  <th scope="col" className="num">
                    Total
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.orders.map((o) => (
                  <tr key={o.orderId}>
                    <th scope="row" data-label="Order">
                      <button type="button" className="link-button" aria-haspopup="dialog" onClick={() => setOpen(o)}>
                        {o.orderNumber}
                      </button>
                    </th>
                    <td data-label="Date">
                      <time dateTime={o.createdAt}>{formatDate(o.createdAt)}</time>
                    </td>
                    <td data-label="Status">
                      <span className="badges">
                        <OrderStatusBadge status={o.status} />{' '}
                        <FulfillmentStatusBadge status={o.fulfillmentStatus} />
                      </span>
                    </td>
                    <td data-label="Items" className="num">
                      {o.itemCount}
                    </td>
                    <td data-label="Total" className="num">
                      {formatMoney(o.amount, o.currency)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Order pages">
          {/* aria-disabled keeps the buttons focusable, so focus is not lost at either end. */}
          <button
            type="button"
            className="button"
            aria-disabled={page === 1}
            onClick={() => page > 1 && go(cursors.slice(0, -1))}
          >
            Previous
          </button>
          <span className="pager__page" aria-live="polite">
            Page {page}
            {isPlaceholderData && isFetching ? ' (loading…)' : ''}
          </span>
          <button
            type="button"
            className="button"
            aria-disabled={!data.nextCursor || isPlaceholderData}
            onClick={() => data.nextCursor && !isPlaceholderData && go([...cursors, data.nextCursor])}
          >
            Next
          </button>
        </nav>
      </>
    );
  }

  return (
    <div className="card">
      <div className="card__header">
        <h2 id="orders-heading">
          Order history
        </h2>
        {data && (
          <p className="muted small">
            {data.syncedAt ? (
              <>
                Last updated <time dateTime={data.syncedAt} title={data.syncedAt}>{formatRelative(data.syncedAt)}</time>
              </>
            ) : (
              'Not synced with our store yet'
            )}
          </p>
        )}
      </div>
      {data?.refreshing && <RefreshingNote>Refreshing your orders from our store… new orders appear shortly.</RefreshingNote>}
      {data?.message && data.hasOrders && <p className="muted">{data.message}</p>}
      {body}
      {open && <OrderDetailDrawer orderId={open.orderId} orderNumber={open.orderNumber} onClose={() => setOpen(null)} />}
    </div>
  );
}
