import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['deepbelief-source'] },
  ssr: { resolve: { conditions: ['deepbelief-source'] } },
  test: { name: 'backend-onnx', include: ['src/**/*.test.ts'] },
});
