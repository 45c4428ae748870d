import type { PulseClient } from '@pulse/client';
import type { Alarm, Presence, PriceTick, SensorReading, TopicMessage } from '@pulse/protocol';
import { Feeds } from './feeds.js';
import { SeqGuard } from './lib/seq-guard.js';
import type { AlarmsState } from './state/alarms.svelte.js';
import type { ConnectionState } from './state/connection.svelte.js';
import { METRICS, type FleetState } from './state/fleet.svelte.js';
import type { MarketsState } from './state/markets.svelte.js';

/** The stores one console session feeds. */
export interface SessionStores {
  readonly connection: ConnectionState;
  readonly fleet: FleetState;
  readonly markets: MarketsState;
  readonly alarms: AlarmsState;
}

export interface Session {
  /** The view subscriptions; the app applies a new plan when the view or its settings change. */
  readonly feeds: Feeds;
  dispose(): void;
}

/** Recent alarm changes per device metric sent on connect, so the list is not empty at start. */
export const ALARM_HISTORY = 50;

/**
 * Wires a client to the stores: connection events to the bar; presence and alarms (always on,
 * every view marks devices with them; one `alarm.*.<metric>` per metric since a pattern has a
 * single wildcard); and the view feeds. Every topic message passes one `SeqGuard`, so a view
 * that re-subscribes with history applies only what it had not seen.
 */
export function wireSession(client: PulseClient, stores: SessionStores): Session {
  const { connection, fleet, markets, alarms } = stores;
  const guard = new SeqGuard();
  const route =
    <P>(apply: (m: TopicMessage<P>) => void) =>
    (m: TopicMessage<unknown>) => {
      connection.countMessages();
      if (guard.accept(m.topic, m.epoch, m.seq)) apply(m as TopicMessage<P>);
    };
  const feeds = new Feeds(client, {
    device: route<SensorReading>((m) => fleet.ingestReading(m)),
    price: route<PriceTick>((m) => markets.ingest(m)),
  });
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
    client.on('notice', (n) => connection.onNotice(n)),
    client.subscribe(
      'presence.*',
      route<Presence>((m) => fleet.ingestPresence(m)),
    ),
    ...METRICS.map((metric) =>
      client.subscribe(
        `alarm.*.${metric}`,
        route<Alarm>((m) => alarms.ingest(m)),
        { history: ALARM_HISTORY },
      ),
    ),
  ];
  return {
    feeds,
    dispose() {
      feeds.dispose();
      for (const off of offs) off();
    },
  };
}
