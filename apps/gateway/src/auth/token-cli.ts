#!/usr/bin/env node
/**
 * Mints a token for development and operations (build first: `pnpm build`):
 *   JWT_SECRET=... pnpm -s run token -- --role device --sub dev-7 --ttl 1h [--topics 'device.dev-7.*']
 * (`pnpm token` itself is pnpm's passthrough to `npm token`, so the script needs `run`.)
 */
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { ClaimsSchema } from './claims.js';
import { signToken } from './token.service.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseTtl(text: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[m[2] || 's'] ?? 1);
}

const USAGE =
  'usage: pulse token --role operator|device|feed|admin --sub <id> [--ttl 1h] [--topics p1,p2]';

function fail(message: string): never {
  process.stderr.write(`pulse token: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** The CLI's arguments; a `--` forwarded by `pnpm run token -- ...` is not one of them. */
export function cliArgs(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: cliArgs(process.argv),
      options: {
        role: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string', default: '1h' },
        topics: { type: 'string' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const claims = v.safeParse(
    v.object({
      role: ClaimsSchema.entries.role,
      sub: ClaimsSchema.entries.sub,
      topics: ClaimsSchema.entries.topics,
    }),
    {
      role: values.role,
      sub: values.sub,
      topics: values.topics?.split(',').map((t) => t.trim()),
    },
  );
  if (!claims.success) {
    const issue = claims.issues[0];
    fail(issue ? `${v.getDotPath(issue) ?? 'arguments'}: ${issue.message}` : 'bad arguments');
  }
  const ttl = parseTtl(values.ttl ?? '1h');
  if (!ttl) fail('--ttl must look like 3600, 90s, 30m, 1h or 7d');
  const secret = process.env.JWT_SECRET;
  if (!secret || secret.length < 32)
    fail('JWT_SECRET must be set (at least 32 characters), the same as the gateway');
  process.stdout.write(
    `${await signToken(new TextEncoder().encode(secret), claims.output, ttl)}\n`,
  );
}

void main();
