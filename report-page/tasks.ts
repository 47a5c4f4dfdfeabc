/** The task table (every task of every run, searchable and filterable) and a task's drill-down. */
import type { ReportData } from '../src/report/report-data.js';
import type { TaskView } from '../src/report/task-view.js';
import { timelineChart } from './charts.js';
import { cell, element, figure, milliseconds, note, number, section, usd } from './dom.js';

const COLUMNS = ['run', 'task', 'status', 'category', 'difficulty', 'failure reason', 'steps', 'tokens', 'cost', 'duration'];

function select(id: string, label: string, values: string[]): HTMLSelectElement {
  const node = element('select', { id, 'aria-label': label }, element('option', { value: '' }, `${label}: all`), ...values.map((value) => element('option', { value }, value)));
  return node;
}

export interface TaskTable {
  element: HTMLElement;
  show(run: number, reason: string): void;
}

export function taskTable(data: ReportData, open: (task: TaskView) => void): TaskTable {
  const text = (index: number | null) => (index === null ? '' : (data.strings[index] ?? ''));
  const search = element('input', { id: 'search', type: 'search', placeholder: 'search tasks (id, prompt, reason, error)', 'aria-label': 'search tasks' });
  const runFilter = select('filter-run', 'run', data.runs.map((run) => run.label));
  const statusFilter = select('filter-status', 'status', ['pass', 'fail']);
  const reasons = [...new Set(data.tasks.map((task) => task.failureReason).filter((reason): reason is string => reason !== null))].sort();
  const reasonFilter = select('filter-reason', 'failure reason', reasons);
  const values = (read: (task: TaskView) => string | null) => [...new Set(data.tasks.map(read).filter((value): value is string => value !== null))].sort();
  const categoryFilter = select('filter-category', 'category', values((task) => task.category));
  const difficultyFilter = select('filter-difficulty', 'difficulty', values((task) => task.difficulty));
  const count = element('span', { id: 'task-count' });
  const rows = data.tasks.map((task) => {
    const run = data.runs[task.run]!.label;
    const status = task.success === null ? 'not scored' : task.success ? 'pass' : 'fail';
    const row = element(
      'tr',
      { 'data-key': task.key, 'data-run': run, 'data-status': status, 'data-reason': task.failureReason ?? '', 'data-category': task.category ?? '', 'data-difficulty': task.difficulty ?? '', class: status },
      element('td', {}, run),
      element('td', {}, element('a', { href: '#drilldown' }, task.uid)),
      element('td', { class: `status ${status}` }, status),
      cell(task.category),
      cell(task.difficulty),
      cell(task.failureReason, task.success === null ? 'not scored' : task.success ? 'passed' : 'no reason recorded'),
      cell(number(task.steps)),
      cell(number(task.tokens)),
      cell(usd(task.cost), 'no price known for this model'),
      cell(milliseconds(task.durationMs)),
    );
    const haystack = [task.uid, task.taskId, task.category, task.difficulty, task.failureReason, task.failureDetail, task.error, text(task.prompt), run].join('\n').toLowerCase();
    row.addEventListener('click', () => open(task));
    return { row, haystack };
  });
  const apply = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const { row, haystack } of rows) {
      const visible =
        words.every((word) => haystack.includes(word)) &&
        (!runFilter.value || row.dataset.run === runFilter.value) &&
        (!statusFilter.value || row.dataset.status === statusFilter.value) &&
        (!reasonFilter.value || row.dataset.reason === reasonFilter.value) &&
        (!categoryFilter.value || row.dataset.category === categoryFilter.value) &&
        (!difficultyFilter.value || row.dataset.difficulty === difficultyFilter.value);
      row.hidden = !visible;
      if (visible) shown++;
    }
    count.textContent = `${shown} of ${rows.length} task(s)`;
  };
  for (const control of [search, runFilter, statusFilter, reasonFilter, categoryFilter, difficultyFilter]) control.addEventListener('input', apply);
  apply();
  const table = element('table', { id: 'task-table' }, element('thead', {}, element('tr', {}, ...COLUMNS.map((name) => element('th', {}, name)))), element('tbody', {}, ...rows.map(({ row }) => row)));
  return {
    element: section('tasks', 'Tasks', element('div', { class: 'filters' }, search, runFilter, statusFilter, reasonFilter, categoryFilter, difficultyFilter, count), table),
    show(run, reason) {
      runFilter.value = data.runs[run]!.label;
      reasonFilter.value = reason;
      for (const control of [statusFilter, categoryFilter, difficultyFilter, search]) control.value = '';
      apply();
    },
  };
}

