import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The dashboard is static files served by `penny serve`; it talks to the HTTP API only.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
});
