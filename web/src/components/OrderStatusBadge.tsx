import type { OrderStatus } from '../api/types';
import { Badge, type BadgeTone } from './common';

const statuses: Record<OrderStatus, { label: string; tone: BadgeTone }> = {
  completed: { label: 'Completed', tone: 'success' },
  pending: { label: 'Payment pending', tone: 'warning' },
  failed: { label: 'Payment failed', tone: 'danger' },
  expired: { label: 'Expired', tone: 'neutral' },
  canceled: { label: 'Canceled', tone: 'neutral' },
  refunded: { label: 'Refunded', tone: 'info' },
  partially_refunded: { label: 'Partially refunded', tone: 'info' },
};

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const s = statuses[status] ?? { label: status, tone: 'neutral' as const };
  return <Badge tone={s.tone}>{s.label}</Badge>;
}
