import * as v from 'valibot';
import { ROLES } from '@pulse/protocol';

/** The claims Pulse reads from a token; anything else in it is ignored. */
export const ClaimsSchema = v.object({
  sub: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'sub must be 1-64 of [A-Za-z0-9_-]')),
  role: v.picklist(ROLES, `role must be one of ${ROLES.join(', ')}`),
  exp: v.optional(v.number()),
});
export type Claims = v.InferOutput<typeof ClaimsSchema>;

/** Who a connection is, as established before the upgrade. */
export interface Principal {
  readonly subject: string;
  readonly role: Claims['role'];
  /** Token expiry, ms since epoch, when the token has one. */
  readonly expiresAt?: number;
}
