// The data layer: one query key per resource and one hook per API operation.
// Components use these hooks; only this file talks to the API client.
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import { useApi } from './ApiContext';
import type {
  CheckoutEmailListPayload,
  CheckoutEmailPendingPayload,
  CheckoutEmailVerifiedPayload,
  EmailVerifyPayload,
  NFTListPayload,
  OrderListPayload,
  ProfilePayload,
  ProfileUpdatePayload,
  WalletListPayload,
} from './client';
import { ApiError } from './errors';
import { applyUpdate } from './optimistic';
import type { ProfileUpdate, Wallet } from './types';
import { exportFilename, saveBlob } from '../lib/download';
import { holds, requestAccounts, signMessage, WalletError } from '../lib/ethereum';

export const ORDERS_PAGE_SIZE = 10;
export const NFTS_PAGE_SIZE = 24;
/** How often a list that the API says is refreshing is read again. */
export const REFRESH_POLL_MS = 20_000;

export const queryKeys = {
  profile: ['profile'] as const,
  orders: ['orders'] as const,
  ordersPage: (cursor: string | null, limit: number) => ['orders', { cursor, limit }] as const,
  order: (orderId: string) => ['order', orderId] as const,
  nfts: ['nfts'] as const,
  nftsList: (collectionId: string | null) => ['nfts', { collectionId }] as const,
  emails: ['emails'] as const,
  wallets: ['wallets'] as const,
};

export function useProfile() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.profile,
    queryFn: ({ signal }) => api.getProfile(signal),
  });
}

export interface ProfileSave {
  update: ProfileUpdate;
  /** The version the member edited (If-Match). */
  updatedAt: string | null;
}

/**
 * useUpdateProfile saves a partial update optimistically: the cached profile
 * shows the new values at once and is put back as it was if the save fails.
 */
export function useUpdateProfile() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<ProfileUpdatePayload, ApiError, ProfileSave, { previous: ProfilePayload | undefined }>({
    mutationFn: ({ update, updatedAt }) => api.updateProfile(update, updatedAt),
    onMutate: async ({ update }) => {
      await qc.cancelQueries({ queryKey: queryKeys.profile });
      const previous = qc.getQueryData<ProfilePayload>(queryKeys.profile);
      if (previous) qc.setQueryData<ProfilePayload>(queryKeys.profile, { profile: applyUpdate(previous.profile, update) });
      return { previous };
    },
    onError: (err, _vars, ctx) => {
      if (ctx?.previous) qc.setQueryData(queryKeys.profile, ctx.previous);
      // Someone else changed the profile: fetch the new version so a reload shows it. A 503 may come after
      // the server stored a pending email whose code mail then failed: fetch what it kept.
      if (err.code === 'precondition_failed' || err.code === 'upstream_unavailable') {
        void qc.invalidateQueries({ queryKey: queryKeys.profile });
      }
    },
    onSuccess: (data, { update }) => {
      qc.setQueryData<ProfilePayload>(queryKeys.profile, { profile: data.profile });
      // A new primary wallet means other holdings, and a wallet added to the list.
      if (update.preferredWallet !== undefined) invalidateWalletData(qc, { profile: false });
    },
  });
}

/** withoutPendingEmail is the profile with its email change gone, as the server has it after voiding one. */
function withoutPendingEmail(data: ProfilePayload): ProfilePayload {
  const { pendingEmail: _email, pendingEmailExpiresAt: _expires, ...profile } = data.profile;
  return { profile };
}

/**
 * useVerifyEmail confirms the member's pending email change with the mailed code. On success the cached
 * profile is the server's (the new email, no pending change). A change the server voided (`code_expired`, or
 * an address taken meanwhile) leaves the cache at once, and the profile is read again, since voiding gave it
 * a new version.
 */
export function useVerifyEmail() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<EmailVerifyPayload, ApiError, { code: string }>({
    mutationFn: ({ code }) => api.verifyEmail({ code }),
    onSuccess: (data) => {
      qc.setQueryData<ProfilePayload>(queryKeys.profile, { profile: data.profile });
      // The email list starts with the profile email.
      void qc.invalidateQueries({ queryKey: queryKeys.emails });
    },
    onError: (err) => {
      const voided = err.code === 'code_expired' || (err.code === 'conflict' && err.fields.email !== undefined);
      if (voided) qc.setQueryData<ProfilePayload>(queryKeys.profile, (d) => (d ? withoutPendingEmail(d) : d));
      if (voided || err.code === 'conflict') void qc.invalidateQueries({ queryKey: queryKeys.profile });
    },
  });
}

