import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The Go API (`dashboard serve`) listens on 127.0.0.1:8080 by default; the dev
// server proxies the API's paths there so the browser sees one origin.
const api = process.env.DASHBOARD_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // Relative asset paths: `dashboard serve` serves web/dist (embedded in the
  // binary by web/embed.go) at "/", and the same build also works from a
  // sub-path (an S3 prefix, API Gateway stage).
  base: './',
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/dashboard': { target: api, changeOrigin: false },
      '/healthz': { target: api, changeOrigin: false },
    },
  },
  preview: { host: '127.0.0.1', port: 4173 },
  build: {
    // web/embed.go embeds this folder (its pattern "dist*" also matches the
    // committed dist-missing.html, so the Go build works before this one):
    // keep the name, and keep nothing committed inside it.
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    unstubGlobals: true,
    css: { include: [/styles\/base\.css/] },
  },
});
