/**
 * The report page: reads its data (gzip + base64 in a script element), then draws every section.
 * Runs offline: no request leaves the page (its Content-Security-Policy forbids them too).
 */
import type { ReportData } from '../src/report/report-data.js';
import type { TaskView } from '../src/report/task-view.js';
import { element } from './dom.js';
import { comparisonSection, failuresSection, groupsSection, overviewSection, runsSection, timeSection } from './sections.js';
import { drillDown, taskTable } from './tasks.js';

async function readData(): Promise<ReportData> {
  const encoded = document.getElementById('report-data')!.textContent!.trim();
  const bytes = Uint8Array.from(atob(encoded), (character) => character.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as ReportData;
}

async function main(): Promise<void> {
  const data = await readData();
  const root = document.getElementById('report')!;
  const panel = element('section', { id: 'drilldown', hidden: '' });
  const open = (task: TaskView) => {
    panel.replaceChildren(element('h2', {}, 'Task'), drillDown(data, task));
    panel.hidden = false;
    panel.scrollIntoView({ block: 'start' });
  };
  const table = taskTable(data, open);
  const navigation = element('nav', {}, ...[['overview', 'Overview'], ['groups', 'Groups'], ['failures', 'Failures'], ['time', 'Time'], ['runs', 'Runs'], ['comparison', 'Comparison'], ['tasks', 'Tasks']].map(([id, name]) => element('a', { href: `#${id}` }, name!)));
  root.replaceChildren(
    element('header', {}, element('h1', {}, data.title), element('p', { class: 'note' }, `${data.runs.length} run(s), ${data.tasks.length} task(s); generated ${data.generatedAt} by agent-eval`), navigation),
    overviewSection(data),
    ...[comparisonSection(data), runsSection(data)].filter((node): node is HTMLElement => node !== null),
    groupsSection(data),
    failuresSection(data, table.show),
    timeSection(data),
    table.element,
    panel,
  );
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  document.getElementById('report')!.textContent = `The report could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
  throw error;
});
