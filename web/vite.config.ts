// The web UI's build: web/ into dist/web, which Tally serves at `/` (src/platform/http/web-ui.ts).
// Run by `npm run build` (and so by `npm install`), after the server's own build.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    // dist/web, or beside the server's build wherever scripts/build.js writes it.
    outDir: process.env.TALLY_WEB_OUT ?? '../dist/web',
    emptyOutDir: true,
    // The public pages' budget is 300 kB of JavaScript gzipped (issue 14): the build says when a chunk grows past it.
    chunkSizeWarningLimit: 900,
  },
  // `npm run web:dev` serves the UI with reloads and sends the API to a running Tally.
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
