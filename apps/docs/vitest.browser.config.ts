import { defineConfig } from 'vitest/config';

/** The built site in headless Chromium: `pnpm build && pnpm test:browser`. */
export default defineConfig({
  resolve: { conditions: ['deepbelief-source'] },
  ssr: { resolve: { conditions: ['deepbelief-source'] } },
  test: {
    name: 'docs-browser',
    include: ['test/**/*.e2e.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
