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
 * unplugin-swc, loaded with a synchronous `require` (it is CommonJS and requires the ESM
 * `unplugin`). The root config calls this before vitest loads the project configs: they load
 * concurrently, and a `require` of an ESM module that another config's loading is fetching at the
 * same moment failed now and then ("Cannot require() ES Module … not yet fully loaded", "reading
 * 'getStatus'"). Once loaded it comes from the process-wide require cache.
 */
export function loadSwc(): SwcPlugin {
  const gatewayRequire = createRequire(new URL('./apps/gateway/package.json', import.meta.url));
  const loaded = gatewayRequire('unplugin-swc') as { default?: SwcPlugin } & SwcPlugin;
  return loaded.default ?? loaded;
}

/** SWC as a Vite plugin: it emits the decorator metadata Nest's DI reads (esbuild/oxc do not). */
export function swcPlugin(): PluginOption {
  return loadSwc().vite({ module: { type: 'es6' } });
}
