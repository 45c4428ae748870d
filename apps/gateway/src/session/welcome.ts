import { PROTOCOL_VERSION, type Welcome } from '@pulse/protocol';
import type { Principal } from '../auth/claims.js';
import type { GatewayConfig } from '../config/config.schema.js';

/** The first frame of every connection, WebSocket or SSE: who it is and the limits it gets. */
export function welcomeFrame(
  config: GatewayConfig,
  connectionId: string,
  principal: Principal,
): Welcome {
  return {
    type: 'welcome',
    protocol: PROTOCOL_VERSION,
    serverId: config.serverId,
    connectionId,
    heartbeatMs: config.heartbeatMs,
    role: principal.role,
    subject: principal.subject,
    limits: {
      maxFrameBytes: config.maxFrameBytes,
      maxSubscriptions: config.maxSubscriptions,
      historySize: config.historySize,
    },
  };
}
