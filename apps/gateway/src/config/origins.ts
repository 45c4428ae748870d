import type { ParseResult } from './flow-settings.js';

/**
 * `any`: every origin; otherwise the listed ones, pages served from this machine when
 * `loopback` (the development default), and always the gateway's own.
 */
export interface OriginList {
  readonly any: boolean;
  readonly loopback: boolean;
  readonly origins: ReadonlySet<string>;
}

/** `*`, or a comma-separated list of origins such as `https://ops.example.com,http://localhost:5173`. */
export function parseOrigins(text: string): ParseResult<OriginList> {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 1 && parts[0] === '*')
    return { ok: true, value: { any: true, loopback: false, origins: new Set() } };
  const origins = new Set<string>();
  for (const part of parts) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      return { ok: false, message: `"${part}" is not an origin such as https://ops.example.com` };
    }
    // An origin is scheme://host[:port] and nothing else; a path here is a misunderstanding.
    if (url.origin === 'null' || url.origin !== part.replace(/\/$/, '')) {
      return { ok: false, message: `"${part}" is not an origin (scheme://host[:port], no path)` };
    }
    origins.add(url.origin);
  }
  return { ok: true, value: { any: false, loopback: false, origins } };
}
