import { defineConfig } from 'vitest/config';

/** One vitest run covers every package; each package's own config is a project. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
