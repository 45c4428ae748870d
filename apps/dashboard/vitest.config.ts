import { svelte } from '@sveltejs/vite-plugin-svelte';
import { pulseProject, sourceConditions } from '../../vitest.shared.js';

/**
 * The svelte plugin compiles the `.svelte.ts` rune modules the stores live in. Tests run in
 * Node, which would normally get Svelte's server build (runes become plain fields); the
 * `browser` condition and client compilation make the stores run on the same reactive
 * runtime as in the page.
 */
const conditions = [...sourceConditions, 'browser', 'module', 'development|production'];
const project = pulseProject('dashboard', {
  plugins: [svelte({ dynamicCompileOptions: () => ({ generate: 'client' }) })],
  test: {
    // The browser tests are their own project (vitest.browser.config.ts).
    include: ['src/**/*.test.ts'],
    // The theme test reads the stylesheet's tokens (`app.css?raw`) to check their contrast.
    css: { include: [/app\.css/] },
  },
});

export default {
  ...project,
  resolve: { ...project.resolve, conditions },
  ssr: { ...project.ssr, resolve: { ...project.ssr?.resolve, conditions } },
};
