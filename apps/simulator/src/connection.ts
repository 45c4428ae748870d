import { PulseClient } from '@pulse/client';
import type { CodecName, ErrorFrame, Notice, Role } from '@pulse/protocol';
import WebSocket from 'ws';
import type { Link } from './publisher.js';
import type { TokenSource } from './tokens.js';

/**
 * The one place that knows the `PulseClient` API: everything else sees a `Connection`, so
 * publishers and devices are tested against a fake without sockets.
 */

export interface ConnectionStatusEvent {
  readonly status: 'connecting' | 'connected' | 'reconnecting' | 'disconnected';
  readonly closeCode?: number | undefined;
  readonly closeReason?: string | undefined;
}

/** What a connection reports to its owner. */
export interface ConnectionEvents {
  onStatus(event: ConnectionStatusEvent): void;
  onError(frame: ErrorFrame): void;
  onNotice(notice: Notice): void;
}

/** A live client connection for one identity; `close()` ends it for good. */
export interface Connection extends Link {
  close(): void;
}

/** Opens a connection for `role`/`sub`; it connects at once and reconnects on its own. */
export type Opener = (role: Role, sub: string, events: ConnectionEvents) => Connection;

export interface OpenerOptions {
  readonly url: string;
  readonly codec: CodecName;
  readonly tokens: TokenSource;
}

export function createOpener(o: OpenerOptions): Opener {
  return (role, sub, events) => {
    const client = new PulseClient({
      url: o.url,
      token: o.tokens(role, sub),
      codec: o.codec,
      WebSocket,
    });
    client.on('status', (e) =>
      events.onStatus({ status: e.status, closeCode: e.closeCode, closeReason: e.closeReason }),
    );
    client.on('error', (frame) => events.onError(frame));
    client.on('notice', (notice) => events.onNotice(notice));
    // Failures surface as status events; the client keeps retrying by itself.
    client.connect();
    return {
      // Topics are built by `topics.*` and payloads by the signal generators, so the
      // per-family payload typing of `publish` is satisfied by construction.
      publish: (topic, payload) => client.publish(topic as never, payload as never),
      publishAcked: (topic, payload, key) =>
        client.publish(topic as never, payload as never, { ack: true, key }),
      close: () => client.close(),
    };
  };
}
