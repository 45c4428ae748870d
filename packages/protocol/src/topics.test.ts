import { describe, expect, it } from 'vitest';
import {
  isTopic,
  isTopicPattern,
  parseTopicPattern,
  topicFamily,
  topicMatches,
  topics,
} from './topics.js';

describe('topic grammar', () => {
  it.each(['device.d-1.temperature', 'price.BTC-USD', 'alarm.d1.battery', 'presence.d_7'])(
    'accepts concrete topic %s',
    (t) => {
      expect(isTopic(t)).toBe(true);
      expect(isTopicPattern(t)).toBe(true);
    },
  );

  it.each(['device.*.temperature', 'device.d1.*', 'price.*', 'presence.*', 'alarm.*.battery'])(
    'accepts one-wildcard pattern %s but not as a topic',
    (p) => {
      expect(isTopicPattern(p)).toBe(true);
      expect(isTopic(p)).toBe(false);
    },
  );

  it.each([
    ['', 'empty'],
    ['device', 'too few segments'],
    ['device.d1', 'too few segments'],
    ['device.d1.temp.extra', 'too many segments'],
    ['price.a.b', 'too many segments'],
    ['weather.x', 'unknown family'],
    ['*.d1.temperature', 'wildcard family'],
    ['device.*.*', 'two wildcards'],
    ['device.d 1.temperature', 'space'],
    ['device..temperature', 'empty segment'],
    ['price.' + 'x'.repeat(65), 'segment too long'],
    ['price.d*', 'partial wildcard'],
    ['price.é', 'non-ascii'],
  ])('rejects %j (%s)', (t) => {
    expect(isTopicPattern(t)).toBe(false);
    expect(typeof parseTopicPattern(t)).toBe('string');
  });

  it('matches one segment per wildcard', () => {
    expect(topicMatches('device.*.temperature', 'device.d1.temperature')).toBe(true);
    expect(topicMatches('device.*.temperature', 'device.d1.humidity')).toBe(false);
    expect(topicMatches('device.d1.*', 'device.d1.humidity')).toBe(true);
    expect(topicMatches('device.d1.*', 'device.d10.humidity')).toBe(false);
    expect(topicMatches('price.*', 'price.AAPL')).toBe(true);
    expect(topicMatches('price.*', 'presence.AAPL')).toBe(false);
    expect(topicMatches('price.AAPL', 'price.AAPL')).toBe(true);
    expect(topicMatches('price.AAPL', 'price.AAP')).toBe(false);
  });

  it('builds and reads topics', () => {
    expect(topics.device('d1', 'battery')).toBe('device.d1.battery');
    expect(topicFamily(topics.price('X'))).toBe('price');
    expect(topicFamily('nope.x')).toBeUndefined();
  });
});
