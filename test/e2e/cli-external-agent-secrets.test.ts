// A hostile --agent-command agent holding a secret passed with --agent-env tries every channel it has into
// the run's outputs: stderr (the task's log), reported messages of every role, reasoning, tool arguments,
// its own OTLP spans (traces.json and the run's OTLP collector) and their resource, and its final answer. None of the run's files may hold it.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';

const LEAKY_AGENT = fileURLToPath(new URL('../fixtures/agents/leaky-agent.py', import.meta.url));
const TOKEN = 'lk-9f3a1c7e5b2d8a6f4e0c';

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

let collector: OtlpReceiver | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe('an external agent cannot leak a passed secret into the outputs', () => {
  it('scrubs the --agent-env value from every file of the run, whichever channel carried it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agent-eval-leaky-'));
    const tasksFile = join(folder, 'tasks.jsonl');
    await writeFile(tasksFile, JSON.stringify({ id: 'leak', prompt: 'What is the weather in Paris?', difficulty: 'easy', agent_type: 'tool', expected_tool: 'get_weather' }));
    const output = join(folder, 'out');
    collector = await startOtlpReceiver();
    const result = await runCli(['run', '--agent-command', `python3 ${LEAKY_AGENT}`, '--agent-env', 'LEAKY_TOKEN', '--dataset-name', tasksFile, '--output-dir', output, '--otlp-endpoint', collector.url], { env: { LEAKY_TOKEN: TOKEN } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    const [name] = await readdir(output);
    const directory = join(output, name!);
    const files = await filesUnder(directory);
    // The channels were used (the row holds the agent's messages, reasoning and span-derived tool call) ...
    const [row] = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8'));
    expect(row.messages.some((message: { reasoning_content?: string }) => message.reasoning_content?.includes('[REDACTED]'))).toBe(true);
    expect(row.response).toContain('[REDACTED]');
    expect(await readFile(join(directory, 'agent_logs', 'tool_leak.log'), 'utf8')).toContain('debug: my token is [REDACTED]');
    expect(await readFile(join(directory, 'traces.json'), 'utf8')).toContain('execute_tool own_lookup [REDACTED]');
    // The agent's own spans reach the run's OTLP collector too, scrubbed (name, attributes, arrays, resource).
    const own = collector.spans.find((span) => span.name.startsWith('execute_tool own_lookup'));
    expect(own?.name).toBe('execute_tool own_lookup [REDACTED]');
    expect(JSON.stringify(collector.spans)).not.toContain(TOKEN);
    // ... and no file of the run holds the secret.
    expect(files.map((file) => file.slice(directory.length + 1))).toEqual(expect.arrayContaining(['results.json', 'traces.json', 'metadata.json', 'results.jsonl']));
    for (const file of files) expect(await readFile(file, 'utf8'), file).not.toContain(TOKEN);
  }, 60_000);
});
