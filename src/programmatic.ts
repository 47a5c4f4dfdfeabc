/**
 * SMOLTRACE's non-Hub API under TypeScript names, for programs: `computeLeaderboardRow`
 * (`compute_leaderboard_row`) and `loadPromptConfig` (`load_prompt_config`). The Hub ones live in
 * src/hub/api.ts; src/index.ts exports both.
 */
import { loadPromptConfig as loadAgentPromptConfig, type PromptConfig } from './agents/prompts.js';
import type { AgentType } from './agents/types.js';
import type { RunResult } from './eval/types.js';
import { leaderboardRow, runDirectoryLocations, type LeaderboardLocations } from './sinks/leaderboard-row.js';

const PROMPT_FILES: Record<AgentType, string> = { tool: 'toolcalling_agent.yaml', code: 'code_agent.yaml' };

/**
 * leaderboard_row.json for a finished run (SMOLTRACE's keys, then agent-eval's). The dataset fields
 * default to the run directory's files, as `agent-eval run` writes them.
 */
export function computeLeaderboardRow(run: RunResult, options: { locations?: LeaderboardLocations; submittedBy?: string } = {}) {
  return leaderboardRow(run, options.locations ?? runDirectoryLocations(run), options.submittedBy ?? 'local');
}

/**
 * The prompt templates an agent runs with: smolagents' built-in file for `agentType` (default tool),
 * overlaid with a `--prompt-yml`-style file when given. Broken YAML or Jinja is an InputError.
 */
export function loadPromptConfig(promptYml?: string, options: { agentType?: AgentType } = {}): Promise<PromptConfig> {
  return loadAgentPromptConfig(PROMPT_FILES[options.agentType ?? 'tool'], promptYml);
}

export type { PromptConfig };
