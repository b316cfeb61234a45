// @ts-check
// Reads the mail `dashboard serve --data DIR` wrote to DIR/outbox/: one RFC 5322 file per message (UTF-8
// text and HTML as the quoted-printable parts of multipart/alternative), named so that the names sort by the
// time of sending. Enough of RFC 5322, 2045 and 2047 to read what the server writes; it fails loudly on
// anything else rather than guess.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} Mail
 * @property {string} file the file name
 * @property {string} to the recipient's address
 * @property {string} subject decoded
 * @property {string} text the text/plain part, decoded, with "\n" line breaks
 * @property {string} html the text/html part, decoded
 */

/**
 * decodeQuotedPrintable decodes a quoted-printable body (RFC 2045) as UTF-8.
 * @param {string} s
 */
function decodeQuotedPrintable(s) {
  const soft = s.replace(/=\r?\n/g, '');
  /** @type {number[]} */
  const bytes = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft[i] === '=' ? soft.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * decodeHeader decodes RFC 2047 encoded words (UTF-8, Q or B) in a header value.
 * @param {string} v
 */
function decodeHeader(v) {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QqBb])\?([^?]*)\?=/gi, (_, enc, text) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

/**
 * headers parses a header block into lower-cased names → values, unfolding continued lines.
 * @param {string} block
 */
function headers(block) {
  /** @type {Map<string, string>} */
  const out = new Map();
  for (const line of block.replace(/\r\n([ \t])/g, '$1').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

/**
 * parseMail reads one outbox file.
 * @param {string} file
 * @param {string} raw
 * @returns {Mail}
 */
export function parseMail(file, raw) {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`${file}: no blank line after the header`);
  const head = headers(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const to = head.get('to') ?? '';
  const addr = /<([^>]+)>\s*$/.exec(to)?.[1] ?? to;
  const type = head.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (!type.startsWith('multipart/alternative') || !boundary) throw new Error(`${file}: not multipart/alternative (${type})`);
  /** @type {Record<string, string>} */
  const parts = {};
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const end = part.indexOf('\r\n\r\n');
    const ph = headers(part.slice(0, end).replace(/^\r\n/, ''));
    const content = part.slice(end + 4).replace(/\r\n$/, '');
    const ptype = (ph.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const cte = (ph.get('content-transfer-encoding') ?? '').toLowerCase();
    if (cte !== 'quoted-printable') throw new Error(`${file}: ${ptype} is ${cte}, not quoted-printable`);
    parts[ptype] = decodeQuotedPrintable(content).replace(/\r\n/g, '\n');
  }
  return {
    file,
    to: addr.trim(),
    subject: decodeHeader(head.get('subject') ?? ''),
    text: parts['text/plain'] ?? '',
    html: parts['text/html'] ?? '',
  };
}

/**
 * readOutbox returns every message in a data folder's outbox, oldest first (a missing folder holds none).
 * @param {string} dataDir the `--data` folder of `dashboard serve`
 * @returns {Mail[]}
 */
export function readOutbox(dataDir) {
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml') && !f.startsWith('.'))
    .sort()
    .map((f) => parseMail(f, readFileSync(join(dir, f), 'utf8')));
}
