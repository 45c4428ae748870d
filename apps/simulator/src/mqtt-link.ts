import type { ErrorCode } from '@pulse/protocol';
import mqtt, { type MqttClient, type Packet } from 'mqtt';
import type { Connection, Opener } from './connection.js';
import type { Rejection } from './publisher.js';
import type { TokenSource } from './tokens.js';

/** Default bound on QoS 1 publishes sent and not yet acknowledged, per connection. */
export const DEFAULT_MQTT_WINDOW = 64;
/** Fixed reconnect delay; a dropout's reconnect is a new client anyway. */
const RECONNECT_MS = 1000;

/** MQTT 5 reason codes the gateway answers a refused publish with (protocol §25.4). */
const CODE_OF_REASON: Readonly<Record<number, string>> = {
  0x87: 'FORBIDDEN',
  0x97: 'RATE_LIMITED',
  0x99: 'INVALID_PAYLOAD',
  0x90: 'INVALID_TOPIC',
  0x83: 'INVALID_MESSAGE',
  0x80: 'UNAVAILABLE',
};

export interface MqttOpenerOptions {
  /** `mqtt://host:port` (or `ws://host:port/mqtt`). */
  readonly mqttUrl: string;
  readonly tokens: TokenSource;
  /** Most QoS 1 publishes awaiting PUBACK; past it a send is refused as `MQTT_WINDOW_FULL`. */
  readonly window?: number;
}

/**
 * The `Connection` of one simulated publisher over MQTT 5 (protocol §25): the token is the
 * password, every publish is QoS 1, and the PUBACK's reason code and properties are read as
 * the gateway's refusal (`RATE_LIMITED` with `retryAfterMs` pauses the publisher). A bounded
 * window of unacknowledged publishes is the backpressure: when the gateway stops reading (its
 * ingest is saturated) PUBACKs stop, the window fills, and the publisher is told to slow down
 * instead of mqtt.js queueing without bound.
 */
export function createMqttOpener(o: MqttOpenerOptions): Opener {
  const window = o.window ?? DEFAULT_MQTT_WINDOW;
  return (role, sub, events) => {
    const token = o.tokens(role, sub);
    let client: MqttClient | undefined;
    let closed = false;
    let inFlight = 0;
    events.onStatus({ status: 'connecting' });
    token().then(
      (password) => {
        if (closed) return;
        client = mqtt.connect(o.mqttUrl, {
          protocolVersion: 5,
          clientId: `sim-${sub}-${Math.random().toString(36).slice(2, 8)}`,
          username: sub,
          password,
          reconnectPeriod: RECONNECT_MS,
          connectTimeout: 10_000,
        });
        client.on('connect', () => events.onStatus({ status: 'connected' }));
        client.on('close', () => {
          if (closed) return;
          events.onStatus({ status: 'reconnecting', closeReason: lastError });
          // A refreshed token for the next attempt (cached until close to expiry).
          token().then(
            (t) => client && (client.options.password = t),
            () => {},
          );
        });
        let lastError: string | undefined;
        client.on('error', (err) => (lastError = err.message));
        client.on('disconnect', (p) => (lastError = p.properties?.reasonString ?? lastError));
      },
      (err: Error) => events.onStatus({ status: 'reconnecting', closeReason: err.message }),
    );

    const send = (topic: string, payload: unknown, key?: string): Promise<void> => {
      if (!client?.connected) return Promise.reject(refusal('NOT_CONNECTED'));
      if (inFlight >= window) {
        // Backpressure: the gateway has not acknowledged `window` publishes yet.
        events.onNotice({
          type: 'notice',
          code: 'SLOW_DOWN',
          message: `${window} publishes awaiting PUBACK`,
          retryAfterMs: 100,
        });
        return Promise.reject(refusal('MQTT_WINDOW_FULL'));
      }
      inFlight++;
      const c = client;
      return new Promise((resolve, reject) => {
        c.publish(
          topic.replaceAll('.', '/'),
          JSON.stringify(payload),
          {
            qos: 1,
            ...(key === undefined ? {} : { properties: { userProperties: { key } } }),
          },
          (err, packet) => {
            inFlight--;
            if (!err) return resolve();
            reject(rejectionOf(err, packet));
          },
        );
      });
    };

    const connection: Connection = {
      publish: (topic, payload) => {
        const result = send(topic, payload);
        // Fire and forget, as on the WebSocket: a refusal arrives later, like an error frame.
        result.catch((r: Rejection) => {
          // Codes of this link's own (MQTT_WINDOW_FULL, NOT_CONNECTED) are counted like the
          // gateway's: the publisher only reads `code` and `retryAfterMs`.
          if (!closed)
            events.onError({ type: 'error', message: r.code, ...r, code: r.code as ErrorCode });
        });
      },
      publishAcked: (topic, payload, key) => send(topic, payload, key),
      close: () => {
        if (closed) return;
        closed = true;
        client?.end(true);
        events.onStatus({ status: 'disconnected' });
      },
    };
    return connection;
  };
}

/** What a PUBACK's MQTT 5 properties may carry (mqtt-packet's IPubackPacket, not re-exported). */
interface AckProperties {
  readonly reasonString?: string;
  readonly userProperties?: Readonly<Record<string, string | string[]>>;
}

function refusal(code: string): Rejection {
  return { code };
}

/**
 * The gateway's refusal from a negative PUBACK: the Pulse code leads the reason string
 * (`RATE_LIMITED: publish rate over quota`), `retryAfterMs` is a user property.
 */
export function rejectionOf(err: Error & { code?: unknown }, packet?: Packet): Rejection {
  const props = (packet as { properties?: AckProperties } | undefined)?.properties;
  const fromString = /^([A-Z_]+):/.exec(props?.reasonString ?? '')?.[1];
  const reason = typeof err.code === 'number' ? err.code : undefined;
  const retry = Number(props?.userProperties?.retryAfterMs);
  return {
    code:
      fromString ?? (reason === undefined ? 'UNAVAILABLE' : (CODE_OF_REASON[reason] ?? 'UNKNOWN')),
    ...(Number.isFinite(retry) ? { retryAfterMs: retry } : {}),
  };
}
