import { defineConfig } from 'vite';

// The console: Preact through esbuild's automatic JSX runtime, built into web/dist and served by the
// API process at `/` (see pipeline/api/web-routes.ts). Hashed files under /assets; no inline script
// (the API's CSP allows scripts from 'self' only), so modulePreload's polyfill is off.
export default defineConfig({
  root: import.meta.dirname,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/evidence': 'http://127.0.0.1:8080' } },
});
