/**
 * The agent-eval program: every command and flag (commander), .env, secret scrubbing of every printed
 * line, interrupts and exit codes. Loaded by main.ts for everything but a cached help request.
 */
import { Command, CommanderError, Option } from './commander.js';
import { InputError, StartupError, errorMessage } from '../errors.js';
import { DEFAULT_LOCAL_MODEL, RUN_DEFAULTS } from '../eval/defaults.js';
import { DEVICES, DTYPES } from '../models/transformers-files.js';
import { SANDBOX_LIMIT_HELP } from '../sandbox/limits.js';
import { SecretRedactor } from '../secrets/redactor.js';
import { AGENT_EVAL_VERSION } from '../version.js';
import { hubRunFlags, registerHubCommands } from './hub-commands.js';
import { agentRunFlags } from './agent-flags.js';
import { registerReadingCommands } from './report-command.js';
import { registerFlywheelCommands } from './import-command.js';
import { registerMergeCommand } from './merge-command.js';
import { registerJobsCommand } from './jobs-command.js';
import { scoringRunFlags } from './scoring-flags.js';

const EXIT_INPUT = 2;
const EXIT_FAILED = 1;
const EXIT_INTERRUPTED = 130;

/** Every line the CLI prints is scrubbed of the secrets in force (filled in once .env is loaded, then by the run). */
const redactor = SecretRedactor.from();
const out = (line: string) => process.stdout.write(`${redactor.text(line)}\n`);
const err = (line: string) => process.stderr.write(`${redactor.text(line)}\n`);

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function buildProgram(signal: AbortSignal, setExitCode: (code: number) => void): Command {
  const program = new Command('agent-eval')
    .description('Evaluate LLM agents on task datasets (a TypeScript port and superset of SMOLTRACE)')
    .version(AGENT_EVAL_VERSION)
    .showHelpAfterError('(run agent-eval --help for the commands)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(redactor.text(text)), outputError: (text, write) => write(text.replace(/^error: /, 'agent-eval: ')) });

  const run = program
    .command('run')
    .description('run an evaluation and write results, traces, metrics and a leaderboard row')
    .option('--model <id>', `model id, LiteLLM style: openai/gpt-4o-mini, groq/llama-3.1-8b-instant, hf/org/model, ...; without it, the local ${DEFAULT_LOCAL_MODEL.id} (or AGENT_EVAL_DEFAULT_MODEL)`)
    .addOption(new Option('--provider <name>', 'how to reach the model; litellm routes by the model prefix').choices(['litellm', 'inference', 'ollama', 'transformers']).default(RUN_DEFAULTS.provider))
    .option('--hf-inference-provider <name>', 'Hugging Face Inference Provider for hf/ models (groq, together, ...)')
    .option('--base-url <url>', 'any OpenAI-compatible server (vLLM, llama.cpp, LM Studio, a LiteLLM proxy)')
    .addOption(new Option('--device <device>', 'local models: where ONNX Runtime runs them (default cpu)').choices(DEVICES))
    .addOption(new Option('--dtype <dtype>', `local models: ONNX weight variant (auto: fp32 where published; ${DEFAULT_LOCAL_MODEL.dtype} for the default model)`).choices(DTYPES))
    .option('--model-path <folder>', 'local models: a folder with the model files (config.json, tokenizer, onnx/) instead of the Hub')
    .option('--trust-remote-code', "accepted for SMOLTRACE compatibility; ONNX models run no model code, so it changes nothing")
    .addOption(new Option('--agent-type <type>', 'agent to evaluate').choices(['tool', 'code', 'both']).default(RUN_DEFAULTS.agentType))
    .option('--difficulty <level>', 'only tasks of this difficulty: easy, medium or hard (any case)')
    .option('--dataset-name <name>', "task set: 'builtin', a local .json/.jsonl file, or a Hub dataset id (owner/name)", RUN_DEFAULTS.datasetName)
    .option('--split <name>', 'split to read from a JSON file with splits', RUN_DEFAULTS.split)
    .addOption(new Option('--output-format <format>', 'where results go').choices(['json', 'hub']).default('json'))
    .option('--output-dir <dir>', 'parent directory of run directories', RUN_DEFAULTS.outputDir)
    .option('--prompt-yml <file>', 'smolagents prompt templates YAML (or a SMOLTRACE config with prompt_templates)')
    .option('--run-id <id>', 'run id (default: a random UUID)')
    .option('--parallel-workers <n>', 'tasks run at once', String(RUN_DEFAULTS.parallelWorkers))
    .option('--concurrency <n>', 'alias of --parallel-workers')
    .addOption(new Option('--working-directory <dir>', 'directory the tools work in').default(process.cwd(), 'the current directory'))
    .option('--model-args <key=value...>', 'generation parameters for the model: temperature=0.2 max_tokens=512 seed=7 ...')
    .option('--max-steps <n>', `agent steps per task (default ${RUN_DEFAULTS.maxSteps}, or max_steps from --prompt-yml)`)
    .option('--enable-tools <names...>', 'more tools: read_file, grep, ... or the groups files and system, visit_webpage, wikipedia_search')
    .addOption(new Option('--search-provider <provider>', 'web_search backend: duckduckgo, serper (SERPER_API_KEY) or brave (BRAVE_API_KEY)').choices(['duckduckgo', 'serper', 'brave']))
    .option('--mcp-server-url <url>', 'MCP server (repeatable): URL or name=URL (tools named name_tool)', collect)
    .addOption(new Option('--mcp-transport <transport>', 'MCP transport for URLs; auto = sse when the path ends in /sse').choices(['auto', 'streamable-http', 'sse']).default('auto'))
    .option('--mcp-server-command <command>', 'MCP server over stdio (repeatable): "cmd args" or name="cmd args"', collect)
    .option('--mcp-server-env <name[=value]>', 'environment variable for stdio MCP servers (repeatable); a bare name passes on our own value', collect)
    .addOption(new Option('--security-profile <profile>', 'closed: no remote model, Hub, MCP or network tools').choices(['standard', 'closed', 'bfsi-closed']).default('standard'))
    .option('--additional-imports <modules...>', 'code agent: Python modules allowed beyond the base list (math, json, re, ...)')
    .option('--code-timeout <seconds>', 'code agent: wall-clock limit per Python code step', '30')
    .option('--sandbox-limit <name=value>', `code agent: a cap the harness enforces on the sandbox (repeatable): ${SANDBOX_LIMIT_HELP}`, collect)
    .option('--limit <n>', 'run at most N tasks per agent type')
    .option('--task-id <id...>', 'run only these task ids')
    .option('--timeout <seconds>', 'wall-clock limit per task', String(RUN_DEFAULTS.timeoutSeconds))
    .option('--request-timeout <seconds>', 'limit per model request', String(RUN_DEFAULTS.requestTimeoutSeconds))
    .option('--max-retries <n>', 'retries per model request on 429, 5xx and connection errors', String(RUN_DEFAULTS.maxRetries))
    .addOption(new Option('--cache <mode>', 'record/replay model responses: record stores them, replay answers only from the store (no key, no network), auto replays hits and records misses').choices(['off', 'record', 'replay', 'auto']).default('off'))
    .option('--cache-dir <dir>', "the response store's folder (default: responses/ in agent-eval's cache)")
    .option('--no-adaptive-concurrency', 'keep --parallel-workers requests in flight even when the provider answers 429/503')
    .option('--max-requests-per-minute <n>', 'cap on model requests per minute')
    .option('--max-tokens-per-minute <n>', 'cap on model tokens (input + output) per minute')
    .option('--shard <i/n>', 'run only shard I of N (1-based; tasks split by a stable hash of their id); join shards with agent-eval merge')
    .option('--resume <run-dir>', 'continue a run in its directory: runs the tasks not recorded yet and those that failed on infrastructure errors')
    .option('--retry-errors', 'with --resume: also run again the tasks that timed out')
    .option('--fail-under <rate>', 'exit 3 when the success rate is below this (0.8 or 80%)')
    .option('--pricing <file>', 'token prices (JSON, USD per million tokens) overriding the bundled price table')
    .option('--enable-otel', 'record OpenTelemetry spans: traces.json, and OTLP export when an endpoint is set')
    .option('--otlp-endpoint <url>', 'OTLP/HTTP endpoint for spans (default: OTEL_EXPORTER_OTLP_ENDPOINT); implies --enable-otel')
    .option('--no-capture-content', 'leave message content and tool arguments/results off the spans')
    .option('--enable-gpu-metrics', 'sample GPUs with nvidia-smi (default on for ollama and transformers models)')
    .option('--disable-gpu-metrics', 'no GPU sampling, even for local models')
    .option('--gpu-sample-interval <seconds>', 'GPU sampling period', '1')
    .option('--pue <ratio>', 'data-centre power usage effectiveness applied to measured energy', '1.0')
    .option('--carbon-intensity <g-per-kwh>', 'grid carbon intensity in gCO2e/kWh (default 475)')
    .option('--country <iso3>', "use this country's average grid intensity (ISO 3166 alpha-3, e.g. FRA)")
    .option('--electricity-price <usd-per-kwh>', 'electricity price for the power cost', '0.12')
    .option('--use-case <text>', 'leaderboard grouping: use case')
    .option('--team <text>', 'leaderboard grouping: team')
    .addOption(new Option('--purpose <purpose>', 'leaderboard grouping: purpose').choices(['selection', 'regression', 'monitoring']))
    .option('--suite-version <text>', 'leaderboard grouping: suite version')
    .option('--report', 'write report.html (see agent-eval report) into the run directory; with --output-format hub it is uploaded into the results dataset')
    .option('--quiet', 'print only the summary')
    .option('--debug', 'print every tool call')
    .action(async (flags: Record<string, unknown>) => {
      const { runCommand } = await import('./run-command.js');
      const workers = flags.concurrency ?? flags.parallelWorkers;
      setExitCode(await runCommand({ ...flags, parallelWorkers: workers }, { out, err, redactor }, signal));
    });
  hubRunFlags(run);
  agentRunFlags(run);
  scoringRunFlags(run);
  // Getters: touching process.stdin opens it (about 1 ms), which only cleanup's confirmations need.
  registerHubCommands(program, {
    out,
    err,
    setExitCode,
    get input() {
      return process.stdin;
    },
    get isTTY() {
      return Boolean(process.stdin.isTTY);
    },
  });
  registerReadingCommands(program, { out, err, setExitCode });
  registerFlywheelCommands(program, { out, err, setExitCode });
  registerMergeCommand(program, { out, err, setExitCode });
  registerJobsCommand(program, { out, err, setExitCode });
  // Each command's flag errors point to that command's help.
  for (const command of program.commands) command.showHelpAfterError(`(run agent-eval ${command.name()} --help for the flags)`);
  return program;
}

/** Help and version need nothing from .env: reading it is skipped so they start as fast as Node itself. */
function onlyHelpOrVersion(argv: readonly string[]): boolean {
  const words = argv.slice(2);
  return words.length === 0 || words.some((word) => word === '--help' || word === '-h' || word === '--version' || word === '-V') || words[0] === 'help';
}

async function main(argv: string[]): Promise<number> {
  if (!onlyHelpOrVersion(argv)) (await import('dotenv')).config({ quiet: true });
  // The environment's secrets, and credentials in URL arguments (--base-url http://user:pw@host, --flag=URL).
  redactor.addEnvironment(process.env).addUrls(...argv.flatMap((argument) => [argument, argument.slice(argument.indexOf('=') + 1)]));
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    err('\n[INTERRUPT] stopping: finished tasks are kept, running ones are dropped. Ctrl-C again to quit at once.');
    controller.abort(new Error('interrupted'));
  });
  process.on('SIGTERM', () => controller.abort(new Error('terminated')));
  let exitCode = 0;
  const program = buildProgram(controller.signal, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_INPUT;
    }
    if (error instanceof InputError) {
      err(`agent-eval: ${errorMessage(error)}`);
      return EXIT_INPUT;
    }
    if (error instanceof StartupError) {
      err(`agent-eval: ${errorMessage(error)}`);
      return EXIT_FAILED;
    }
    err(`agent-eval: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT_FAILED;
  }
}

/**
 * Runs the command line and exits with its code. stdout and stderr writes are synchronous for files,
 * pipes and terminals on POSIX, so exiting at once loses no output and does not wait for idle
 * keep-alive sockets.
 */
export async function runProgram(argv: string[]): Promise<never> {
  process.exit(await main(argv));
}
