import { describe, expect, it, vi } from 'vitest';
import { exportFilename, filenameFromDisposition, saveBlob } from './download';

describe('filenameFromDisposition', () => {
  it.each([
    ['attachment; filename="babes-club-2025-11-27.json"', 'babes-club-2025-11-27.json'],
    ['attachment; filename=babes-club-2025-11-27.json', 'babes-club-2025-11-27.json'],
    ['attachment;filename="a \\"quoted\\" name.json"', 'a "quoted" name.json'],
    // RFC 6266: filename* (UTF-8, percent-encoded) wins over filename.
    ["attachment; filename=\"plain.json\"; filename*=UTF-8''babes-club-%C3%A9t%C3%A9.json", 'babes-club-été.json'],
    // A path is never taken: only its last part.
    ['attachment; filename="../../etc/passwd"', 'passwd'],
    ['attachment; filename="C:\\\\Users\\\\x.json"', 'x.json'],
  ])('%s → %s', (header, name) => {
    expect(filenameFromDisposition(header)).toBe(name);
  });

  it.each([[null], [''], ['attachment'], ['attachment; filename=""'], ['inline; filename="../"']])('%s → null', (header) => {
    expect(filenameFromDisposition(header)).toBeNull();
  });

  it('falls back to filename when filename* is malformed', () => {
    expect(filenameFromDisposition("attachment; filename*=UTF-8''%E0%A4%A; filename=\"ok.json\"")).toBe('ok.json');
  });
});

describe('exportFilename', () => {
  it('names the file after the local date', () => {
    expect(exportFilename(new Date(2025, 0, 5, 23, 59))).toBe('babes-club-2025-01-05.json');
    expect(exportFilename(new Date(2025, 10, 27, 0, 0))).toBe('babes-club-2025-11-27.json');
  });
});

describe('saveBlob', () => {
  it('clicks a temporary download link to an object URL, then removes the link and revokes the URL', async () => {
    const blob = new Blob(['{"a":1}'], { type: 'application/json' });
    const create = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:http://dashboard.test/abc');
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const clicked: { href: string; download: string; attached: boolean }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download, attached: this.isConnected });
    });

    saveBlob(blob, 'babes-club-2025-11-27.json');

    expect(create).toHaveBeenCalledWith(blob);
    expect(clicked).toEqual([{ href: 'blob:http://dashboard.test/abc', download: 'babes-club-2025-11-27.json', attached: true }]);
    expect(document.querySelector('a[download]')).toBeNull();
    await vi.waitFor(() => expect(revoke).toHaveBeenCalledWith('blob:http://dashboard.test/abc'));
  });
});
