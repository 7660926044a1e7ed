import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['deepbelief-source'] },
  ssr: { resolve: { conditions: ['deepbelief-source'] } },
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
