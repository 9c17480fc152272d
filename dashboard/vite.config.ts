import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the control API at `/`; in `npm run dev -w @downspin/dashboard`
// the dev server forwards the API to a running downspin (CONTROL_URL, default :8081), so the
// page and the API share one origin as they do when served for real.
const control = process.env.CONTROL_URL ?? 'http://127.0.0.1:8081';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Charts and the map are loaded with the analytics view only.
    chunkSizeWarningLimit: 700,
  },
  resolve: {
    // The protocol from source: the dashboard builds without `tsc -b` having run first.
    alias: [{ find: /^@downspin\/protocol$/, replacement: fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) }],
    dedupe: ['react', 'react-dom'],
  },
  server: {
    proxy: {
      '/admin': { target: control, changeOrigin: false },
      '/health': { target: control },
      '/ws': { target: control, ws: true },
    },
  },
});
