import fc from 'fast-check';
import { isTopic } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { canPublish } from '../../auth/acl.js';
import { bridgedPrincipal } from './bridged-principal.js';

const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const family = fc.constantFrom('device', 'price', 'alarm', 'presence', 'other');
/** Any well-formed topic of any family (and some of none), as the bridge may see them. */
const topic = fc
  .tuple(family, fc.array(segment, { minLength: 1, maxLength: 3 }))
  .map(([f, rest]) => [f, ...rest].join('.'));

describe('bridgedPrincipal (who a bridged publish counts as)', () => {
  it('may publish every device and price topic, and nothing of the gateway’s own', () => {
    // Malformed topics never get here: `publishRequestOf` refuses them first.
    fc.assert(
      fc.property(topic.filter(isTopic), (t) => {
        const publishable = t.startsWith('device.') || t.startsWith('price.');
        expect(canPublish(bridgedPrincipal(t), t)).toBe(publishable);
      }),
    );
  });

  it('gives each device its own subject (its own publish quota), and all prices one feed', () => {
    fc.assert(
      fc.property(segment, segment, segment, (a, b, metric) => {
        const pa = bridgedPrincipal(`device.${a}.${metric}`);
        const pb = bridgedPrincipal(`device.${b}.${metric}`);
        expect(pa).toEqual({ subject: a, role: 'device' });
        expect(pa.subject === pb.subject).toBe(a === b);
        expect(bridgedPrincipal(`price.${a}`)).toEqual(bridgedPrincipal(`price.${b}`));
      }),
    );
  });
});
