// A fake of the dashboard API at the fetch edge: tests replace globalThis.fetch
// with FakeApi.fetch, which answers the API's routes with the API's JSON
// (typed by the generated schema) from in-memory state, and records every
// request. Components and the data layer run unchanged.
import { vi } from 'vitest';
import type {
  CheckoutEmail,
  CheckoutEmailPending,
  ErrorBody,
  Export,
  NFT,
  NFTList,
  OrderDetail,
  OrderList,
  Profile,
  ProfileUpdate,
  Wallet,
  WalletChallenge,
} from '../api/types';
import { checksum, recoverSigner } from './fakeWallet';
import { nftFixture, orderFixture, profileFixture } from './fixtures';

export const TEST_TOKEN = 'test-token';

/** One of the member's wallets as the fake keeps it: `primary` comes from the profile's preferredWallet. */
export interface FakeWallet {
  address: string;
  verifiedAt: string | null;
  kind: 'eoa' | 'contract';
}

/** The most wallets a member may have (CONTRACT §10). */
export const MAX_FAKE_WALLETS = 5;

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Handler = (req: RecordedRequest) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Request-Id': 'req-test', ...headers },
  });
}

export function apiError(status: number, code: string, error: string, fields?: Record<string, string>): Response {
  const body: ErrorBody = fields ? { error, code, fields } : { error, code };
  return json(status, body);
}

/** never is a response that does not arrive (to see loading states). */
export function never(): Promise<Response> {
  return new Promise(() => {});
}

/** A verification mail the fake "sent": to whom, and the code in it. */
export interface SentCode {
  to: string;
  code: string;
}

/** How long a mailed code works, and how many wrong codes void a change (the API's rules, CONTRACT §9). */
export const CODE_TTL_MS = 15 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;

export class FakeApi {
  token = TEST_TOKEN;
  profile: Profile = profileFixture();
  orders: OrderDetail[] = Array.from({ length: 25 }, (_, i) => orderFixture(i + 1));
  ordersSyncedAt: string | null = '2025-11-26T20:00:00Z';
  ordersRefreshing = false;
  /** The NFTs each wallet holds on the marketplace; a wallet's NFTs are listed while it is primary or verified. */
  nfts: NFT[] = [1, 2, 3].map((i) => nftFixture(i));
  nftsSyncedAt: string | null = '2025-11-26T20:00:00Z';
  nftsRefreshing = false;
  /**
   * The member's wallets, oldest first. The profile's preferredWallet joins them (unverified) at the next request,
   * as setting it through the profile adds it on the real API.
   */
  wallets: FakeWallet[] = [];
  /** Wallets other members verified (lower case): challenging or verifying one is 409. */
  otherMembersWallets = new Set<string>();
  /** Smart wallets (lower-cased address → owner's address): the owner's EIP-191 signature proves them (ERC-1271). */
  smartWallets = new Map<string, string>();
  /** Every wallet challenge issued, in order; each can be verified once. */
  challenges: WalletChallenge[] = [];
  /** Unused challenges by message, and the address each is for. */
  private openChallenges = new Map<string, string>();
  requests: RecordedRequest[] = [];
  /** The fake's clock for code expiry; a test moves it on to let a code expire. */
  now = new Date('2025-11-27T00:00:00Z');
  /** Every email-change code mailed, in order (the real API's outbox). */
  sentCodes: SentCode[] = [];
  /** Login emails of other members (lower case): a change to one of them is 409. */
  otherMembersEmails = new Set<string>(['taken@babesclub.example']);
  private pendingCode: { code: string; tries: number } | null = null;
  /** The member's checkout emails besides the profile email, oldest first (GET /dashboard/emails after it). */
  checkoutEmails: CheckoutEmail[] = [];
  /** Checkout emails other members verified (lower case): adding or verifying one is 409. */
  otherMembersCheckoutEmails = new Set<string>();
  /**
   * Orders placed as a guest, by lower-cased address. Verifying the address runs its Stripe sync at once here
   * (the real API queues it): they join the member's orders, newest first.
   */
  guestOrders = new Map<string, OrderDetail[]>();
  /** The code mailed to each pending checkout email (lower case), its wrong tries and expiry. */
  private checkoutCodes = new Map<string, { code: string; tries: number; expiresAt: number }>();
  private overrides: { key: string; handler: Handler; once: boolean }[] = [];
  private clock = 0;

