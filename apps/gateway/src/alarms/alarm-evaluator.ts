import type { Alarm } from '@pulse/protocol';
import type { AlarmRule } from '../config/alarm-rules.js';

/** Where one rule stands for one topic while its condition holds or its alarm is raised. */
interface RuleState {
  readonly rule: AlarmRule;
  /** Time of the first reading of the current breach; undefined when not breaching. */
  since: number | undefined;
  raised: boolean;
}

const PREFIX = 'device.';

/**
 * Evaluates threshold rules on device readings, one call per accepted reading. Plain and cheap
 * on the hot path: a metric without rules costs one map lookup, and state is kept only for
 * topics that are breaching or alarmed, so memory follows what is abnormal, not the fleet.
 *
 * Time is the reading's server timestamp, so "for N seconds" means: raised on the first
 * reading at least N s after the breach began with no reading in between back inside the
 * threshold; cleared on the first reading back inside it.
 */
export class AlarmEvaluator {
  private readonly byMetric = new Map<string, AlarmRule[]>();
  /** Per topic, only while some rule of it breaches or is raised. */
  private readonly states = new Map<string, RuleState[]>();

  constructor(rules: readonly AlarmRule[]) {
    for (const rule of rules) {
      const list = this.byMetric.get(rule.metric) ?? [];
      list.push(rule);
      this.byMetric.set(rule.metric, list);
    }
  }

  /** Topics currently holding state (breaching or alarmed). */
  get tracked(): number {
    return this.states.size;
  }

  /**
   * Feeds the reading `value` of `device.<id>.<metric>` taken at `ts` (ms); returns the alarms
   * that changed state with it, or undefined (the usual case, with no allocation).
   */
  evaluate(topic: string, value: number, ts: number): Alarm[] | undefined {
    const lastDot = topic.lastIndexOf('.');
    if (!topic.startsWith(PREFIX) || lastDot <= PREFIX.length) return undefined;
    const rules = this.byMetric.get(topic.slice(lastDot + 1));
    if (!rules) return undefined;
    let states = this.states.get(topic);
    let changes: Alarm[] | undefined;
    let idle = true;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const breach = breaches(rule, value);
      if (!states) {
        if (!breach) continue;
        states = rules.map((r) => ({ rule: r, since: undefined, raised: false }));
        this.states.set(topic, states);
      }
      const s = states[i]!;
      if (breach) {
        s.since ??= ts;
        if (!s.raised && ts - s.since >= rule.forMs) {
          s.raised = true;
          (changes ??= []).push(alarm(topic, lastDot, rule, 'raised', value, ts));
        }
      } else {
        s.since = undefined;
        if (s.raised) {
          s.raised = false;
          (changes ??= []).push(alarm(topic, lastDot, rule, 'cleared', value, ts));
        }
      }
      if (s.since !== undefined || s.raised) idle = false;
    }
    if (states && idle) this.states.delete(topic);
    return changes;
  }
}

function alarm(
  topic: string,
  lastDot: number,
  rule: AlarmRule,
  state: Alarm['state'],
  value: number,
  ts: number,
): Alarm {
  return {
    deviceId: topic.slice(PREFIX.length, lastDot),
    metric: rule.metric,
    state,
    value,
    threshold: rule.threshold,
    rule: rule.text,
    ts,
  };
}

/** Whether `value` breaks `rule`'s threshold (the duration is the evaluator's business). */
export function breaches(rule: AlarmRule, value: number): boolean {
  return rule.op === '>' ? value > rule.threshold : value < rule.threshold;
}
