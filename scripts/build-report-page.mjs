// Bundles the report page's script (report-page/main.ts with Observable Plot) into one minified file,
// dist/report-assets/report-page.js, which `agent-eval report` inlines into every HTML report.
import { URL } from 'node:url';
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../report-page/main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/report-assets/report-page.js', import.meta.url).pathname,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  platform: 'browser',
  legalComments: 'eof',
  logLevel: 'warning',
});
