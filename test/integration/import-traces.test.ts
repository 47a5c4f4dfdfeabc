import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { writeParquet } from '../../src/hub/parquet.js';
import { importTraces, type ImportOptions } from '../../src/import/import-run.js';
import { readRunDirectory } from '../../src/report/run-reader.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

async function importInto(sources: string[], options: Partial<ImportOptions> = {}) {
  const output = join(await mkdtemp(join(tmpdir(), 'agent-eval-import-')), 'run');
  const summary = await importTraces({ sources, format: 'auto', output, force: false, env: {}, ...options });
  return { output, summary, rows: await readJson(join(output, 'results.json')), metadata: await readJson(join(output, 'metadata.json')) };
}

describe('import: OpenTelemetry GenAI spans', () => {
  it('reads an OTLP JSON file with several traces (current conventions, parts messages) into tasks', async () => {
    const { rows, summary, metadata } = await importInto([fixture('genai-otlp.json')]);
    expect(summary).toMatchObject({ tasks: 2, traces: 2, formats: ['otel'] });
    expect(rows.map((row: { task_id: string }) => row.task_id)).toEqual(['weather_paris', 'fx_convert']);
    const [weather, fx] = rows;
    expect(weather).toMatchObject({
      success: null,
      model: 'openai/gpt-4o-mini',
      input_tokens: 280,
      output_tokens: 30,
      total_tokens: 310,
      model_calls: 2,
      tools_used: ['get_weather'],
      response: 'It is rainy in Paris, 12 C.',
      final_answer_called: true,
      trace_id: '0x5b8efff798038103d269b633813fc60c',
      execution_time_ms: 900,
    });
    expect(weather.cost_usd).toBeGreaterThan(0);
    expect(weather.messages).toEqual([
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Rainy, 12 C' },
      { role: 'assistant', content: 'It is rainy in Paris, 12 C.' },
    ]);
    expect(weather.tool_calls).toEqual([{ step: 1, name: 'get_weather', arguments: { city: 'Paris' }, output: 'Rainy, 12 C', is_error: false, duration_ms: 100 }]);
    expect(weather.tool_definitions[0]).toMatchObject({ type: 'function', name: 'get_weather' });
    // Exgentic-style variants: `thinking` parts become reasoning, a tool result inside a user message becomes a tool message.
    expect(fx.messages[1]).toMatchObject({ role: 'assistant', reasoning_content: 'I need the rate.' });
    expect(fx.messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_9', content: 'Error: rate service unavailable' });
    expect(fx.tool_calls[0]).toMatchObject({ name: 'get_rate', is_error: true });
    expect(metadata.imported).toMatchObject({ format: 'otel', tasks_joined: 0 });
  });

  it('reads a second instrumentation: OpenLLMetry attributes and prompt/completion events, JSON Lines of OTLP documents', async () => {
    const { rows } = await importInto([fixture('openllmetry.jsonl')]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ task_id: 'capital_france', model: 'anthropic/claude-3-5-haiku-20241022', input_tokens: 130, output_tokens: 26, tools_used: ['search'], response: 'Paris.' });
    expect(rows[0].messages.map((message: { role: string }) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
  });

  it('reads OpenInference span lists (llm.token_count.*, flattened messages, TOOL spans)', async () => {
    const { rows } = await importInto([fixture('openinference-spans.json')]);
    expect(rows[0]).toMatchObject({ task_id: 'sum_numbers', input_tokens: 110, output_tokens: 23, tools_used: ['calculator'], response: 'The sum is 5.', execution_time_ms: 2500 });
    expect(rows[0].tool_calls[0]).toMatchObject({ arguments: { expression: '2+3' }, output: '5' });
  });

  it('joins --tasks rows on the imported ids (expected tool, keywords) and counts repeats', async () => {
    const { rows, summary } = await importInto([fixture('genai-otlp.json'), fixture('genai-otlp.json')], { tasksFile: fixture('tasks.jsonl') });
    expect(summary.joined).toBe(4);
    expect(rows[0]).toMatchObject({ task_id: 'weather_paris', expected_tool: 'get_weather', correct_tool: true, expected_keywords: ['rain'], category: 'weather', difficulty: 'easy', repeat_index: 0 });
    expect(rows[2]).toMatchObject({ task_id: 'weather_paris', repeat_index: 1 });
  });

  it('keeps usable traces of a mixed file and warns about the others', async () => {
    const { rows, summary } = await importInto([fixture('mixed-spans.json')]);
    expect(rows.map((row: { task_id: string }) => row.task_id)).toEqual(['sum_numbers', 'orphan_task']);
    expect(summary.warnings.some((warning) => /cdcdcdcd.*unknown attributes.*skipped/.test(warning))).toBe(true);
    expect(summary.warnings.some((warning) => /parent span\(s\) missing/.test(warning))).toBe(true);
  });
});

describe('import: other formats', () => {
  it('reads AgentTrace rows: reasoning, tool telemetry, task ids from metadata', async () => {
    const { rows } = await importInto([fixture('agenttrace.jsonl')]);
    expect(rows.map((row: { task_id: string }) => row.task_id)).toEqual(['nl2bash_17', 'mbpp_42']);
    expect(rows[0]).toMatchObject({ input_tokens: 932, output_tokens: 106, response: 'b.txt\na.txt', execution_time_ms: 1200 });
    expect(rows[0].tool_calls[0]).toMatchObject({ name: 'bash', duration_ms: 12, resources: { maxRssKiB: 3072, exitCode: 0 } });
    expect(rows[0].messages[1]).toMatchObject({ reasoning_content: 'ls -S sorts by size.' });
    expect(rows[1]).toMatchObject({ response: null, final_answer_called: false });
    expect(rows[1].tool_calls[0].is_error).toBe(true);
  });

  it("reads a SMOLTRACE run, recounts its tokens from the model spans and keeps its verdict apart", async () => {
    const { rows, summary } = await importInto([fixture('smoltrace-run')]);
    expect(summary.formats).toEqual(['smoltrace']);
    // SMOLTRACE's row says 400 (every span's llm.token_count.total); the two model calls hold 200.
    expect(rows[0]).toMatchObject({ task_id: 'tool_weather_single', total_tokens: 200, success: null, imported_success: true, imported_total_tokens: 400, execution_time_ms: 1573.309 });
    expect(rows[0].messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(rows[1]).toMatchObject({ task_id: 'tool_time_single', total_tokens: null, imported_success: false });
    expect(summary.warnings.join('\n')).toMatch(/token totals .* recounted/);
  });

  it('reads SMOLTRACE results given as a Parquet file (a results dataset file), without traces', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-eval-import-parquet-'));
    const path = join(dir, 'smoltrace-results-20251027.parquet');
    const results = await readJson(fixture('smoltrace-run/results.json'));
    await writeFile(path, writeParquet(results));
    const { rows, summary } = await importInto([path]);
    expect(summary.formats).toEqual(['smoltrace']);
    expect(rows.map((row: { task_id: string }) => row.task_id)).toEqual(['tool_weather_single', 'tool_time_single']);
    expect(rows[0]).toMatchObject({ response: 'Sunny, 22C', tools_used: ['get_weather'], total_tokens: null, imported_success: true });
    expect(summary.warnings.join('\n')).toMatch(/2 task\(s\) without a trace/);
  });

  it('writes a run directory that the report reader reads', async () => {
    const { output } = await importInto([fixture('genai-otlp.json')]);
    const run = await readRunDirectory(output);
    expect(run.tasks).toHaveLength(2);
    expect(run.tasks[0]!.trace?.spans).toHaveLength(4);
    expect(run.missingFiles).toEqual([]);
  });
});

describe('import: bad input', () => {
  const expectInputError = async (sources: string[], message: RegExp, options: Partial<ImportOptions> = {}) => {
    const parent = await mkdtemp(join(tmpdir(), 'agent-eval-import-'));
    const output = join(parent, 'run');
    await expect(importTraces({ sources, format: 'auto', output, force: false, env: {}, ...options })).rejects.toThrow(InputError);
    await expect(importTraces({ sources, format: 'auto', output, force: false, env: {}, ...options })).rejects.toThrow(message);
    expect(await readdir(parent)).toEqual([]);
  };

  it('names the file and what is wrong, and writes nothing', async () => {
    await expectInputError([fixture('not-a-trace.json')], /not-a-trace\.json: not a trace/);
    await expectInputError([fixture('broken.json')], /broken\.json: not valid JSON/);
    await expectInputError([fixture('cycle.json')], /cycle\.json: trace a+b.*: the span tree has a cycle/);
    await expectInputError([fixture('genai-otlp.json'), fixture('cycle.json')], /cycle/);
    await expectInputError([fixture('genai-otlp.json')], /--tasks .*missing\.jsonl/, { tasksFile: fixture('missing.jsonl') });
  });

  it('refuses an existing -o unless --force, then replaces it whole', async () => {
    const { output } = await importInto([fixture('genai-otlp.json')]);
    await writeFile(join(output, 'stale.txt'), 'old');
    await expect(importTraces({ sources: [fixture('openinference-spans.json')], format: 'auto', output, force: false, env: {} })).rejects.toThrow(/already exists/);
    await importTraces({ sources: [fixture('openinference-spans.json')], format: 'auto', output, force: true, env: {} });
    expect((await readdir(output)).sort()).toEqual(['leaderboard_row.json', 'metadata.json', 'metrics.json', 'results.json', 'traces.json']);
    expect((await readJson(join(output, 'results.json')))[0].task_id).toBe('sum_numbers');
  });

  it('refuses an OTLP document whose spans are not spans', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-eval-import-bad-'));
    const path = join(dir, 'bad-otlp.json');
    await writeFile(path, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 3 }] }] }] }));
    await expectInputError([path], /bad-otlp\.json: not an OTLP JSON trace/);
  });
});