  /** on answers "METHOD /path" with handler instead of the fake's own route (once, by default). */
  on(key: string, handler: Handler, opts: { once?: boolean } = {}): this {
    this.overrides.push({ key, handler, once: opts.once ?? true });
    return this;
  }

  /** clearOverrides makes the fake answer every route itself again. */
  clearOverrides(): this {
    this.overrides = [];
    return this;
  }

  /** calls lists the recorded requests for "METHOD /path". */
  calls(key: string): RecordedRequest[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === key);
  }

  install(): this {
    vi.stubGlobal('fetch', vi.fn(this.fetch));
    return this;
  }

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://dashboard.test');
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    const raw = typeof init.body === 'string' ? init.body : null;
    const req: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: raw ? (JSON.parse(raw) as unknown) : undefined,
    };
    this.requests.push(req);
    const key = `${method} ${url.pathname}`;
    const i = this.overrides.findIndex((o) => o.key === key);
    const o = this.overrides[i];
    if (o) {
      if (o.once) this.overrides.splice(i, 1);
      return o.handler(req);
    }
    return this.route(req);
  };

  private route(req: RecordedRequest): Response {
    if (req.headers.get('Authorization') !== `Bearer ${this.token}`) {
      return apiError(401, 'unauthorized', 'Missing or invalid credentials.');
    }
    const key = `${req.method} ${req.path}`;
    switch (key) {
      case 'GET /dashboard/profile':
        return json(200, { profile: this.profile }, this.etag());
      case 'PUT /dashboard/profile':
        return this.updateProfile(req);
      case 'POST /dashboard/profile/email/verify':
        return this.verifyEmail(req);
      case 'GET /dashboard/orders':
        return this.listOrders(req);
      case 'GET /dashboard/nfts':
        return this.listNFTs(req);
      case 'GET /dashboard/wallets':
        return json(200, { wallets: this.walletList() });
      case 'POST /dashboard/wallets/challenge':
        return this.challenge(req);
      case 'POST /dashboard/wallets/verify':
        return this.verify(req);
      case 'GET /dashboard/emails':
        return json(200, { emails: this.emailList() });
      case 'POST /dashboard/emails':
        return this.addCheckoutEmail(req);
      case 'POST /dashboard/emails/verify':
        return this.verifyCheckoutEmail(req);
      case 'GET /dashboard/export':
        return this.exportData();
    }
    const w = /^\/dashboard\/wallets\/([^/]+)$/.exec(req.path);
    if (req.method === 'DELETE' && w?.[1]) return this.deleteWallet(decodeURIComponent(w[1]));
    const e = /^\/dashboard\/emails\/([^/]+)$/.exec(req.path);
    if (req.method === 'DELETE' && e?.[1]) return this.deleteCheckoutEmail(decodeURIComponent(e[1]));
    const m = /^\/dashboard\/orders\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && m?.[1]) {
      const order = this.orders.find((o) => o.orderId === decodeURIComponent(m[1] ?? ''));
      return order ? json(200, { order }) : apiError(404, 'not_found', 'No such order.');
    }
    return apiError(404, 'not_found', 'No such route.');
  }

  private etag(): Record<string, string> {
    return this.profile.updatedAt ? { ETag: `"${this.profile.updatedAt}"` } : {};
  }

  private updateProfile(req: RecordedRequest): Response {
    const ifMatch = req.headers.get('If-Match');
    if (ifMatch && ifMatch.replace(/"/g, '') !== this.profile.updatedAt) {
      return apiError(412, 'precondition_failed', 'The profile changed since it was read.');
    }
    const u = req.body as ProfileUpdate;
    const p: Profile = { ...this.profile };
    if (u.displayName !== undefined) p.displayName = u.displayName;
    // A new email only becomes pending, with a code mailed to it; the same address in any case is no change.
    const newEmail = u.email !== undefined && u.email.trim().toLowerCase() !== this.profile.email.toLowerCase() ? u.email.trim() : null;
    if (newEmail !== null) {
      if (this.otherMembersEmails.has(newEmail.toLowerCase())) {
        return apiError(409, 'conflict', 'That email address is already in use.', { email: 'Already in use by another member.' });
      }
      const code = this.mailCode(newEmail);
      this.pendingCode = { code, tries: 0 };
      p.pendingEmail = newEmail;
      p.pendingEmailExpiresAt = new Date(this.now.getTime() + CODE_TTL_MS).toISOString().replace('.000Z', 'Z');
    }
    if (u.phone !== undefined) p.phone = u.phone;
    if (u.avatarUrl !== undefined) p.avatarUrl = u.avatarUrl;
    if (u.preferredWallet !== undefined) {
      if (u.preferredWallet !== null && !/^0x[0-9a-fA-F]{40}$/.test(u.preferredWallet)) {
        return apiError(400, 'validation_failed', 'Invalid fields: preferredWallet.', { preferredWallet: 'Must be an Ethereum address.' });
      }
      const adding = u.preferredWallet !== null && !this.findWallet(u.preferredWallet);
      if (adding && this.walletList().length >= MAX_FAKE_WALLETS) {
        return apiError(400, 'validation_failed', `You can have at most ${MAX_FAKE_WALLETS} wallets; remove one to add another.`);
      }
      const before = this.profile.preferredWallet;
      p.preferredWallet = u.preferredWallet === null ? null : checksum(u.preferredWallet);
      // As the API does: replacing the primary removes the old one if it was never proven (a proven one stays).
      if (before && before.toLowerCase() !== p.preferredWallet?.toLowerCase()) {
        this.wallets = this.wallets.filter((w) => w.address.toLowerCase() !== before.toLowerCase() || w.verifiedAt !== null);
      }
    }
    const addr = (a: ProfileUpdate['shippingAddress']) =>
      a ? { line1: a.line1, city: a.city, state: a.state, postalCode: a.postalCode, country: a.country.toUpperCase(), ...(a.name ? { name: a.name } : {}), ...(a.line2 ? { line2: a.line2 } : {}) } : null;
    if (u.shippingAddress !== undefined) p.shippingAddress = addr(u.shippingAddress);
    if (u.billingAddress !== undefined) p.billingAddress = addr(u.billingAddress);
    if (u.dashboardSettings !== undefined) p.dashboardSettings = { ...p.dashboardSettings, ...u.dashboardSettings };
    this.bump(p);
    this.profile = p;
    return json(200, newEmail !== null ? { profile: p, emailVerificationSent: true } : { profile: p }, this.etag());
  }

  /** mailCode "sends" a new verification code to an address: each mail's code differs from the one before. */
  private mailCode(to: string): string {
    const code = String(100_000 + ((this.sentCodes.length * 271_829 + 428_193) % 900_000));
    this.sentCodes.push({ to, code });
    return code;
  }

  /** lastCode is the code in the newest verification mail. */
  lastCode(): string {
    const sent = this.sentCodes.at(-1);
    if (!sent) throw new Error('no verification code was sent');
    return sent.code;
  }

  private bump(p: Profile): void {
    this.clock += 1;
    p.updatedAt = new Date(Date.UTC(2025, 10, 27, 0, 0, this.clock)).toISOString();
  }

  /** voidEmailChange drops the pending change and its code, as the API does when it voids one. */
  private voidEmailChange(): void {
    const { pendingEmail: _e, pendingEmailExpiresAt: _x, ...rest } = this.profile;
    const p: Profile = { ...rest };
    this.bump(p);
    this.profile = p;
    this.pendingCode = null;
  }

  private verifyEmail(req: RecordedRequest): Response {
    const code = (req.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code.trim())) {
      return apiError(400, 'validation_failed', 'The code is the 6 digits from the email.', { code: 'Must be 6 digits.' });
    }
    const pending = this.profile.pendingEmail;
    const expires = this.profile.pendingEmailExpiresAt;
    if (!pending || !this.pendingCode) {
      return apiError(400, 'code_expired', 'No email change is waiting for a code; change your email again.');
    }
    if (!expires || this.now.getTime() >= new Date(expires).getTime()) {
      this.voidEmailChange();
      return apiError(400, 'code_expired', 'The code has expired; change your email again to get a new one.');
    }
    this.pendingCode.tries += 1;
    if (code.trim() !== this.pendingCode.code) {
      if (this.pendingCode.tries >= MAX_CODE_ATTEMPTS) {
        this.voidEmailChange();
        return apiError(400, 'code_expired', 'Too many wrong codes; change your email again to get a new one.');
      }
      const left = MAX_CODE_ATTEMPTS - this.pendingCode.tries;
      return apiError(400, 'invalid_code', `That code is not right; ${left} ${left === 1 ? 'try' : 'tries'} left.`, {
        code: 'Not the code that was sent.',
      });
    }
    if (this.otherMembersEmails.has(pending.toLowerCase())) {
      this.voidEmailChange();
      return apiError(409, 'conflict', 'That email address is already in use.', { email: 'Already in use by another member.' });
    }
    const { pendingEmail: _e, pendingEmailExpiresAt: _x, ...rest } = this.profile;
    const p: Profile = { ...rest, email: pending };
    this.bump(p);
    this.profile = p;
    this.pendingCode = null;
    return json(200, { profile: p, emailChanged: true }, this.etag());
  }

  /** Cursors are "cur-<offset>" here; the real API's are opaque and signed. */
  private page<T>(items: T[], req: RecordedRequest): { page: T[]; nextCursor: string | null } | Response {
    const limit = Number(req.query.get('limit') ?? '20');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return apiError(400, 'validation_failed', 'Invalid limit.', { limit: 'Must be 1 to 100.' });
    }
    const cursor = req.query.get('cursor');
    let offset = 0;
    if (cursor !== null) {
      const m = /^cur-(\d+)$/.exec(cursor);
      if (!m) return apiError(400, 'invalid_cursor', 'The cursor is not valid.');
      offset = Number(m[1]);
    }
    const page = items.slice(offset, offset + limit);
    return { page, nextCursor: offset + limit < items.length ? `cur-${offset + limit}` : null };
  }

  private listOrders(req: RecordedRequest): Response {
    const r = this.page(this.orders, req);
    if (r instanceof Response) return r;
    const body: OrderList = {
      orders: r.page.map((o) => ({
        orderId: o.orderId,
        orderNumber: o.orderNumber,
        status: o.status,
        amount: o.amount,
        amountSubtotal: o.amountSubtotal,
        currency: o.currency,
        createdAt: o.createdAt,
        completedAt: o.completedAt,
        itemCount: o.itemCount,
        items: o.items,
        customerEmail: o.customerEmail,
        shippingAddress: o.shippingAddress,
        fulfillmentStatus: o.fulfillmentStatus,
      })),
      nextCursor: r.nextCursor,
      hasOrders: this.orders.length > 0,
      syncedAt: this.ordersSyncedAt,
      refreshing: this.ordersRefreshing,
    };
    return json(200, body);
  }

  /** adoptPrimary puts the profile's preferredWallet on the wallet list when a test set it on the profile directly. */
  private adoptPrimary(): void {
    const primary = this.profile.preferredWallet;
    if (primary && !this.wallets.some((w) => w.address.toLowerCase() === primary.toLowerCase())) {
      this.wallets.push({ address: primary, verifiedAt: null, kind: 'eoa' });
    }
  }

  private findWallet(address: string): FakeWallet | undefined {
    this.adoptPrimary();
    return this.wallets.find((w) => w.address.toLowerCase() === address.toLowerCase());
  }

  /** walletList is GET /dashboard/wallets's list. */
  walletList(): Wallet[] {
    this.adoptPrimary();
    const primary = this.profile.preferredWallet?.toLowerCase();
    return this.wallets.map((w) => ({
      address: w.address,
      verified: w.verifiedAt !== null,
      verifiedAt: w.verifiedAt,
      primary: w.address.toLowerCase() === primary,
      kind: w.kind,
    }));
  }

  /** The NFTs listed: those of the primary wallet and every verified one (CONTRACT §3). */
  private heldNFTs(): NFT[] {
    const listed = new Set(this.walletList().filter((w) => w.primary || w.verified).map((w) => w.address.toLowerCase()));
    return this.nfts.filter((n) => listed.has(n.wallet.toLowerCase()));
  }

  private listNFTs(req: RecordedRequest): Response {
    const wallet = this.profile.preferredWallet;
    const collection = req.query.get('collectionId');
    const held = this.heldNFTs().filter((n) => !collection || n.collectionId === collection);
    const r = this.page(held, req);
    if (r instanceof Response) return r;
    const body: NFTList = {
      nfts: r.page,
      nextCursor: r.nextCursor,
      wallet,
      walletVerified: Boolean(wallet && this.findWallet(wallet)?.verifiedAt),
      syncedAt: this.nftsSyncedAt,
      refreshing: this.nftsRefreshing,
    };
    return json(200, body);
  }

  private challenge(req: RecordedRequest): Response {
    const address = (req.body as { address?: unknown } | undefined)?.address;
    if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
      return apiError(400, 'validation_failed', 'Invalid fields: address.', { address: 'Must be an Ethereum address: 0x and 40 hex digits.' });
    }
    if (this.otherMembersWallets.has(address.toLowerCase())) {
      return apiError(409, 'conflict', 'That wallet is verified by another member.');
    }
    let wallet = this.findWallet(address);
    if (!wallet) {
      if (this.wallets.length >= MAX_FAKE_WALLETS) {
        return apiError(400, 'validation_failed', `You can have at most ${MAX_FAKE_WALLETS} wallets; remove one to add another.`);
      }
      wallet = { address: checksum(address), verifiedAt: null, kind: 'eoa' };
      this.wallets.push(wallet);
    }
    const nonce = `nonce${String(this.challenges.length + 1).padStart(8, '0')}`;
    const challenge: WalletChallenge = {
      message: `dashboard.test wants you to sign in with your Ethereum account:\n${wallet.address}\n\nProve this wallet is yours.\n\nURI: http://dashboard.test\nVersion: 1\nChain ID: 1\nNonce: ${nonce}\nIssued At: ${this.iso(this.now.getTime())}`,
      nonce,
      expiresAt: this.iso(this.now.getTime() + 10 * 60_000),
    };
    this.challenges.push(challenge);
    this.openChallenges.set(challenge.message, wallet.address);
    return json(200, challenge);
  }

  private verify(req: RecordedRequest): Response {
    const body = req.body as { message?: unknown; signature?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? body.message : '';
    const signature = typeof body?.signature === 'string' ? body.signature : '';
    const address = this.openChallenges.get(message);
    if (address === undefined) {
      return apiError(400, 'validation_failed', 'The wallet signature could not be verified.', { message: 'Not a message this server issued, or one already used.' });
    }
    this.openChallenges.delete(message);
    const signer = recoverSigner(message, signature);
    const owner = this.smartWallets.get(address.toLowerCase());
    const kind = signer && signer.toLowerCase() === address.toLowerCase() ? 'eoa' : signer && owner && signer.toLowerCase() === owner.toLowerCase() ? 'contract' : null;
    if (!kind) {
      return apiError(400, 'validation_failed', 'The wallet signature could not be verified.', { signature: 'The signature was not made by this wallet.' });
    }
    if (this.otherMembersWallets.has(address.toLowerCase())) {
      return apiError(409, 'conflict', 'That wallet is verified by another member.');
    }
    const wallet = this.findWallet(address);
    if (!wallet) return apiError(404, 'not_found', 'That wallet is not one of yours any more.');
    wallet.verifiedAt ??= this.iso(this.now.getTime());
    wallet.kind = kind;
    const listed = this.walletList().find((w) => w.address === wallet.address);
    return json(200, { wallet: listed });
  }

  private deleteWallet(address: string): Response {
    const wallet = this.findWallet(address);
    if (!wallet) return apiError(404, 'not_found', 'You have no such wallet.');
    this.wallets = this.wallets.filter((w) => w !== wallet);
    if (this.profile.preferredWallet?.toLowerCase() === address.toLowerCase()) {
      const p: Profile = { ...this.profile, preferredWallet: null };
      this.bump(p);
      this.profile = p;
    }
    return new Response(null, { status: 204, headers: { 'X-Request-Id': 'req-test' } });
  }

  private emailList(): CheckoutEmail[] {
    const primary: CheckoutEmail = { email: this.profile.email, verified: true, primary: true, addedAt: null, verifiedAt: null };
    return [primary, ...this.checkoutEmails];
  }

  private iso(t: number): string {
    return new Date(t).toISOString().replace('.000Z', 'Z');
  }

  /** isTaken says whether an address is a login email or another member's verified checkout email. */
  private isTaken(lower: string): boolean {
    return this.otherMembersEmails.has(lower) || this.otherMembersCheckoutEmails.has(lower);
  }

  private addCheckoutEmail(req: RecordedRequest): Response {
    const raw = (req.body as { email?: unknown } | undefined)?.email;
    const email = typeof raw === 'string' ? raw.trim() : '';
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
      return apiError(400, 'validation_failed', 'Invalid fields: email.', { email: 'Must be a valid email address.' });
    }
    const lower = email.toLowerCase();
    if (lower === this.profile.email.toLowerCase()) {
      return apiError(409, 'conflict', 'That is your profile email: its orders are already yours.');
    }
    if (this.isTaken(lower)) {
      return apiError(409, 'conflict', 'That email address belongs to another account.');
    }
    const had = this.checkoutEmails.find((c) => c.email.toLowerCase() === lower);
    if (had?.verified) return apiError(409, 'conflict', 'You have already verified that address.');
    if (!had) {
      if (this.checkoutEmails.length >= 3) {
        return apiError(400, 'validation_failed', 'You can add at most 3 checkout emails; remove one to add another.');
      }
      this.checkoutEmails.push({ email, verified: false, primary: false, addedAt: this.iso(this.now.getTime()), verifiedAt: null });
    }
    const expiresAt = this.now.getTime() + CODE_TTL_MS;
    this.checkoutCodes.set(lower, { code: this.mailCode(had?.email ?? email), tries: 0, expiresAt });
    const body: CheckoutEmailPending = { email: had?.email ?? email, verified: false, expiresAt: this.iso(expiresAt) };
    return json(202, body);
  }

  private verifyCheckoutEmail(req: RecordedRequest): Response {
    const b = req.body as { email?: unknown; code?: unknown } | undefined;
    const code = typeof b?.code === 'string' ? b.code.trim() : '';
    const email = typeof b?.email === 'string' ? b.email.trim() : '';
    if (!/^[0-9]{6}$/.test(code)) {
      return apiError(400, 'validation_failed', 'The code is the 6 digits from the email.', { code: 'Must be 6 digits.' });
    }
    const lower = email.toLowerCase();
    const had = this.checkoutEmails.find((c) => c.email.toLowerCase() === lower);
    if (!had) return apiError(404, 'not_found', 'You have not added that email address.');
    if (had.verified) return json(200, { email: had.email, verified: true });
    const pending = this.checkoutCodes.get(lower);
    if (!pending || this.now.getTime() >= pending.expiresAt) {
      this.checkoutCodes.delete(lower);
      return apiError(400, 'code_expired', 'The code has expired; send a new one to try again.');
    }
    pending.tries += 1;
    if (code !== pending.code) {
      if (pending.tries >= MAX_CODE_ATTEMPTS) {
        this.checkoutCodes.delete(lower);
        return apiError(400, 'code_expired', 'Too many wrong codes; send a new one to try again.');
      }
      const left = MAX_CODE_ATTEMPTS - pending.tries;
      return apiError(400, 'invalid_code', `That code is not right; ${left} ${left === 1 ? 'try' : 'tries'} left.`, {
        code: 'Not the code that was sent.',
      });
    }
    if (this.isTaken(lower)) {
      return apiError(409, 'conflict', 'Another account verified that email address first.');
    }
    this.checkoutCodes.delete(lower);
    had.verified = true;
    had.verifiedAt = this.iso(this.now.getTime());
    const found = this.guestOrders.get(lower) ?? [];
    this.guestOrders.delete(lower);
    this.orders = [...this.orders, ...found].sort((x, y) => y.createdAt.localeCompare(x.createdAt));
    return json(200, { email: had.email, verified: true });
  }

  private deleteCheckoutEmail(email: string): Response {
    const lower = email.toLowerCase();
    if (lower === this.profile.email.toLowerCase()) {
      return apiError(400, 'validation_failed', 'The profile email cannot be removed here.');
    }
    const i = this.checkoutEmails.findIndex((c) => c.email.toLowerCase() === lower);
    if (i < 0) return apiError(404, 'not_found', 'You have not added that email address.');
    this.checkoutEmails.splice(i, 1);
    this.checkoutCodes.delete(lower);
    return new Response(null, { status: 204, headers: { 'X-Request-Id': 'req-test' } });
  }

  /** exportData answers like the API: the member's data as an attachment named after the day. */
  private exportData(): Response {
    const body: Export = {
      exportedAt: this.iso(this.now.getTime()),
      profile: this.profile,
      emails: this.emailList(),
      wallets: this.walletList(),
      orders: this.orders,
      nfts: this.heldNFTs(),
    };
    return json(200, body, {
      'Content-Disposition': `attachment; filename="babes-club-${this.iso(this.now.getTime()).slice(0, 10)}.json"`,
    });
  }
}
