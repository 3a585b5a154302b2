import { defineConfig } from 'vitest/config';

// Two projects: fast pure unit tests beside the code, and integration tests that talk to
// real Redis, ffmpeg, an RTSP server and real ONNX models (slower, run one file at a time).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{models,pipeline,streams,scripts,web}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', 'web/dist/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{models,pipeline,streams,scripts,test,web}/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', 'web/dist/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
