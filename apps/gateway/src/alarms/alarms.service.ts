import { Inject, Injectable, Logger } from '@nestjs/common';
import { topics, type Alarm, type AnyPayload } from '@pulse/protocol';
import { BUS, type Bus } from '../bus/bus.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { Stats } from '../metrics/stats.js';
import { AlarmEvaluator } from './alarm-evaluator.js';

/**
 * Checks every accepted device reading against `ALARM_RULES` and publishes each raise and clear
 * on `alarm.<deviceId>.<metric>` through the bus, so every operator on every instance sees the
 * same alarms, with sequence, history and resume like any topic.
 */
@Injectable()
export class AlarmsService {
  private readonly logger = new Logger('Alarms');
  private readonly evaluator: AlarmEvaluator;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(CONFIG) config: GatewayConfig,
    @Inject(Stats) private readonly stats: Stats,
  ) {
    this.evaluator = new AlarmEvaluator(config.alarmRules);
  }

  /** One publish the bus stored (`ts` = its server time); only device readings matter. */
  observe(topic: string, payload: AnyPayload, ts: number): void {
    if (!('value' in payload) || !('unit' in payload)) return;
    const changes = this.evaluator.evaluate(topic, payload.value, ts);
    if (changes) for (const alarm of changes) this.publish(alarm);
  }

  private publish(alarm: Alarm): void {
    this.bus.publish(topics.alarm(alarm.deviceId, alarm.metric), alarm).then(
      () => (this.stats.published['alarm'] = (this.stats.published['alarm'] ?? 0) + 1),
      (err: unknown) =>
        this.logger.warn(
          `alarm ${alarm.state} ${alarm.deviceId}.${alarm.metric} not published: ${String(err)}`,
        ),
    );
  }
}
