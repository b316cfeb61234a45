import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, FakeApi, json } from '../test/fakeApi';
import { createApiClient, ifMatchFor } from './client';
import { ApiError, describeError } from './errors';

describe('createApiClient', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
  });

  it('sends the bearer token and reads typed JSON', async () => {
    const client = createApiClient({ getToken: () => 'test-token' });
    const { profile } = await client.getProfile();
    expect(profile.displayName).toBe('Demo Babe');
    const req = api.calls('GET /dashboard/profile')[0]!;
    expect(req.headers.get('Authorization')).toBe('Bearer test-token');
    expect(req.headers.get('Accept')).toBe('application/json');
  });

  it('sends If-Match and JSON on profile updates', async () => {
    const client = createApiClient({ getToken: () => 'test-token' });
    await client.updateProfile({ displayName: 'Rose' }, '2025-11-26T21:28:24.123Z');
    const req = api.calls('PUT /dashboard/profile')[0]!;
    expect(req.headers.get('If-Match')).toBe('"2025-11-26T21:28:24.123Z"');
    expect(req.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(req.body).toEqual({ displayName: 'Rose' });
    expect(ifMatchFor(null)).toBeNull();
  });

  it('turns error bodies into ApiError with code and fields', async () => {
    api.on('PUT /dashboard/profile', () =>
      apiError(400, 'validation_failed', 'Invalid fields: shippingAddress.city.', { 'shippingAddress.city': 'Required.' }),
    );
    const client = createApiClient({ getToken: () => 'test-token' });
    const err = await client.updateProfile({}, null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Invalid fields: shippingAddress.city.',
      fields: { 'shippingAddress.city': 'Required.' },
      requestId: 'req-test',
    });
  });

  it('reads Retry-After and copes with bodies that are not the error shape', async () => {
    api.on('GET /dashboard/orders', () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Retry-After': '7' } }));
    const client = createApiClient({ getToken: () => 'test-token' });
    const err = (await client.listOrders({ limit: 5 }).catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(502);
    expect(err.code).toBe('internal');
    expect(err.retryAfter).toBe(7);
  });

  it("says when to retry a 429, in the server's words when it sent an error body", async () => {
    const client = createApiClient({ getToken: () => 'test-token' });
    api.on('PUT /dashboard/profile', () =>
      json(429, { error: 'Too many verification emails were sent in the last hour; try again later.', code: 'rate_limited' }, { 'Retry-After': '90' }),
    );
    const withBody = await client.updateProfile({ email: 'new@babesclub.example' }, null).catch((e: unknown) => e);
    expect(describeError(withBody)).toBe(
      'Too many verification emails were sent in the last hour; try again later. You can try again in about 2 minutes.',
    );
    api.on('GET /dashboard/orders', () => new Response('Slow down', { status: 429, headers: { 'Retry-After': '7' } }));
    const bare = await client.listOrders({ limit: 5 }).catch((e: unknown) => e);
    expect(describeError(bare)).toBe('Too many requests. You can try again in 7 seconds.');
  });

  it('calls onUnauthorized on a 401', async () => {
    const onUnauthorized = vi.fn();
    const client = createApiClient({ getToken: () => 'wrong', onUnauthorized });
    await expect(client.getProfile()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('reports a network failure as network_error', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    const client = createApiClient({ getToken: () => 'test-token' });
    await expect(client.getProfile()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('builds query strings and escapes order ids', async () => {
    api.on('GET /dashboard/nfts', () => json(200, { nfts: [], nextCursor: null, wallet: null, walletVerified: false, syncedAt: null, refreshing: false }));
    const client = createApiClient({ baseUrl: 'https://api.example/', getToken: () => 'test-token' });
    await client.listNFTs({ collectionId: 'babes club', limit: 24, cursor: 'abc-1' });
    const [url] = vi.mocked(globalThis.fetch).mock.calls[0]!;
    expect(url).toBe('https://api.example/dashboard/nfts?collectionId=babes+club&limit=24&cursor=abc-1');
    await client.getOrder('cs_test/../x').catch(() => {});
    expect(vi.mocked(globalThis.fetch).mock.calls[1]![0]).toBe('https://api.example/dashboard/orders/cs_test%2F..%2Fx');
  });

  it('adds (202), verifies and deletes checkout emails; the address is URL-encoded in the path and a 204 has no body', async () => {
    const client = createApiClient({ getToken: () => 'test-token' });
    const pending = await client.addCheckoutEmail({ email: 'guest+club@example.com' });
    expect(pending).toMatchObject({ email: 'guest+club@example.com', verified: false });
    expect(api.calls('POST /dashboard/emails')[0]?.body).toEqual({ email: 'guest+club@example.com' });
    await client.verifyCheckoutEmail({ email: 'guest+club@example.com', code: api.lastCode() });
    expect((await client.listCheckoutEmails()).emails.map((e) => [e.email, e.verified])).toEqual([
      ['demo@babesclub.example', true],
      ['guest+club@example.com', true],
    ]);
    await expect(client.deleteCheckoutEmail('guest+club@example.com')).resolves.toBeUndefined();
    const [req] = api.calls('DELETE /dashboard/emails/guest%2Bclub%40example.com');
    expect(req?.headers.get('Authorization')).toBe('Bearer test-token');
    expect(api.checkoutEmails).toEqual([]);
    await expect(client.deleteCheckoutEmail('guest+club@example.com')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('reads the export as a Blob with the file name from Content-Disposition', async () => {
    const client = createApiClient({ getToken: () => 'test-token' });
    const { blob, filename } = await client.exportData();
    expect(filename).toBe('babes-club-2025-11-27.json');
    expect(JSON.parse(await blob.text())).toMatchObject({ profile: { email: 'demo@babesclub.example' } });
    api.on('GET /dashboard/export', () => json(429, { error: 'Once a minute.', code: 'rate_limited' }, { 'Retry-After': '30' }));
    await expect(client.exportData()).rejects.toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 30 });
  });
});
