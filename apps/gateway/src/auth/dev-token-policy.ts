import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ErrorCode } from '@pulse/protocol';
import proxyaddr from 'proxy-addr';
import { isLoopbackHost } from '../config/loopback.js';
import { proxyTrust, type ProxyTrust } from '../config/proxy-trust.js';
import { deny, type Denial } from './denial.js';

/**
 * Who may have a development token: a request from this machine (`DEV_TOKEN_CLIENTS`, default
 * loopback) that no web page from another origin made. Development tokens are minted for any
 * role, admin included, so they must not reach the network or a page the operator happens to
 * visit. Every check errs towards refusing: the demo's own callers pass all of them.
 */
export class DevTokenPolicy {
  private readonly clients: ProxyTrust;

  constructor(clients: readonly string[]) {
    this.clients = proxyTrust(clients);
  }

  refusal(req: IncomingMessage): Denial | undefined {
    return this.notLocal(req) ?? this.crossOrigin(req);
  }

  /**
   * The socket's peer and every address a proxy forwarded for (a proxy on this machine, such
   * as the console's Vite server or the cluster's balancer, forwards for someone else). A
   * client can add false `X-Forwarded-For` entries but cannot remove the ones proxies append,
   * so requiring all of them to match can only refuse more. `Forwarded` is not parsed here;
   * a request carrying it is refused.
   */
  private notLocal(req: IncomingMessage): Denial | undefined {
    const hops = req.socket.remoteAddress ? proxyaddr.all(req as never) : [];
    const local =
      hops.length > 0 &&
      hops.every((address, i) => this.clients(address, i)) &&
      req.headers.forwarded === undefined;
    if (local) return undefined;
    return deny(
      403,
      ErrorCode.FORBIDDEN,
      'development tokens are served to clients on this machine only (DEV_TOKEN_CLIENTS)',
    );
  }

  /**
   * No credentialed CORS here, and the browser's own signals refused: a cross-origin `Origin`
   * (sent on cross-origin fetches), `Sec-Fetch-Site` other than same-origin/none. The `Host`
   * must be an address or localhost, so a DNS-rebinding page (evil.example resolving to
   * 127.0.0.1, hence "same origin") is refused too.
   */
  private crossOrigin(req: IncomingMessage): Denial | undefined {
    const host = req.headers.host ?? '';
    const hostname = host.replace(/:\d+$/, '');
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    const ok =
      (isIP(hostname.replace(/^\[|\]$/g, '')) !== 0 || isLoopbackHost(hostname)) &&
      (site === undefined || site === 'same-origin' || site === 'none') &&
      (origin === undefined || sameOrigin(origin, host));
    if (ok) return undefined;
    return deny(
      403,
      ErrorCode.ORIGIN_NOT_ALLOWED,
      'development tokens are not served to pages of other origins',
    );
  }
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
