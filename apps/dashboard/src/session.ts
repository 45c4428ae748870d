import type { PulseClient } from '@pulse/client';
import type { ConnectionState } from './state/connection.svelte.js';
import { METRICS, type FleetState } from './state/fleet.svelte.js';
import type { MarketsState } from './state/markets.svelte.js';

/** The stores one console session feeds. */
export interface SessionStores {
  readonly connection: ConnectionState;
  readonly fleet: FleetState;
  readonly markets: MarketsState;
}

/**
 * Wires a client to the stores: connection events to the bar, and the console's
 * subscriptions (presence, one per device metric — patterns allow a single wildcard —
 * and prices) to the lists and series. Returns the teardown.
 */
export function wireSession(
  client: PulseClient,
  { connection, fleet, markets }: SessionStores,
): () => void {
  const offs: (() => void)[] = [
    client.on('status', (e) => connection.onStatus(e)),
    client.on('welcome', (w) => {
      connection.onWelcome(w);
      // The client's own pings come once per heartbeat (15 s); measure once now so the bar
      // shows a round trip right after connecting. A failure just leaves the last value.
      client.ping().then(
        (rttMs) => connection.onLatency(rttMs),
        () => {},
      );
    }),
    client.on('latency', (e) => connection.onLatency(e.rttMs)),
    client.on('resumed', (e) => connection.onResumed(e.recovered)),
    client.subscribe('presence.*', (m) => {
      connection.countMessages();
      fleet.ingestPresence(m);
    }),
    ...METRICS.map((metric) =>
      client.subscribe(`device.*.${metric}`, (m) => {
        connection.countMessages();
        fleet.ingestReading(m);
      }),
    ),
    client.subscribe('price.*', (m) => {
      connection.countMessages();
      markets.ingest(m);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
