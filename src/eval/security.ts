import { InputError } from '../errors.js';
import type { ResolvedModel } from '../models/routing.js';
import { NETWORK_TOOLS } from '../tools/registry.js';
import type { RunOptions } from './types.js';

export const SECURITY_PROFILES = ['standard', 'closed'] as const;
export type SecurityProfile = (typeof SECURITY_PROFILES)[number];

export interface EffectivePolicy {
  profile: SecurityProfile;
  output_format: 'json' | 'hub';
  provider: string;
  model_provider: string;
  remote_model_allowed: boolean;
  hub_egress_allowed: boolean;
  mcp_allowed: boolean;
  network_tools_allowed: boolean;
  enabled_tools: string[];
  validated: true;
}

const LOOPBACK = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/i;

/** A model reached on this machine: Ollama or transformers, or any server on a loopback address. */
function isLocalModel(resolved: ResolvedModel): boolean {
  return resolved.provider === 'transformers' || LOOPBACK.test(resolved.baseUrl);
}

/**
 * Checks the run against `--security-profile`. `closed` (SMOLTRACE's bfsi-closed) allows no data to
 * leave the machine: no remote model, no Hub, no MCP, no network tools, only local task files. Every
 * violation is reported at once; the caller writes the policy to the run directory.
 */
export function checkSecurityProfile(options: RunOptions, resolved: ResolvedModel, enabledTools: readonly string[]): EffectivePolicy {
  const profile = options.securityProfile ?? 'standard';
  const closed = profile === 'closed';
  if (closed) {
    const violations: string[] = [];
    if (!isLocalModel(resolved)) violations.push(`the model is remote (${resolved.provider} at ${resolved.baseUrl}); use a local model (--provider transformers, ollama, or a loopback --base-url)`);
    if (options.mcpServers?.length) violations.push('MCP servers are not allowed');
    const network = enabledTools.filter((name) => NETWORK_TOOLS.includes(name) && name !== 'web_search');
    if (network.length) violations.push(`network tools are not allowed (${network.join(', ')})`);
    if (violations.length) throw new InputError(`--security-profile closed: ${violations.join('; ')}`);
  }
  return {
    profile,
    output_format: options.outputFormat ?? 'json',
    provider: options.provider,
    model_provider: resolved.provider,
    remote_model_allowed: !closed,
    hub_egress_allowed: !closed,
    mcp_allowed: !closed,
    network_tools_allowed: !closed,
    enabled_tools: closed ? enabledTools.filter((name) => !NETWORK_TOOLS.includes(name)) : [...enabledTools],
    validated: true,
  };
}
