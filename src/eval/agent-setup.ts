import { loadPromptConfig, renderSystemPrompt } from '../agents/prompts.js';
import type { AgentType } from '../agents/types.js';
import type { AnyTool } from '../tools/types.js';
import { BASE_AUTHORIZED_IMPORTS } from '../sandbox/types.js';
import { RUN_DEFAULTS } from './defaults.js';
import { templateHashes } from './environment.js';
import type { RunOptions } from './types.js';
import { setUpExternalAgent, type ExternalAgentContext, type ExternalAgentSetup } from './external-agent-setup.js';
import { setUpDialogueModel, type DialogueModelSetup } from './dialogue-setup.js';


export interface AgentSetup {
  systemPrompt: string;
  maxSteps: number;
  promptHashes: Record<string, string>;
  /** An external agent in place of the built-in tool agent (`--agent-command`, `--agent-url`, `defineAgent`). */
  external?: ExternalAgentSetup;
  /** The simulated user of dialogue tasks (`--user-model`). */
  dialogue?: DialogueModelSetup;
}

export interface AgentsSetup {
  agents: Partial<Record<AgentType, AgentSetup>>;
  /** Imports allowed to the code agent beyond the base list (--additional-imports and the prompt file's). */
  additionalImports: string[];
}

const PROMPT_FILES: Record<AgentType, string> = { tool: 'toolcalling_agent.yaml', code: 'code_agent.yaml' };

/** Loads, checks and renders the prompt templates of each agent the run uses. */
export async function setUpAgents(options: RunOptions, tools: readonly AnyTool[], agentTypes: readonly AgentType[], context: ExternalAgentContext = { env: {} }): Promise<AgentsSetup> {
  const external = await setUpExternalAgent(options, context);
  const dialogue = setUpDialogueModel(options, context.env);
  const agents: AgentsSetup['agents'] = {};
  let additionalImports = [...(options.additionalImports ?? [])];
  for (const agentType of agentTypes) {
    const config = await loadPromptConfig(PROMPT_FILES[agentType], options.promptYml);
    if (agentType === 'code') additionalImports = [...new Set([...additionalImports, ...config.additionalImports])];
    const imports = [...new Set([...BASE_AUTHORIZED_IMPORTS, ...additionalImports])].sort();
    agents[agentType] = {
      systemPrompt: renderSystemPrompt(config, tools, agentType === 'code' ? imports : []),
      maxSteps: options.maxSteps ?? config.maxSteps ?? RUN_DEFAULTS.maxSteps,
      promptHashes: templateHashes(config.templates),
      ...(agentType === 'tool' && external && { external }),
      ...(dialogue && { dialogue }),
    };
  }
  return { agents, additionalImports };
}

/** Ends what the agents hold for the run: external agent processes, the OTLP receiver, the simulator's client. */
export async function closeAgents(agents: AgentsSetup['agents']): Promise<void> {
  const all = Object.values(agents);
  await Promise.all([...new Set(all.map((setup) => setup?.external))].map((external) => external?.close()));
  await Promise.all([...new Set(all.map((setup) => setup?.dialogue))].map((dialogue) => dialogue?.close()));
}
