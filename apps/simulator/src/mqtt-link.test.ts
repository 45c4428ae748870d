import { describe, expect, it } from 'vitest';
import { rejectionOf } from './mqtt-link.js';

const err = (code: number) => Object.assign(new Error('Publish error'), { code });

describe('rejectionOf (a negative PUBACK read as the gateway refusal)', () => {
  it('takes the Pulse code from the reason string and retryAfterMs from the user property', () => {
    const packet = {
      cmd: 'puback' as const,
      reasonCode: 0x97,
      properties: {
        reasonString: 'RATE_LIMITED: publish rate over quota',
        userProperties: { retryAfterMs: '250' },
      },
    };
    expect(rejectionOf(err(0x97), packet)).toEqual({ code: 'RATE_LIMITED', retryAfterMs: 250 });
  });

  it('falls back on the reason code when the broker sends no reason string', () => {
    expect(rejectionOf(err(0x87))).toEqual({ code: 'FORBIDDEN' });
    expect(rejectionOf(err(0x99))).toEqual({ code: 'INVALID_PAYLOAD' });
    expect(rejectionOf(err(0x80))).toEqual({ code: 'UNAVAILABLE' });
    expect(rejectionOf(err(0x9a))).toEqual({ code: 'UNKNOWN' });
    expect(rejectionOf(new Error('connection closed'))).toEqual({ code: 'UNAVAILABLE' });
  });
});
