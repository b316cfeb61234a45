import { screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Export } from '../api/types';
import { exportFilename } from '../lib/download';
import { FakeApi, json, TEST_TOKEN } from '../test/fakeApi';
import { renderDashboard, signIn } from '../test/render';
import { DataExport } from './DataExport';

const BLOB_URL = 'blob:http://dashboard.test/export-1';

describe('DataExport', () => {
  let api: FakeApi;
  /** The files the page asked the browser to save: the link's name and the Blob behind its URL. */
  let saved: { download: string; href: string }[];
  let blobs: Blob[];
  let revoke: ReturnType<typeof vi.spyOn>;

  beforeEach(() => {
    api = new FakeApi().install();
    signIn();
    saved = [];
    blobs = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b: Blob | MediaSource) => {
      blobs.push(b as Blob);
      return BLOB_URL;
    });
    revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ download: this.download, href: this.href });
    });
  });

  const button = () => screen.getByRole('button', { name: /^(Download my data|Preparing your download…)$/ });

  it("downloads the member's data with their token and saves it under the server's file name", async () => {
    const { user } = renderDashboard(<DataExport />);
    expect(screen.getByRole('region', { name: 'Your data' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Download my data' }));

    expect(await screen.findByText('Your download has started: babes-club-2025-11-27.json.')).toHaveRole('status');
    const [req] = api.calls('GET /dashboard/export');
    expect(req?.headers.get('Authorization')).toBe(`Bearer ${TEST_TOKEN}`);
    expect(saved).toEqual([{ download: 'babes-club-2025-11-27.json', href: BLOB_URL }]);
    // The file is what the server sent.
    const data = JSON.parse(await blobs[0]!.text()) as Export;
    expect(data.profile.email).toBe('demo@babesclub.example');
    expect(data.orders).toHaveLength(25);
    expect(data.orders.map((o) => o.orderId)).toEqual(api.orders.map((o) => o.orderId));
    expect(data.nfts).toHaveLength(3);
    await waitFor(() => expect(revoke).toHaveBeenCalledWith(BLOB_URL));
    expect(document.querySelector('a[download]')).toBeNull();
    expect(button()).toHaveTextContent('Download my data');
  });

  it('shows a busy state while the export is prepared, and does not ask twice', async () => {
    let answer: (r: Response) => void = () => {};
    api.on('GET /dashboard/export', () => new Promise<Response>((resolve) => (answer = resolve)));
    const { user } = renderDashboard(<DataExport />);
    await user.click(screen.getByRole('button', { name: 'Download my data' }));

    const busy = screen.getByRole('button', { name: 'Preparing your download…' });
    expect(busy).toHaveAttribute('aria-disabled', 'true');
    expect(busy).toHaveFocus();
    await user.click(busy);
    expect(api.calls('GET /dashboard/export')).toHaveLength(1);

    answer(json(200, { exportedAt: '2025-11-27T00:00:00Z' }, { 'Content-Disposition': 'attachment; filename="babes-club-2025-11-27.json"' }));
    expect(await screen.findByRole('button', { name: 'Download my data' })).toHaveAttribute('aria-disabled', 'false');
    expect(saved).toHaveLength(1);
  });

  it('names the file babes-club-<date>.json when the server names none', async () => {
    api.on('GET /dashboard/export', () => json(200, { exportedAt: '2025-11-27T00:00:00Z' }));
    const { user } = renderDashboard(<DataExport />);
    const before = exportFilename();
    await user.click(screen.getByRole('button', { name: 'Download my data' }));
    await screen.findByText(/^Your download has started/);
    const after = exportFilename();
    expect(saved).toHaveLength(1);
    // Around midnight the date may turn between the two readings.
    expect([before, after]).toContain(saved[0]!.download);
  });

  it("says when to try again after the server's once-a-minute limit, and saves nothing", async () => {
    api.on('GET /dashboard/export', () =>
      json(429, { error: 'You can download your data once a minute.', code: 'rate_limited' }, { 'Retry-After': '42' }),
    );
    const { user } = renderDashboard(<DataExport />);
    await user.click(screen.getByRole('button', { name: 'Download my data' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Your data was not downloaded. You can download your data once a minute. You can try again in 42 seconds.',
    );
    expect(saved).toEqual([]);
    expect(blobs).toEqual([]);
    expect(screen.queryByText(/Your download has started/)).not.toBeInTheDocument();

    // The next try, once allowed, works and clears the message.
    await user.click(screen.getByRole('button', { name: 'Download my data' }));
    await screen.findByText('Your download has started: babes-club-2025-11-27.json.');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
