import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let directory: string;
let output: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-eval-errors-'));
  output = join(directory, 'out');
  await writeFile(join(directory, 'bad.jsonl'), '{"id": "a", "prompt": "p", "difficulty": "easy"}\n{"id": "b", "prompt": \n');
  await writeFile(join(directory, 'noprompt.jsonl'), '{"id": "a", "difficulty": "easy", "agent_type": "tool"}\n');
  await writeFile(join(directory, 'a-file'), 'not a directory');
});

const base = (model = 'openai/test-model') => ['run', '--model', model, '--output-dir', output, '--agent-type', 'tool'];

/** Each case: extra args, env, and the one line the user must see. */
const cases: [string, string[], Record<string, string>, RegExp][] = [
  ['a malformed JSONL line', ['--dataset-name', '{dir}/bad.jsonl'], {}, /^agent-eval: \S+bad\.jsonl:2: not valid JSON/],
  ['a row with no prompt', ['--dataset-name', '{dir}/noprompt.jsonl'], {}, /^agent-eval: \S+noprompt\.jsonl line 1: field 'prompt' is missing \(the row's columns: id, difficulty, agent_type; map one with --column-map prompt=COLUMN\)$/],
  ['an unknown model prefix', ['--model', 'nosuch/model'], {}, /^agent-eval: --model nosuch\/model: unknown provider prefix 'nosuch' \(known: openai, /],
  ['an unreadable --prompt-yml', ['--prompt-yml', '{dir}/missing.yaml'], {}, /^agent-eval: --prompt-yml \S+missing\.yaml: cannot read the file \(ENOENT\)$/],
  ['an unwritable output directory', ['--output-dir', '{dir}/a-file/results'], {}, /^agent-eval: --output-dir \S+: \S+a-file is not a directory$/],
  ['a bad flag value', ['--parallel-workers', 'many'], {}, /^agent-eval: --parallel-workers: must be a number$/],
  ['an unknown flag', ['--no-such-flag'], {}, /^agent-eval: unknown option '--no-such-flag'$/],
  ['bad --model-args', ['--model-args', 'temperature'], {}, /^agent-eval: --model-args temperature: expected KEY=VALUE$/],
  ['an unknown task id', ['--task-id', 'nope'], {}, /^agent-eval: --task-id: no task with id 'nope' in the dataset$/],
  ['--search-provider without its key', ['--search-provider', 'serper'], {}, /^agent-eval: --search-provider serper: set SERPER_API_KEY \(web_search sends it to Serper\)$/],
  ['an unknown --search-provider', ['--search-provider', 'bing'], {}, /^agent-eval: option '--search-provider <provider>' argument 'bing' is invalid\. Allowed choices are duckduckgo, serper, brave\.$/],
  ['--hf-token that is not a token', ['--hf-token', 'secret'], {}, /^agent-eval: --hf-token: this is not a Hugging Face token \(tokens start with "hf_"\)$/],
];

describe('bad input: exit 2, one clear line, nothing written', () => {
  it.each(cases)('%s', async (_name, extra, env, message) => {
    const args = [...base(), ...extra.map((value) => value.replace('{dir}', directory))];
    const result = await runCli(args, { env: { OPENAI_API_KEY: 'sk-test', ...env } });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(message);
    expect(result.stdout).toBe('');
    await expect(readdir(output)).rejects.toThrow(/ENOENT/);
  });

  it('a missing API key', async () => {
    const result = await runCli(['run', '--model', 'groq/llama-3.1-8b-instant', '--output-dir', output], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('agent-eval: --model groq/llama-3.1-8b-instant: GROQ_API_KEY is not set (put it in the environment or in .env)');
    await expect(readdir(output)).rejects.toThrow(/ENOENT/);
  });

  it('a missing --model where no default applies (a server given by --base-url)', async () => {
    const result = await runCli(['run', '--base-url', 'http://127.0.0.1:9/v1', '--output-dir', output]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('agent-eval: --model is required with --base-url');
  });
});
