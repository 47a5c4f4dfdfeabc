/**
 * The report as ONE self-contained HTML file: the page script (Observable Plot bundled at build time
 * into dist/report-assets/report-page.js) and the styles inlined, the data gzip-compressed and base64
 * encoded in a script element. Its Content-Security-Policy allows no request of any kind.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { StartupError } from '../errors.js';
import type { SecretRedactor } from '../secrets/redactor.js';
import type { ReportData } from './report-data.js';

/** From src/report/ (tests) and dist/report/ (the built CLI) alike: the package's dist/report-assets/. */
const PAGE_SCRIPT = new URL('../../dist/report-assets/report-page.js', import.meta.url);

const STYLES = `
:root { font-family: system-ui, sans-serif; color: #1d2329; background: #fff; }
body { margin: 0 auto; max-width: 1100px; padding: 0 16px 64px; }
header { border-bottom: 1px solid #ddd; margin-bottom: 8px; }
nav a { margin-right: 12px; }
h2 { margin-top: 32px; border-bottom: 1px solid #eee; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #e3e3e3; padding: 3px 6px; text-align: left; vertical-align: top; }
table.overview th { background: #f6f8fa; }
td.missing { color: #999; }
.note, figcaption { color: #57606a; font-size: 13px; }
figure { margin: 12px 0; }
#task-table tbody tr { cursor: pointer; }
#task-table tbody tr:hover { background: #f0f6ff; }
td.status.pass { color: #1a7f37; } td.status.fail { color: #cf222e; }
.filters { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.filters input { flex: 1; min-width: 240px; padding: 4px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0; font-size: 12px; background: #f6f8fa; padding: 6px; max-height: 400px; overflow: auto; }
.message { border-left: 3px solid #ccc; padding-left: 8px; margin: 8px 0; }
.message.assistant { border-color: #4c78a8; } .message.tool { border-color: #f58518; } .message.user { border-color: #54a24b; }
.role { font-weight: 600; font-size: 12px; text-transform: uppercase; }
pre.error { background: #fff0f0; }
#drilldown { border: 2px solid #4c78a8; padding: 0 12px 12px; margin-top: 24px; }
`;

/** Text safe inside an HTML element. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

async function pageScript(): Promise<string> {
  try {
    return await readFile(PAGE_SCRIPT, 'utf8');
  } catch {
    throw new StartupError(`the report page script is missing (${PAGE_SCRIPT.pathname}); run npm run build`);
  }
}

/** The page; with a redactor, every string of the data (and the title) is scrubbed of the secrets it knows. */
export async function reportHtml(data: ReportData, redactor?: SecretRedactor): Promise<string> {
  const script = (await pageScript()).replace(/<\/script/gi, '<\\/script');
  const payload = gzipSync(redactor ? redactor.json(data) : JSON.stringify(data), { level: 9 }).toString('base64');
  const title = redactor ? redactor.text(data.title) : data.title;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLES}</style>`,
    '</head><body>',
    `<main id="report"><p>Loading the report${escapeHtml(` (${data.tasks.length} tasks)`)}...</p></main>`,
    `<script type="application/octet-stream" id="report-data">${payload}</script>`,
    `<script>${script}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
