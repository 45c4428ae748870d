import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { parseDuration } from '../config/duration.js';
import { ClaimsSchema } from './claims.js';
import { signToken } from './token.service.js';

export const USAGE =
  'usage: pulse token --role operator|device|feed|admin --sub <id> [--ttl 1h] [--topics p1,p2]';

export function parseTtl(text: string): number | undefined {
  const r = parseDuration(text);
  return r.ok ? r.value : undefined;
}

/** The CLI's arguments; a leading `--` forwarded by `pnpm run token -- ...` is not one of them. */
export function cliArgs(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}

/** Mints the token the arguments ask for, signed with `env.JWT_SECRET`. */
export async function mintFromArgs(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ ok: true; token: string } | { ok: false; message: string }> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        role: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string', default: '1h' },
        topics: { type: 'string' },
      },
    }));
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const claims = v.safeParse(
    v.object({
      role: ClaimsSchema.entries.role,
      sub: ClaimsSchema.entries.sub,
      topics: ClaimsSchema.entries.topics,
    }),
    { role: values.role, sub: values.sub, topics: values.topics?.split(',').map((t) => t.trim()) },
  );
  if (!claims.success) {
    const issue = claims.issues[0];
    return {
      ok: false,
      message: issue ? `${v.getDotPath(issue) ?? 'arguments'}: ${issue.message}` : 'bad arguments',
    };
  }
  const ttl = parseTtl(values.ttl ?? '1h');
  if (!ttl) return { ok: false, message: '--ttl must look like 3600, 90s, 30m, 1h or 7d' };
  // The gateway refuses a token that lives longer than its TOKEN_MAX_TTL: say so now, not at
  // the device's first connect.
  const max = parseTtl(env.TOKEN_MAX_TTL ?? '24h');
  if (!max) return { ok: false, message: 'TOKEN_MAX_TTL must look like 3600, 90s, 30m, 1h or 7d' };
  if (ttl > max)
    return {
      ok: false,
      message: `--ttl ${values.ttl} is longer than TOKEN_MAX_TTL (${max} s): the gateway would refuse the token`,
    };
  const secret = env.JWT_SECRET;
  if (!secret || secret.length < 32)
    return {
      ok: false,
      message: 'JWT_SECRET must be set (at least 32 characters), the same as the gateway',
    };
  return { ok: true, token: await signToken(new TextEncoder().encode(secret), claims.output, ttl) };
}
