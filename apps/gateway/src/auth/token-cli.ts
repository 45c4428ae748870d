#!/usr/bin/env node
/**
 * Mints a token for development and operations (build first: `pnpm build`):
 *   JWT_SECRET=... pnpm -s run token -- --role device --sub dev-7 --ttl 1h [--topics 'device.dev-7.*']
 * (`pnpm token` itself is pnpm's passthrough to `npm token`, so the script needs `run`.)
 */
import { cliArgs, mintFromArgs, USAGE } from './token-mint.js';

const result = await mintFromArgs(cliArgs(process.argv), process.env);
if (result.ok) {
  process.stdout.write(`${result.token}\n`);
} else {
  process.stderr.write(`pulse token: ${result.message}\n${USAGE}\n`);
  process.exit(2);
}
