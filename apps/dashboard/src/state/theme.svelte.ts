/** The operator's choice; `system` follows the OS setting. */
export type ThemePref = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const KEY = 'pulse.theme';

/** What the theme needs from the page (fakes in tests). */
export interface ThemeEnv {
  readonly storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** `matchMedia('(prefers-color-scheme: dark)')`. */
  readonly media?: Pick<MediaQueryList, 'matches' | 'addEventListener' | 'removeEventListener'>;
}

function isPref(v: unknown): v is ThemePref {
  return v === 'system' || v === 'light' || v === 'dark';
}

/** Light or dark: the stored choice, else the system's. `resolved` is what the page shows. */
export class ThemeState {
  pref = $state<ThemePref>('system');
  systemDark = $state(true);
  readonly resolved: Theme = $derived(
    this.pref === 'system' ? (this.systemDark ? 'dark' : 'light') : this.pref,
  );
  readonly #env: ThemeEnv;
  readonly #onMedia = (e: { matches: boolean }) => (this.systemDark = e.matches);

  constructor(env: ThemeEnv = {}) {
    this.#env = env;
    const stored = env.storage?.getItem(KEY);
    if (isPref(stored)) this.pref = stored;
    if (env.media) {
      this.systemDark = env.media.matches;
      env.media.addEventListener('change', this.#onMedia);
    }
  }

  /** Switches to the other theme and remembers it. */
  toggle(): void {
    this.set(this.resolved === 'dark' ? 'light' : 'dark');
  }

  set(pref: ThemePref): void {
    this.pref = pref;
    this.#env.storage?.setItem(KEY, pref);
  }

  dispose(): void {
    this.#env.media?.removeEventListener('change', this.#onMedia);
  }
}
