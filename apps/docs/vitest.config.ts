import { defineProject } from 'vitest/config';

/**
 * Fast tests of the docs' own code (run by the root `pnpm test`). The headless-browser test
 * of the built site is separate and opt-in: `pnpm test:browser` (vitest.browser.config.ts).
 */
export default defineProject({
  resolve: { conditions: ['deepbelief-source'] },
  ssr: { resolve: { conditions: ['deepbelief-source'] } },
  test: { name: 'docs', include: ['test/**/*.test.ts'] },
});
