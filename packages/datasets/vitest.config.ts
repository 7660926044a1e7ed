import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['deepbelief-source'] },
  ssr: { resolve: { conditions: ['deepbelief-source'] } },
  test: { name: 'datasets', include: ['src/**/*.test.ts'] },
});
