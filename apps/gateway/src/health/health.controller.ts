import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BUS, type Bus } from '../bus/bus.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { HistoryService } from '../history/history.service.js';
import { MqttBridge } from '../mqtt/bridge/mqtt-bridge.js';
import { Connections } from '../ws/connections.js';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(Connections) private readonly connections: Connections,
    @Inject(HistoryService) private readonly history: HistoryService,
    @Inject(MqttBridge) private readonly bridge: MqttBridge,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok'; serverId: string } {
    return { status: 'ok', serverId: this.config.serverId };
  }

  /**
   * Ready for new clients: not draining and the bus is usable. 503 says why not. `history`
   * reports the durable store but never makes the gateway unready: live traffic does not need
   * it, and while it is down points wait in the writer's buffer.
   */
  @Get('ready')
  ready(@Res({ passthrough: true }) res: Response): Record<string, unknown> {
    const bus = this.bus.status();
    const reason = this.connections.draining
      ? 'draining'
      : bus.ready
        ? undefined
        : (bus.reason ?? 'bus not ready');
    res.status(reason ? 503 : 200);
    return {
      status: reason ? 'not ready' : 'ready',
      ...(reason ? { reason } : {}),
      serverId: this.config.serverId,
      bus: bus.kind,
      connections: this.connections.all.size,
      history: this.history.status(),
      // Reported, not gating: clients of this gateway are served whether or not the bridge is up.
      ...(this.bridge.status ? { mqttBridge: this.bridge.status } : {}),
    };
  }
}
