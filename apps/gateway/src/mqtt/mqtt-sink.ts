import { CloseCode } from '@pulse/protocol';
import { SINK_OPEN, type Sink } from '../client/sink.js';
import type { MqttConnection } from './mqtt-connection.js';
import { Reason } from './reason-codes.js';

const CLOSED = 3;

/** Why the gateway ends a client (its close code) as an MQTT 5 DISCONNECT reason code. */
const DISCONNECT_REASONS: Partial<Record<number, number>> = {
  [CloseCode.SLOW_CONSUMER]: Reason.QUOTA_EXCEEDED,
  [CloseCode.RATE_LIMIT_ABUSE]: Reason.QUOTA_EXCEEDED,
  [CloseCode.TOKEN_EXPIRED]: Reason.NOT_AUTHORIZED,
  [CloseCode.SERVICE_RESTART]: Reason.SERVER_SHUTTING_DOWN,
};

/**
 * An MQTT connection seen as a `Sink`, so the outflow holds an MQTT subscriber to the same send
 * budget as a WebSocket: `bufferedAmount` is the socket's unsent bytes, and a close for being
 * slow (4100) is a DISCONNECT 0x97. Updates are written by the peer as PUBLISH packets
 * (`mqtt-peer.ts`); the other frames a client is sent (notices such as CONFLATED or
 * TOKEN_EXPIRING) have no MQTT form and are dropped here.
 */
export class MqttSink implements Sink {
  /** The close code and reason given by the gateway, if it ended the connection. */
  closeCode: number | undefined;
  closeReason = '';

  constructor(private readonly conn: MqttConnection) {}

  get readyState(): number {
    return this.conn.isOpen ? SINK_OPEN : CLOSED;
  }

  get bufferedAmount(): number {
    return this.conn.bufferedAmount;
  }

  send(): void {}

  close(code: number, reason: string): void {
    if (!this.conn.isOpen) return;
    this.closeCode = code;
    this.closeReason = reason;
    this.conn.disconnect(DISCONNECT_REASONS[code] ?? Reason.UNSPECIFIED, reason);
  }

  /** The connection already cuts a peer that does not take its last packet (its linger). */
  terminate(): void {
    this.conn.disconnect(Reason.UNSPECIFIED, 'terminated');
  }

  // Reading is paused by the ingest gate through the connection itself, not the subscriber.
  pause(): void {}
  resume(): void {}
}
