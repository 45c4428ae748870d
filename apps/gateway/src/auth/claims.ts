import * as v from 'valibot';
import { ROLES, TopicPattern } from '@pulse/protocol';

/** Most entries a token's `topics` allow-list may hold. */
export const MAX_ALLOWED_TOPICS = 100;

/** The claims Pulse reads from a token; anything else in it is ignored. */
export const ClaimsSchema = v.object({
  sub: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'sub must be 1-64 of [A-Za-z0-9_-]')),
  role: v.picklist(ROLES, `role must be one of ${ROLES.join(', ')}`),
  exp: v.optional(v.number()),
  /**
   * Optional allow-list of topics and patterns: when present, the token reaches only these
   * (on top of what its role allows), e.g. a kiosk limited to `price.*`.
   */
  topics: v.optional(
    v.pipe(
      v.array(TopicPattern),
      v.maxLength(MAX_ALLOWED_TOPICS, `topics must list at most ${MAX_ALLOWED_TOPICS} patterns`),
    ),
  ),
});
export type Claims = v.InferOutput<typeof ClaimsSchema>;

/** Who a connection is, as established before the upgrade. */
export interface Principal {
  readonly subject: string;
  readonly role: Claims['role'];
  /** Token expiry, ms since epoch, when the token has one. */
  readonly expiresAt?: number;
  /** The token's topic allow-list, when it has one. */
  readonly topics?: readonly string[];
}

/** The claims a token is minted from. */
export type MintClaims = Pick<Claims, 'sub' | 'role' | 'topics'>;
