import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AGENT_EVAL_VERSION } from '../version.js';

/** Where and with what a run was made, for metadata.json (reproducibility). */
export interface EnvironmentInfo {
  agent_eval_version: string;
  /** The harness's git commit when it runs from a checkout; null otherwise. */
  git_commit: string | null;
  node_version: string;
  os: string;
  cpu_model: string | null;
  cpu_count: number;
  memory_total_mib: number;
}

const PACKAGE_DIRECTORY = fileURLToPath(new URL('../../', import.meta.url));

function gitCommit(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: PACKAGE_DIRECTORY, timeout: 2000 }, (error, stdout) => {
      const commit = stdout?.trim();
      resolve(!error && /^[0-9a-f]{40}$/.test(commit) ? commit : null);
    });
  });
}

export async function describeEnvironment(): Promise<EnvironmentInfo> {
  const processors = cpus();
  return {
    agent_eval_version: AGENT_EVAL_VERSION,
    git_commit: await gitCommit(),
    node_version: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    cpu_model: processors[0]?.model.trim() ?? null,
    cpu_count: processors.length,
    memory_total_mib: Math.round(totalmem() / 1024 / 1024),
  };
}

/** sha256 of each prompt template (nested keys joined with '.'), so runs with different prompts differ. */
export function templateHashes(templates: Record<string, unknown>, prefix = ''): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const [key, value] of Object.entries(templates)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') hashes[name] = createHash('sha256').update(value).digest('hex');
    else if (value && typeof value === 'object') Object.assign(hashes, templateHashes(value as Record<string, unknown>, name));
  }
  return hashes;
}
