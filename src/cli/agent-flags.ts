/**
 * `agent-eval run` flags for agents agent-eval did not build (`--agent-command`, `--agent-url`,
 * `--agent-reuse`, `--agent-env`) and for the simulated user of dialogue tasks (`--user-model`,
 * `--user-base-url`, `--user-args`). Parsing is in agent-options.ts (loaded with the run, not for --help).
 */
import type { Command } from './commander.js';
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function agentRunFlags(command: Command): Command {
  return command
    .option('--agent-command <command>', 'evaluate an external agent: a process speaking the JSON-lines protocol of docs/agent-protocol.md ("cmd args", run by the shell), one per task')
    .option('--agent-url <url>', 'evaluate an agent served as an OpenAI-compatible chat completions endpoint (its reply is the answer)')
    .option('--agent-reuse', 'with --agent-command: keep agent processes between tasks instead of one per task')
    .option('--agent-env <name[=value]>', "with --agent-command: an environment variable passed to the agent as is (repeatable); a bare name passes on our own value. The agent's environment is ours without secrets otherwise", collect)
    .option('--user-model <id>', 'dialogue tasks (a user block): the simulated user\'s model, any supported provider (openai/gpt-4o-mini, ...)')
    .option('--user-base-url <url>', "an OpenAI-compatible server for the simulated user's model")
    .option('--user-args <key=value...>', "generation parameters for the simulated user (default temperature=0)");
}

