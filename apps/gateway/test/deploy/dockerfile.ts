import { readFileSync } from 'node:fs';
import { repoRoot } from './processes.js';

/** One Dockerfile instruction, with continuation lines joined and ARG defaults filled in. */
export interface Instruction {
  /** Index of its build stage (each FROM starts one). */
  readonly stage: number;
  readonly op: string;
  readonly args: string;
}

/** Parses the repository's Dockerfile: enough of the format for the tests to run its steps. */
export function readDockerfile(file = `${repoRoot}Dockerfile`): Instruction[] {
  const text = readFileSync(file, 'utf8').replace(/\\\n/g, ' ');
  const args = new Map<string, string>();
  const out: Instruction[] = [];
  let stage = -1;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, op, rest] = /^(\S+)\s+(.*)$/.exec(line)!;
    const upper = op!.toUpperCase();
    const filled = rest!.replace(/\$\{(\w+)\}/g, (m, name: string) => args.get(name) ?? m);
    if (upper === 'ARG' && stage < 0) {
      const [name, value = ''] = filled.split('=');
      args.set(name!, value);
    }
    if (upper === 'FROM') stage += 1;
    out.push({ stage, op: upper, args: filled });
  }
  return out;
}

/** An exec-form argument list (`["node", "dist/main.js"]`), or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}
