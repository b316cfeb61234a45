// The dashboard's colour pairs meet WCAG 2.1 AA: 4.5:1 for text, 3:1 for the
// focus ring against the page.
import { describe, expect, it } from 'vitest';
import css from '../styles/base.css?raw';

function vars(): Record<string, string> {
  const root = /:root\s*{([^}]*)}/.exec(css)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of root.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)) out[m[1]!] = m[2]!;
  return out;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('colour contrast (WCAG AA)', () => {
  const v = vars();
  const text: [string, string][] = [
    ['text', 'surface'],
    ['text', 'bg'],
    ['muted', 'surface'],
    ['muted', 'bg'],
    ['accent', 'surface'],
    ['accent', 'bg'],
    ['accent-text', 'accent'],
    ['accent-text', 'accent-dark'],
    ['danger-text', 'surface'],
    ['success-text', 'surface'],
    ['success-text', 'success-bg'],
    ['warning-text', 'warning-bg'],
    ['danger-text', 'danger-bg'],
    ['info-text', 'info-bg'],
    // The pending email change panel: text, hints and the code's error on info-bg.
    ['text', 'info-bg'],
    ['muted', 'info-bg'],
    ['danger-text', 'info-bg'],
    ['neutral-text', 'neutral-bg'],
  ];
  it.each(text)('%s on %s is at least 4.5:1', (fg, bg) => {
    expect(v[fg], fg).toBeDefined();
    expect(v[bg], bg).toBeDefined();
    expect(contrast(v[fg]!, v[bg]!)).toBeGreaterThanOrEqual(4.5);
  });

  it('the focus ring stands out (3:1) on the page and on cards', () => {
    expect(contrast(v.focus!, v.surface!)).toBeGreaterThanOrEqual(3);
    expect(contrast(v.focus!, v.bg!)).toBeGreaterThanOrEqual(3);
  });

  it('disabled buttons stay readable', () => {
    expect(contrast('#5f565c', '#f2eef0')).toBeGreaterThanOrEqual(4.5);
  });
});
