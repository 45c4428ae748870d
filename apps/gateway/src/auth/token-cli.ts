#!/usr/bin/env node
/**
 * Mints a token for development and operations:
 *   JWT_SECRET=... pnpm token -- --role device --sub dev-7 --ttl 1h
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

function fail(message: string): never {
  process.stderr.write(
    `pulse token: ${message}\nusage: pulse token --role operator|device|feed|admin --sub <id> [--ttl 1h]\n`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        role: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string', default: '1h' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const claims = v.safeParse(
    v.object({ role: ClaimsSchema.entries.role, sub: ClaimsSchema.entries.sub }),
    values,
  );
  if (!claims.success) fail(claims.issues[0]?.message ?? 'bad arguments');
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
