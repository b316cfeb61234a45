// Formatting for people: money from minor units, dates, relative times,
// shortened wallet addresses. The locale is the browser's.

export function locale(): string {
  return (typeof navigator !== 'undefined' && navigator.language) || 'en-US';
}

/**
 * formatMoney formats an amount in minor units (cents) in its own currency.
 * The number of minor digits comes from Intl, so zero-decimal currencies
 * (jpy, krw) are not divided by 100.
 */
export function formatMoney(minor: number, currency: string): string {
  const code = currency.toUpperCase();
  let fmt: Intl.NumberFormat;
  try {
    fmt = new Intl.NumberFormat(locale(), { style: 'currency', currency: code });
  } catch {
    return `${(minor / 100).toFixed(2)} ${code}`;
  }
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  return fmt.format(minor / 10 ** digits);
}

function toDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDate(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(d) : '—';
}

export function formatDateTime(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d) : '—';
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** formatRelative says how long ago (or until) iso is: "5 minutes ago", "just now". */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  const d = toDate(iso);
  if (!d) return 'never';
  const seconds = Math.round((d.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60), 'minute');
}

/** formatTime is the time of day of iso ("5:42 PM"), for deadlines within the hour. */
export function formatTime(iso: string | null | undefined): string {
  const d = toDate(iso);
  return d ? new Intl.DateTimeFormat(locale(), { timeStyle: 'short' }).format(d) : '—';
}

/**
 * formatWait says how long a wait of the given seconds is, rounded up so the
 * member is never told to retry too early: "30 seconds", "about 42 minutes",
 * "about 1 hour".
 */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} ${s === 1 ? 'second' : 'seconds'}`;
  if (s < 3600) {
    const m = Math.ceil(s / 60);
    return `about ${m} ${m === 1 ? 'minute' : 'minutes'}`;
  }
  const h = Math.ceil(s / 3600);
  return `about ${h} ${h === 1 ? 'hour' : 'hours'}`;
}

/** shortAddress shows 0x1234…abcd for a long wallet or contract address. */
export function shortAddress(addr: string): string {
  return addr.length > 12 ? `${addr.slice(0, 6)}…${addr.slice(-4)}` : addr;
}

/** collectionLabel turns a collection slug into words; contract addresses are shortened. */
export function collectionLabel(id: string): string {
  if (/^0x[0-9a-fA-F]{40}$/.test(id)) return `Collection ${shortAddress(id)}`;
  return id
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
