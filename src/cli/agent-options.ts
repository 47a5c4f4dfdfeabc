/** Parsing of the agent and simulated-user flags (agent-flags.ts registers them). */
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { RunOptions } from '../eval/types.js';
import { parseModelArgs } from './model-args.js';
import type { RawRunFlags } from './run-options.js';

const schema = z.object({
  agentCommand: z.string().trim().min(1, '--agent-command: must not be empty').optional(),
  agentUrl: z.url({ protocol: /^https?$/, error: '--agent-url: must be an http(s) URL' }).optional(),
  agentReuse: z.boolean().optional(),
  agentEnv: z.array(z.string()).optional(),
  userModel: z.string().trim().min(1, '--user-model: must not be empty').optional(),
  userBaseUrl: z.url({ protocol: /^https?$/, error: '--user-base-url: must be an http(s) URL' }).optional(),
  userArgs: z.array(z.string()).optional(),
});

/** `--agent-env NAME=value` or `NAME` (our own value, so secrets stay off the command line). */
function parseAgentEnv(entries: string[] | undefined, env: Record<string, string | undefined>): Record<string, string> | undefined {
  if (!entries?.length) return undefined;
  const result: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const name = equals < 0 ? entry : entry.slice(0, equals);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InputError(`--agent-env ${entry}: give NAME=value or NAME`);
    const value = equals < 0 ? env[name] : entry.slice(equals + 1);
    if (value === undefined) throw new InputError(`--agent-env ${name}: ${name} is not set in this environment`);
    result[name] = value;
  }
  return result;
}

/** Without --model, an external agent's route is `external` (no local model is loaded); the rows record the model it reports. */
export function withExternalModel(raw: RawRunFlags): RawRunFlags {
  const external = raw.agentCommand !== undefined || raw.agentUrl !== undefined;
  if (!external) return raw;
  return { ...raw, ...(raw.model === undefined && !raw.resume && { model: 'external' }), ...(raw.agentType === 'both' && { agentType: 'tool' }) };
}

export function parseAgentFlags(raw: RawRunFlags, env: Record<string, string | undefined>): Partial<RunOptions> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = `--${String(issue.path[0] ?? '').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    throw new InputError(issue.message.startsWith('--') ? issue.message : `${flag}: ${issue.message}`);
  }
  const flags = parsed.data;
  if (flags.agentCommand && flags.agentUrl) throw new InputError('--agent-command and --agent-url: choose one');
  if (flags.agentReuse && !flags.agentCommand) throw new InputError('--agent-reuse: only with --agent-command');
  if (flags.agentEnv?.length && !flags.agentCommand) throw new InputError('--agent-env: only with --agent-command');
  if ((flags.userBaseUrl || flags.userArgs?.length) && !flags.userModel) throw new InputError(`${flags.userBaseUrl ? '--user-base-url' : '--user-args'}: only with --user-model`);
  const agentEnv = parseAgentEnv(flags.agentEnv, env);
  const userArgs = flags.userArgs?.length ? parseModelArgs(flags.userArgs, '--user-args') : undefined;
  return {
    ...(flags.agentCommand && { agentCommand: flags.agentCommand }),
    ...(flags.agentUrl && { agentUrl: flags.agentUrl }),
    ...(flags.agentReuse && { agentReuse: true }),
    ...(agentEnv && { agentEnv }),
    ...(flags.userModel && { userModel: flags.userModel }),
    ...(flags.userBaseUrl && { userBaseUrl: flags.userBaseUrl }),
    ...(userArgs && { userArgs }),
  };
}