export function useOrders(cursor: string | null, limit: number = ORDERS_PAGE_SIZE) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.ordersPage(cursor, limit),
    queryFn: ({ signal }) => api.listOrders(cursor ? { limit, cursor } : { limit }, signal),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.refreshing ? REFRESH_POLL_MS : false),
  });
}

export type { OrderListPayload };

export function useOrder(orderId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.order(orderId ?? ''),
    queryFn: ({ signal }) => api.getOrder(orderId ?? '', signal),
    enabled: orderId !== null,
  });
}

export function useNFTs(collectionId: string | null) {
  const api = useApi();
  return useInfiniteQuery<NFTListPayload, ApiError, InfiniteData<NFTListPayload, string | null>, ReturnType<typeof queryKeys.nftsList>, string | null>({
    queryKey: queryKeys.nftsList(collectionId),
    queryFn: ({ pageParam, signal }) =>
      api.listNFTs(
        {
          limit: NFTS_PAGE_SIZE,
          ...(collectionId ? { collectionId } : {}),
          ...(pageParam ? { cursor: pageParam } : {}),
        },
        signal,
      ),
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: (q) => (q.state.data?.pages[0]?.refreshing ? REFRESH_POLL_MS : false),
  });
}

/** The most wallets a member may have (CONTRACT §10). */
export const MAX_WALLETS = 5;

/**
 * invalidateWalletData reads again what a change to the member's wallets touches: the list, the profile (its
 * preferredWallet is the primary wallet) and the NFTs (the union over the wallets, each naming its wallet).
 */
function invalidateWalletData(qc: ReturnType<typeof useQueryClient>, opts: { profile?: boolean } = {}) {
  void qc.invalidateQueries({ queryKey: queryKeys.wallets });
  if (opts.profile !== false) void qc.invalidateQueries({ queryKey: queryKeys.profile });
  void qc.invalidateQueries({ queryKey: queryKeys.nfts });
}

export function useWallets() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.wallets,
    queryFn: ({ signal }) => api.listWallets(signal),
  });
}

/** The steps of proving a wallet, for saying what is happening (and what the member must do) meanwhile. */
export type WalletStep = 'connect' | 'challenge' | 'sign' | 'verify';

/**
 * useProveWallet proves that the member controls a wallet, adding it first when it is new: the browser wallet
 * must hold the address (eth_requestAccounts, unless the caller just asked and passes the accounts), the API issues a Sign-In with Ethereum message for it
 * (POST /dashboard/wallets/challenge, which adds it unverified), the wallet signs it (personal_sign) and the API
 * checks the signature (POST /dashboard/wallets/verify). Whatever happens after the challenge, the list is read
 * again: the challenge may have added the wallet even if the signing then failed.
 */
export function useProveWallet(onStep?: (step: WalletStep) => void) {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<Wallet, ApiError | WalletError, { address: string; accounts?: readonly string[] }, void>({
    mutationFn: async ({ address, accounts: shared }) => {
      onStep?.('connect');
      const accounts = shared ?? (await requestAccounts());
      if (!holds(accounts, address)) {
        throw new WalletError('wrong-account', `Your wallet is not on ${address}. Switch to that account in your wallet and try again.`);
      }
      onStep?.('challenge');
      const challenge = await api.createWalletChallenge({ address });
      // From here on the wallet is on the list, verified or not.
      void qc.invalidateQueries({ queryKey: queryKeys.wallets });
      onStep?.('sign');
      const signature = await signMessage(challenge.message, address);
      onStep?.('verify');
      const res = await api.verifyWallet({ message: challenge.message, signature });
      return res.wallet;
    },
    onSuccess: (wallet) => {
      qc.setQueryData<WalletListPayload>(queryKeys.wallets, (d) =>
        d
          ? {
              wallets: d.wallets.some((w) => w.address.toLowerCase() === wallet.address.toLowerCase())
                ? d.wallets.map((w) => (w.address.toLowerCase() === wallet.address.toLowerCase() ? wallet : w))
                : [...d.wallets, wallet],
            }
          : d,
      );
      invalidateWalletData(qc);
    },
    onError: (err) => {
      // The list changed elsewhere (a wallet removed, or verified by someone else meanwhile).
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) invalidateWalletData(qc);
    },
  });
}

/**
 * useMakePrimaryWallet makes one of the member's wallets the primary one: it is the profile's preferredWallet
 * (PUT /dashboard/profile). Only that field is sent, so no If-Match: whatever else changed meanwhile stays.
 */
