/**
 * NL2Bash-style scoring: the agent's final command (its last `bash` call) runs on a fresh copy of the
 * row's fixture, and its standard output is compared with what the row's `reference_command` prints
 * on another fresh copy: byte for byte (`bash_compare: exact`, the default), line by line with
 * trailing whitespace ignored (`lines`), or as the same lines in any order (`set`: a multiset, blank
 * lines ignored). Both run in the simulated shell of the bash tool, never on the host.
 */
import type { AgentRun } from '../agents/types.js';
import type { BashCompareMode } from '../tasks/executed-columns.js';
import { BASH_TOOL, runOnFreshFixture, type ShellOutput } from '../tools/bash-tool.js';
import type { Score, Scorer } from './types.js';

/** The command of the agent's last `bash` call; undefined when it made none. */
export function lastBashCommand(run: Pick<AgentRun, 'steps'>): string | undefined {
  for (let index = run.steps.length - 1; index >= 0; index--) {
    const step = run.steps[index]!;
    if (step.type !== 'tool-call' || step.call.name !== BASH_TOOL) continue;
    const args = step.call.arguments;
    const command = typeof args === 'object' && args !== null ? (args as Record<string, unknown>).command : undefined;
    if (typeof command === 'string' && command.trim()) return command;
  }
  return undefined;
}

function lines(text: string): string[] {
  const all = text.split('\n').map((line) => line.trimEnd());
  while (all.length && all.at(-1) === '') all.pop();
  return all;
}

function quoted(text: string, limit = 120): string {
  return JSON.stringify(text.length > limit ? `${text.slice(0, limit)}...` : text);
}

/** Whether two outputs agree under `mode`, and if not, the first difference in words. */
export function compareOutputs(expected: string, actual: string, mode: BashCompareMode): { same: boolean; difference?: string } {
  if (mode === 'exact') {
    if (expected === actual) return { same: true };
    let at = 0;
    while (at < expected.length && expected[at] === actual[at]) at++;
    const line = expected.slice(0, at).split('\n').length;
    return { same: false, difference: `the outputs differ at byte ${at} (line ${line}): expected ${quoted(expected.slice(at, at + 60))}, got ${quoted(actual.slice(at, at + 60))}` };
  }
  const want = lines(expected);
  const got = lines(actual);
  if (mode === 'lines') {
    const count = Math.max(want.length, got.length);
    for (let index = 0; index < count; index++) {
      if (want[index] === got[index]) continue;
      const describe = (line: string | undefined) => (line === undefined ? 'no line' : quoted(line));
      return { same: false, difference: `line ${index + 1}: expected ${describe(want[index])}, got ${describe(got[index])} (${want.length} lines expected, ${got.length} printed)` };
    }
    return { same: true };
  }
  const counts = new Map<string, number>();
  for (const line of want.filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
  const extra: string[] = [];
  for (const line of got.filter(Boolean)) {
    const left = counts.get(line) ?? 0;
    if (left > 0) counts.set(line, left - 1);
    else extra.push(line);
  }
  const missing = [...counts].flatMap(([line, left]) => Array<string>(left).fill(line));
  if (!missing.length && !extra.length) return { same: true };
  const parts = [missing.length && `${missing.length} expected line(s) missing (first ${quoted(missing[0]!)})`, extra.length && `${extra.length} unexpected line(s) (first ${quoted(extra[0]!)})`];
  return { same: false, difference: parts.filter(Boolean).join('; ') };
}

function describeRun(output: ShellOutput): string {
  return output.exitCode === 0 ? '' : ` (it exited with status ${output.exitCode}${output.stderr ? `: ${quoted(output.stderr.trim())}` : ''})`;
}

export const bashScorer: Scorer = {
  name: 'bash',
  failureReason: 'output_mismatch',
  check: (task) => (task.reference_command === null ? 'the bash scorer needs reference_command (and usually a fixture)' : undefined),
  async score({ task, run }, context): Promise<Score> {
    const reference = task.reference_command;
    if (reference === null) return { value: 0, passed: false, explanation: 'the row has no reference_command', error: 'the row has no reference_command' };
    const command = lastBashCommand(run);
    if (command === undefined) return { value: 0, passed: false, explanation: 'the agent made no bash call, so there is no command to score' };
    const fixture = task.fixture ?? {};
    const expected = await runOnFreshFixture(fixture, reference, context.signal);
    if (expected.exitCode !== 0 && expected.stdout === '') {
      const message = `the reference command failed on the fixture${describeRun(expected)}`;
      return { value: 0, passed: false, explanation: message, error: message };
    }
    const actual = await runOnFreshFixture(fixture, command, context.signal);
    const mode = task.bash_compare;
    const verdict = compareOutputs(expected.stdout, actual.stdout, mode);
    if (verdict.same) return { value: 1, passed: true, explanation: `${quoted(command)} printed the reference output (${mode})` };
    return { value: 0, passed: false, explanation: `${quoted(command)} printed a different output (${mode}): ${verdict.difference}${describeRun(actual)}` };
  },
};
