import { describe, expect, it } from 'vitest';
import { withDefaults } from '../../src/eval/defaults.js';
import { externalAgentRoute } from '../../src/eval/external-agent-setup.js';

describe('externalAgentRoute', () => {
  it('routes an external agent to no model client of ours, for the tool tasks', async () => {
    const route = externalAgentRoute(withDefaults({ model: 'openai/gpt-4o-mini', agentCommand: 'python3 agent.py' }));
    expect(route?.resolved).toEqual({ provider: 'external', modelId: 'openai/gpt-4o-mini', baseUrl: 'external-process', apiKey: '' });
    expect(route?.agentTypes).toEqual(['tool']);
    await expect(route!.provider.generate({ messages: [] })).rejects.toThrow('an external agent calls its own model');
    expect(externalAgentRoute(withDefaults({ model: 'openai/gpt-4o-mini' }))).toBeUndefined();
  });

  it('refuses what cannot hold: both kinds of agent, code tasks, a process under the closed profile', () => {
    expect(() => externalAgentRoute(withDefaults({ model: 'x', agentCommand: 'a', agentUrl: 'http://127.0.0.1:1/v1' }))).toThrow('--agent-command and --agent-url: choose one');
    expect(() => externalAgentRoute(withDefaults({ model: 'x', agentCommand: 'a', agentType: 'code' }))).toThrow(/--agent-type code: an external agent runs the tool tasks/);
    expect(() => externalAgentRoute(withDefaults({ model: 'x', agentCommand: 'a', securityProfile: 'closed' }))).toThrow(/--security-profile closed: --agent-command/);
    expect(externalAgentRoute(withDefaults({ model: 'x', agentUrl: 'http://127.0.0.1:8000/v1', securityProfile: 'closed' }))?.resolved.baseUrl).toBe('http://127.0.0.1:8000/v1');
  });
});
