import proxyaddr from 'proxy-addr';

/** Decides whether a hop's address is a proxy whose `X-Forwarded-For` may be believed. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * Trust for `TRUSTED_PROXIES`: addresses, CIDR ranges, or proxy-addr's names (`loopback`,
 * `linklocal`, `uniquelocal`). Throws a TypeError naming a bad entry.
 */
export function proxyTrust(entries: readonly string[]): ProxyTrust {
  return proxyaddr.compile([...entries]);
}
