import type { IConnackPacket } from 'mqtt-packet';
import type { ErrorCode } from '@pulse/protocol';
import { connectRefusal, ConnackV3, Reason } from './reason-codes.js';

/** The CONNACK refusing a connect (token or connect limits); MQTT 5 also hears the Pulse code. */
export function refusingConnack(v5: boolean, code: ErrorCode, reason: string): IConnackPacket {
  const returned = connectRefusal(code, v5);
  return v5
    ? {
        cmd: 'connack',
        sessionPresent: false,
        reasonCode: returned,
        properties: { reasonString: `${code}: ${reason}` },
      }
    : { cmd: 'connack', sessionPresent: false, returnCode: returned };
}

/**
 * The CONNACK accepting a connect. MQTT 5 is told what this broker offers (protocol §25.2):
 * the packet size limit, retain, `+` wildcards (no `#`: refused per filter), no shared
 * subscriptions or subscription identifiers, no session state.
 */
export function acceptingConnack(
  v5: boolean,
  maxPacketBytes: number,
  clientId: string,
): IConnackPacket {
  if (!v5) return { cmd: 'connack', sessionPresent: false, returnCode: ConnackV3.ACCEPTED };
  return {
    cmd: 'connack',
    sessionPresent: false,
    reasonCode: Reason.SUCCESS,
    properties: {
      maximumPacketSize: maxPacketBytes,
      retainAvailable: true,
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: false,
      ...(clientId ? {} : { assignedClientIdentifier: `pulse-${Date.now()}` }),
    },
  };
}