function block(title: string, content: string | null, className = 'text'): HTMLElement {
  return element('div', { class: 'block' }, element('h4', {}, title), content === null ? note('not recorded') : element('pre', { class: className }, content));
}

/** The drill-down of one task: prompt, conversation, timeline, tool calls with resources, error, scores. */
export function drillDown(data: ReportData, task: TaskView): HTMLElement {
  const text = (index: number | null | undefined) => (index === null || index === undefined ? null : (data.strings[index] ?? null));
  const messages = task.messages.map((message) =>
    element(
      'div',
      { class: `message ${message.role}` },
      element('div', { class: 'role' }, message.name ? `${message.role} (${message.name})` : message.role),
      message.reasoning !== undefined ? element('details', {}, element('summary', {}, 'reasoning'), element('pre', {}, text(message.reasoning) ?? '')) : null,
      text(message.content) ? element('pre', {}, text(message.content)!) : null,
      ...(message.toolCalls ?? []).map((call) => element('pre', { class: 'tool-call' }, `\u2192 ${call.name}(${text(call.arguments) ?? ''})`)),
    ),
  );
  const toolRows = task.toolCalls.map((call) =>
    element('tr', { class: call.isError ? 'fail' : '' }, cell(call.step === null ? null : String(call.step)), element('td', {}, call.name), element('td', {}, element('code', {}, text(call.arguments) ?? '')), cell(call.durationMs === null ? null : milliseconds(call.durationMs)), cell(call.cpuMs === null ? null : milliseconds(call.cpuMs)), cell(call.maxRssKiB === null ? null : `${(call.maxRssKiB / 1024).toFixed(1)} MiB`), element('td', {}, element('pre', {}, text(call.output) ?? ''))),
  );
  const timelineCaption = task.timelineSource === 'spans' ? 'Steps from the task\u2019s spans.' : 'Tool calls laid end to end (this run has no spans, so start times and model calls are not recorded).';
  const scorerRows = (task.scorers ?? []).map((score) =>
    element(
      'tr',
      { class: score.passed ? '' : 'fail', 'data-scorer': score.name },
      element('th', {}, score.name),
      element('td', {}, score.error !== null ? 'error' : score.passed ? 'passed' : 'failed'),
      cell(score.value === null ? null : score.value.toFixed(3)),
      element('td', {}, [text(score.error), text(score.explanation)].filter(Boolean).join(': ')),
    ),
  );
  const scorers = task.scorers
    ? element('table', { class: 'scorers' }, element('thead', {}, element('tr', {}, ...['scorer', 'verdict', 'value', 'explanation'].map((name) => element('th', {}, name)))), element('tbody', {}, ...scorerRows))
    : note('No per-scorer verdicts recorded (SMOLTRACE and older runs): success is the smoltrace rule.');
  const scores = Object.entries(task.scores).map(([name, value]) => element('tr', {}, element('th', {}, name), cell(value === null ? null : value ? 'yes' : 'no')));
  return element(
    'div',
    { class: 'drilldown-body', 'data-key': task.key },
    element('h3', {}, `${task.uid} (${data.runs[task.run]!.label}): ${task.success === null ? 'not scored' : task.success ? 'passed' : `failed${task.failureReason ? `: ${task.failureReason}` : ''}`}`),
    task.failureDetail ? note(task.failureDetail) : null,
    block('Prompt', text(task.prompt)),
    element('div', { class: 'block conversation' }, element('h4', {}, 'Conversation'), messages.length ? element('div', {}, ...messages) : note('No messages recorded (older runs and SMOLTRACE do not keep them).')),
    block('Final answer', text(task.response)),
    element('div', { class: 'block' }, element('h4', {}, 'Timeline'), figure(timelineChart(task.timeline), timelineCaption, 'No step timings recorded.')),
    element('div', { class: 'block' }, element('h4', {}, 'Tool calls'), toolRows.length ? element('table', {}, element('thead', {}, element('tr', {}, ...['step', 'tool', 'arguments', 'duration', 'CPU', 'peak RSS', 'output'].map((name) => element('th', {}, name)))), element('tbody', {}, ...toolRows)) : note('No tool calls.')),
    task.error ? block(`Error${task.errorKind ? ` (${task.errorKind})` : ''}`, task.error, 'error') : null,
    element('div', { class: 'block' }, element('h4', {}, 'Scorers'), scorers),
    element('div', { class: 'block' }, element('h4', {}, 'Scores'), element('table', { class: 'overview' }, element('tbody', {}, ...scores))),
  );
}
