// Names for the API payloads, all taken from the types generated from
// api/openapi.yaml (schema.d.ts): nothing here is written twice.
import type { components, operations } from './schema';

type Schemas = components['schemas'];

export type ErrorBody = Schemas['Error'];
export type Address = Schemas['Address'];
export type AddressInput = Schemas['AddressInput'];
export type DashboardSettings = Schemas['DashboardSettings'];
export type Profile = Schemas['Profile'];
export type ProfileUpdate = Schemas['ProfileUpdate'];
export type ProfileResponse = Schemas['ProfileResponse'];
export type ProfileUpdateResponse = Schemas['ProfileUpdateResponse'];
export type EmailVerifyRequest = Schemas['EmailVerifyRequest'];
export type OrderStatus = Schemas['OrderStatus'];
export type LineItem = Schemas['LineItem'];
export type Discount = Schemas['Discount'];
export type Order = Schemas['Order'];
export type OrderDetail = Schemas['OrderDetail'];
export type OrderResponse = Schemas['OrderResponse'];
export type OrderList = Schemas['OrderList'];
export type NFT = Schemas['NFT'];
export type NFTList = Schemas['NFTList'];
export type WalletChallenge = Schemas['WalletChallenge'];
export type WalletChallengeRequest = Schemas['WalletChallengeRequest'];
export type WalletList = Schemas['WalletList'];
export type WalletResponse = Schemas['WalletResponse'];
export type WalletVerifyRequest = Schemas['WalletVerifyRequest'];
export type WalletVerifyResponse = Schemas['WalletVerifyResponse'];
export type CheckoutEmail = Schemas['CheckoutEmail'];
export type CheckoutEmailList = Schemas['CheckoutEmailList'];
export type CheckoutEmailRequest = Schemas['CheckoutEmailRequest'];
export type CheckoutEmailPending = Schemas['CheckoutEmailPending'];
export type CheckoutEmailVerifyRequest = Schemas['CheckoutEmailVerifyRequest'];
export type CheckoutEmailVerified = Schemas['CheckoutEmailVerified'];
export type FulfillmentStatus = Schemas['FulfillmentStatus'];
export type FulfillmentStep = Schemas['FulfillmentStep'];
export type Fulfillment = Schemas['Fulfillment'];
export type Wallet = Schemas['Wallet'];
export type Export = Schemas['Export'];

export type ListOrdersQuery = NonNullable<operations['listOrders']['parameters']['query']>;
export type ListNFTsQuery = NonNullable<operations['listNFTs']['parameters']['query']>;
