import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { ProxyTrust } from '../config/proxy-trust.js';

/** Where the gate leaves the resolved address, so later readers agree with the limits. */
const ADDRESS = Symbol('pulse.clientAddress');
type StampedRequest = IncomingMessage & { [ADDRESS]?: string };

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the nearest
 * address in `X-Forwarded-For` that is not one (proxy-addr walks the header from the right, so
 * a client cannot pose as someone else by sending the header itself). Per-address limits count
 * this address, and it is remembered on the request for logs and the connection.
 */
export function resolveClientAddress(req: IncomingMessage, trust: ProxyTrust): string {
  // proxy-addr reads `req.connection`, the deprecated alias of `req.socket`.
  const address = req.socket.remoteAddress ? proxyaddr(req as never, trust) : 'unknown';
  (req as StampedRequest)[ADDRESS] = address;
  return address;
}

/** The address `resolveClientAddress` found for `req`, else the socket's peer. */
export function addressOf(req: IncomingMessage): string {
  return (req as StampedRequest)[ADDRESS] ?? req.socket.remoteAddress ?? 'unknown';
}
