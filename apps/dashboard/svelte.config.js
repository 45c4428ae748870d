import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** TypeScript in `<script lang="ts">` goes through Vite's transform. */
export default {
  preprocess: vitePreprocess(),
};
