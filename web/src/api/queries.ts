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
} from './client';
import { ApiError } from './errors';
import { applyUpdate } from './optimistic';
import type { ProfileUpdate } from './types';
import { exportFilename, saveBlob } from '../lib/download';
import { requestSignature, WalletError } from '../lib/ethereum';

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
      // A new wallet means new holdings and an unverified wallet.
      if (update.preferredWallet !== undefined) void qc.invalidateQueries({ queryKey: queryKeys.nfts });
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

export type WalletStep = 'challenge' | 'sign' | 'verify';

/**
 * useVerifyWallet proves the member's wallet: it asks the API for a
 * Sign-In with Ethereum message, has the wallet extension sign it
 * (personal_sign) and sends the signature back.
 */
export function useVerifyWallet(onStep?: (step: WalletStep) => void) {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation<{ wallet: string }, ApiError | WalletError, { wallet: string }>({
    mutationFn: async ({ wallet }) => {
      onStep?.('challenge');
      const challenge = await api.createWalletChallenge();
      onStep?.('sign');
      const signature = await requestSignature(challenge.message, wallet);
      onStep?.('verify');
      const res = await api.verifyWallet({ message: challenge.message, signature });
      return { wallet: res.wallet };
    },
    onSuccess: () => {
      qc.setQueriesData<InfiniteData<NFTListPayload>>({ queryKey: queryKeys.nfts }, (data) =>
        data ? { ...data, pages: data.pages.map((p) => ({ ...p, walletVerified: true })) } : data,
      );
      void qc.invalidateQueries({ queryKey: queryKeys.nfts });
    },
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
