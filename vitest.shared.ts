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
