import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { DEFAULT_ALARM_RULES, parseAlarmRules } from './alarm-rules.js';

describe('parseAlarmRules', () => {
  it('reads above/below rules with a duration in ms, s (default) or m', () => {
    const r = parseAlarmRules(
      'temperature>30:10s; battery<15:0s;humidity>80.5:1.5m;vibration>-2:250ms;x<1',
    );
    expect(r).toEqual({
      ok: true,
      value: [
        {
          metric: 'temperature',
          op: '>',
          threshold: 30,
          forMs: 10_000,
          text: 'temperature>30:10s',
        },
        { metric: 'battery', op: '<', threshold: 15, forMs: 0, text: 'battery<15:0s' },
        { metric: 'humidity', op: '>', threshold: 80.5, forMs: 90_000, text: 'humidity>80.5:90s' },
        { metric: 'vibration', op: '>', threshold: -2, forMs: 250, text: 'vibration>-2:250ms' },
        { metric: 'x', op: '<', threshold: 1, forMs: 0, text: 'x<1:0s' },
      ],
    });
  });

  it('turns alarms off with none or nothing', () => {
    expect(parseAlarmRules('none')).toEqual({ ok: true, value: [] });
    expect(parseAlarmRules('')).toEqual({ ok: true, value: [] });
  });

  it('names the rule it cannot read', () => {
    for (const bad of ['temperature=30', 'temperature>hot', 'temp erature>1', '>30:1s', 'a>1:5h']) {
      const r = parseAlarmRules(`battery<15;${bad}`);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain(bad);
    }
    expect(parseAlarmRules('a>1:1441m')).toMatchObject({ ok: false, message: /at most 24 h/ });
  });

  it('is read from ALARM_RULES with a default, and a bad value stops the start', () => {
    expect(loadConfig({}).alarmRules).toEqual(
      (parseAlarmRules(DEFAULT_ALARM_RULES) as { value: unknown }).value,
    );
    expect(loadConfig({ ALARM_RULES: 'none' }).alarmRules).toEqual([]);
    expect(() => loadConfig({ ALARM_RULES: 'temperature>>30' })).toThrow(
      /ALARM_RULES="temperature>>30": "temperature>>30" is not metric>threshold/,
    );
  });
});
