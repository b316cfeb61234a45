import type { FulfillmentStatus } from '../api/types';
import { Badge, type BadgeTone } from './common';

/** Where the parcel is, in words (the same words as the order's timeline). */
export const fulfillmentLabels: Record<FulfillmentStatus, string> = {
  processing: 'Processing',
  shipped: 'Shipped',
  delivered: 'Delivered',
  returned: 'Returned',
};

const tones: Record<FulfillmentStatus, BadgeTone> = {
  processing: 'neutral',
  shipped: 'info',
  delivered: 'success',
  returned: 'warning',
};

/** FulfillmentStatusBadge shows an order's fulfilment status; nothing until the club reports one. */
export function FulfillmentStatusBadge({ status }: { status: FulfillmentStatus | null }) {
  if (!status) return null;
  return <Badge tone={tones[status] ?? 'neutral'}>{fulfillmentLabels[status] ?? status}</Badge>;
}
