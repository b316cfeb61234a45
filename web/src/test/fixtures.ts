// Payloads in the API's shapes (typed by the generated schema), for the fake API.
import type { NFT, OrderDetail, OrderStatus, Profile } from '../api/types';

export const WALLET = '0x52908400098527886E0F7030069857D2E4169EE7';
export const CONTRACT = '0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';

export function profileFixture(overrides: Partial<Profile> = {}): Profile {
  const home = {
    name: 'Demo Babe',
    line1: '1 Sparkle Street',
    line2: 'Apt 4',
    city: 'Los Angeles',
    state: 'CA',
    postalCode: '90001',
    country: 'US',
  };
  return {
    userId: '0d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e',
    email: 'demo@babesclub.example',
    displayName: 'Demo Babe',
    phone: '+1 (555) 010-2025',
    shippingAddress: { ...home },
    billingAddress: { ...home },
    preferredWallet: WALLET,
    avatarUrl: 'https://images.babesclub.example/avatars/demo.png',
    stripeCustomerId: 'cus_Demo123',
    dashboardSettings: { showOrderHistory: true, showNftHoldings: true, emailNotifications: false },
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-11-26T21:28:24.123Z',
    ...overrides,
  };
}

const statuses: OrderStatus[] = ['completed', 'pending', 'refunded', 'partially_refunded', 'expired', 'failed', 'canceled'];

/** orderFixture is the i-th order (1-based), newest first, with a distinct order number. */
export function orderFixture(i: number, overrides: Partial<OrderDetail> = {}): OrderDetail {
  const id = `cs_test_order${String(i).padStart(4, '0')}Ab`;
  const status = statuses[(i - 1) % statuses.length] ?? 'completed';
  const created = new Date(Date.UTC(2025, 10, 26) - i * 86_400_000).toISOString().replace('.000Z', 'Z');
  const unit = 1000 * i + 99;
  const paid = status === 'completed' || status === 'refunded' || status === 'partially_refunded';
  return {
    orderId: id,
    orderNumber: `BC-ORDER${String(i).padStart(3, '0')}`.slice(0, 11),
    status,
    amount: unit * 2 + 800,
    amountSubtotal: unit * 2,
    currency: 'usd',
    createdAt: created,
    completedAt: paid ? created : null,
    itemCount: 2,
    items: [
      {
        name: `Signature Hoops ${i}`,
        quantity: 2,
        unitPrice: unit,
        amountTotal: unit * 2,
        currency: 'usd',
        sku: `BC-HOOP-${i}`,
        stripePriceId: `price_${i}`,
      },
    ],
    customerEmail: 'demo@babesclub.example',
    shippingAddress: { name: 'Demo Babe', line1: '1 Sparkle Street', city: 'Los Angeles', state: 'CA', postalCode: '90001', country: 'US' },
    stripePaymentIntentId: paid ? `pi_${i}` : null,
    stripePaymentStatus: paid ? 'paid' : 'unpaid',
    customerPhone: null,
    discounts: [],
    amountRefunded: status === 'refunded' ? unit * 2 + 800 : status === 'partially_refunded' ? unit : 0,
    receiptUrl: paid ? `https://pay.stripe.com/receipts/test/${id}` : null,
    updatedAt: created,
    fulfillmentStatus: null,
    fulfillment: null,
    ...overrides,
  };
}

export function nftFixture(i: number, overrides: Partial<NFT> = {}): NFT {
  return {
    tokenId: String(i),
    contractAddress: CONTRACT,
    collectionId: i % 2 === 0 ? 'babes-club-charms' : 'babes-club-genesis',
    tokenName: `Babe #${String(i).padStart(4, '0')}`,
    thumbnailUrl: `https://images.babesclub.example/nft/${i}-thumb.png`,
    imageUrl: `https://images.babesclub.example/nft/${i}.png`,
    metadata: null,
    lastSyncedAt: '2025-11-26T20:00:00Z',
    wallet: WALLET,
    ...overrides,
  };
}
