import { describe, expect, it } from 'vitest';
import css from '../app.css?raw';
import { contrastRatio } from '../lib/contrast.js';
import { ThemeState } from './theme.svelte.js';

function env(stored: string | null, dark: boolean) {
  const saved = new Map<string, string>();
  let listener: ((e: { matches: boolean }) => void) | undefined;
  return {
    saved,
    flip: (matches: boolean) => listener?.({ matches }),
    env: {
      storage: {
        getItem: (k: string) => (k === 'pulse.theme' ? stored : null),
        setItem: (k: string, v: string) => void saved.set(k, v),
      },
      media: {
        matches: dark,
        addEventListener: (_: string, l: (e: { matches: boolean }) => void) => (listener = l),
        removeEventListener: () => (listener = undefined),
      } as never,
    },
  };
}

describe('ThemeState', () => {
  it('follows the system until the operator picks, then remembers the pick', () => {
    const e = env(null, true);
    const t = new ThemeState(e.env);
    expect(t.resolved).toBe('dark');
    e.flip(false);
    expect(t.resolved).toBe('light');
    t.toggle();
    expect(t.resolved).toBe('dark');
    expect(e.saved.get('pulse.theme')).toBe('dark');
    e.flip(false);
    expect(t.resolved).toBe('dark'); // an explicit choice wins over the system
  });

  it('starts from a stored choice and ignores garbage', () => {
    expect(new ThemeState(env('light', true).env).resolved).toBe('light');
    expect(new ThemeState(env('purple', false).env).resolved).toBe('light');
  });
});

/** `--name: #hex` pairs of each `:root[data-theme='…']` block of app.css. */
function themeTokens(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [, name, body] of css.matchAll(/\[data-theme='(\w+)'\][^{]*\{([^}]*)\}/g)) {
    const vars: Record<string, string> = {};
    for (const [, key, hex] of body!.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)) {
      vars[key!] = hex!;
    }
    out[name!] = vars;
  }
  return out;
}

describe('theme contrast', () => {
  it('keeps every text colour at WCAG AA (4.5:1) on every surface, in both themes', () => {
    const themes = themeTokens();
    expect(Object.keys(themes).sort()).toEqual(['dark', 'light']);
    for (const [name, t] of Object.entries(themes)) {
      for (const fg of ['text', 'muted', 'accent', 'ok', 'warn', 'bad', 'up', 'down']) {
        for (const bg of ['bg', 'surface', 'surface-2']) {
          const ratio = contrastRatio(t[fg]!, t[bg]!);
          expect(ratio, `${name}: --${fg} on --${bg}`).toBeGreaterThanOrEqual(4.5);
        }
      }
    }
  });
});