export function useMakePrimaryWallet() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<ProfileUpdatePayload, ApiError, { address: string }>({
    mutationFn: ({ address }) => api.updateProfile({ preferredWallet: address }, null),
    onSuccess: (data, { address }) => {
      qc.setQueryData<ProfilePayload>(queryKeys.profile, { profile: data.profile });
      qc.setQueryData<WalletListPayload>(queryKeys.wallets, (d) =>
        d ? { wallets: d.wallets.map((w) => ({ ...w, primary: w.address.toLowerCase() === address.toLowerCase() })) } : d,
      );
      invalidateWalletData(qc, { profile: false });
    },
    onError: () => invalidateWalletData(qc),
  });
}

/** useRemoveWallet removes one of the member's wallets; its NFTs leave the holdings at once. */
export function useRemoveWallet() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<void, ApiError, { address: string }>({
    mutationFn: ({ address }) => api.deleteWallet(address),
    onSuccess: (_data, { address }) => {
      qc.setQueryData<WalletListPayload>(queryKeys.wallets, (d) =>
        d ? { wallets: d.wallets.filter((w) => w.address.toLowerCase() !== address.toLowerCase()) } : d,
      );
    },
    onSettled: () => invalidateWalletData(qc),
  });
}

/** The most checkout emails a member may have besides the profile email (CONTRACT §9). */
export const MAX_CHECKOUT_EMAILS = 3;

export function useCheckoutEmails() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.emails,
    queryFn: ({ signal }) => api.listCheckoutEmails(signal),
  });
}

/**
 * useAddCheckoutEmail adds an address the member used at checkout; the server mails a code to it. Adding
 * one that is already pending mails a new code (the "Send a new code" of the panel).
 */
export function useAddCheckoutEmail() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<CheckoutEmailPendingPayload, ApiError, { email: string }>({
    mutationFn: ({ email }) => api.addCheckoutEmail({ email }),
    onSettled: () => void qc.invalidateQueries({ queryKey: queryKeys.emails }),
  });
}

/**
 * useVerifyCheckoutEmail proves a checkout email with its mailed code. The server then queues a Stripe sync
 * of the address, so the orders are read again at once (the sync may already have run); the order list polls
 * while the API says it is refreshing, and is read again on window focus and on the panel's "Refresh orders".
 * A 404 or 409 means the list changed elsewhere: it is read again.
 */
export function useVerifyCheckoutEmail() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<CheckoutEmailVerifiedPayload, ApiError, { email: string; code: string }>({
    mutationFn: (body) => api.verifyCheckoutEmail(body),
    onSuccess: (data) => {
      qc.setQueryData<CheckoutEmailListPayload>(queryKeys.emails, (d) =>
        d
          ? {
              emails: d.emails.map((e) =>
                e.email.toLowerCase() === data.email.toLowerCase() ? { ...e, verified: true } : e,
              ),
            }
          : d,
      );
      void qc.invalidateQueries({ queryKey: queryKeys.emails });
      void qc.invalidateQueries({ queryKey: queryKeys.orders });
    },
    onError: (err) => {
      if (err.status === 404 || err.status === 409) void qc.invalidateQueries({ queryKey: queryKeys.emails });
    },
  });
}

/** useRemoveCheckoutEmail removes a checkout email; orders already filed under it stay, so only the list changes. */
export function useRemoveCheckoutEmail() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<void, ApiError, { email: string }>({
    mutationFn: ({ email }) => api.deleteCheckoutEmail(email),
    onSuccess: (_data, { email }) => {
      qc.setQueryData<CheckoutEmailListPayload>(queryKeys.emails, (d) =>
        d ? { emails: d.emails.filter((e) => e.primary || e.email.toLowerCase() !== email.toLowerCase()) } : d,
      );
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: queryKeys.emails }),
  });
}

/** refreshOrders reads the order list again, for a member waiting for orders a sync is adding. */
export function useRefreshOrders() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: queryKeys.orders });
}

/**
 * useExportData downloads the member's data (GET /dashboard/export, with their token) and saves it under the
 * name the server suggests, else babes-club-<date>.json. It resolves with the name used.
 */
export function useExportData() {
  const api = useApi();
  return useMutation<{ filename: string }, ApiError>({
    mutationFn: async () => {
      const { blob, filename } = await api.exportData();
      const name = filename ?? exportFilename();
      saveBlob(blob, name);
      return { filename: name };
    },
  });
}
