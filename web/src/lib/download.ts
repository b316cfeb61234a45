// Saving a file the API sent (the member's data export). The export needs the
// member's bearer token, so it cannot be a plain link: it is fetched with the
// API client and handed to the browser as a Blob behind a temporary
// <a download>.

/** safeFilename keeps a suggested file name's last path part, without control characters; '' when nothing is left. */
function safeFilename(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  return last.replace(/[\u0000-\u001f\u007f]/g, '').trim();
}

/**
 * filenameFromDisposition is the file name a Content-Disposition header suggests: the RFC 6266 `filename*`
 * (UTF-8, percent-encoded) when present, else `filename` (quoted or not). It is null when there is no header
 * or no usable name in it (cross-origin, the header is only readable when the API exposes it).
 */
export function filenameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      const name = safeFilename(decodeURIComponent(extended[1].trim()));
      if (name) return name;
    } catch {
      // A malformed encoding: fall back to the plain filename.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  const raw = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2];
  const name = raw ? safeFilename(raw) : '';
  return name || null;
}

/** exportFilename is the export's name when the server suggested none: babes-club-<local date>.json. */
export function exportFilename(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `babes-club-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

/**
 * saveBlob has the browser save blob as filename: an object URL behind a temporary <a download>, clicked and
 * removed. The URL is revoked on the next task; the click has already resolved it by then.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
