import { createRequire } from 'node:module';
import type { PluginOption } from 'vite';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * Workspace packages export their TypeScript source under the `pulse:source` condition, so
 * tests (and Vite) use them without a build step.
 */
export const sourceConditions = ['pulse:source'];

export function pulseProject(name: string, extra: UserWorkspaceConfig = {}) {
  return defineProject({
    ...extra,
    resolve: { conditions: [...sourceConditions, 'module', 'node', 'development|production'] },
    ssr: {
      resolve: { conditions: [...sourceConditions, 'module', 'node', 'development|production'] },
    },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      ...extra.test,
    },
  });
}

interface SwcPlugin {
  vite(options: { module: { type: 'es6' } }): PluginOption;
}

/**
 * SWC as a Vite plugin: it emits the decorator metadata Nest's dependency injection reads
 * (esbuild/oxc do not). Loaded with a synchronous `require` from one place for every project
 * that runs the gateway: vitest loads the project configs concurrently, and an ESM `import` in
 * one racing a `require` in another failed now and then with "Cannot require() ES Module …
 * not yet fully loaded" (unplugin-swc is CommonJS and requires the ESM `unplugin`).
 */
export function swcPlugin(): PluginOption {
  const gatewayRequire = createRequire(new URL('./apps/gateway/package.json', import.meta.url));
  const loaded = gatewayRequire('unplugin-swc') as { default?: SwcPlugin } & SwcPlugin;
  return (loaded.default ?? loaded).vite({ module: { type: 'es6' } });
}
