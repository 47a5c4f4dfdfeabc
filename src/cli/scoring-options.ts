/** Parses `agent-eval run`'s scoring flags (registered in scoring-flags.ts) with zod. */
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { RunOptions } from '../eval/types.js';
import { parseModelArgs } from './model-args.js';

const positive = (flag: string) =>
  z.coerce.number({ error: `--${flag}: must be a number` }).int(`--${flag}: must be a whole number`).min(1, `--${flag}: must be at least 1`).max(1000, `--${flag}: at most 1000`);

const scoringFlagsSchema = z.object({
  scorer: z.array(z.string()).optional(),
  judgeModel: z.string().trim().min(1, '--judge-model: must not be empty').optional(),
  judgeBaseUrl: z.url({ protocol: /^https?$/, error: '--judge-base-url: must be an http(s) URL' }).optional(),
  judgeArgs: z.array(z.string()).optional(),
  judgeRubric: z.string().min(1).optional(),
  judgeTrajectory: z.boolean().optional(),
  allowSelfJudge: z.boolean().optional(),
  repeats: positive('repeats').optional(),
  epochs: positive('epochs').optional(),
  datasetConfig: z.string().trim().min(1, '--dataset-config: must not be empty').optional(),
  columnMap: z.array(z.string()).optional(),
  taskConfig: z.string().min(1).optional(),
  exportGaiaSubmission: z.string().min(1).optional(),
});

export type ScoringRunOptions = Pick<RunOptions, 'scorers' | 'judge' | 'repeats' | 'datasetConfig' | 'columnMap' | 'taskConfig'>;

/** `field=column` items; a field named twice or an item without `=` is an error. */
export function parseColumnMap(items: readonly string[] | undefined, flag = '--column-map'): Record<string, string> | undefined {
  if (!items?.length) return undefined;
  const map: Record<string, string> = {};
  for (const item of items.flatMap((entry) => entry.split(/\s+/)).filter(Boolean)) {
    const equals = item.indexOf('=');
    const field = item.slice(0, equals).trim();
    const column = item.slice(equals + 1).trim();
    if (equals <= 0 || !field || !column) throw new InputError(`${flag} ${item}: expected FIELD=COLUMN (e.g. prompt=question)`);
    if (field in map) throw new InputError(`${flag}: field '${field}' is mapped twice`);
    map[field] = column;
  }
  return map;
}

/** Validates the scoring flags; the first problem is one InputError line naming the flag. */
export function parseScoringFlags(raw: Record<string, unknown>): { options: ScoringRunOptions; gaiaSubmission?: string } {
  const parsed = scoringFlagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = `--${String(issue.path[0] ?? '').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    throw new InputError(issue.message.startsWith('--') ? issue.message : `${flag}: ${issue.message}`);
  }
  const flags = parsed.data;
  if (flags.repeats !== undefined && flags.epochs !== undefined && flags.repeats !== flags.epochs) throw new InputError('--repeats and --epochs: the same setting, give one');
  const scorers = flags.scorer?.flatMap((value) => value.split(',')).map((name) => name.trim()).filter(Boolean);
  if (flags.scorer && !scorers?.length) throw new InputError('--scorer: give a scorer name (e.g. --scorer gaia)');
  const judgeOnly = ['judgeBaseUrl', 'judgeArgs', 'judgeRubric', 'judgeTrajectory', 'allowSelfJudge'] as const;
  if (!flags.judgeModel) {
    const given = judgeOnly.find((name) => flags[name] !== undefined);
    if (given) throw new InputError(`--${given.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}: only with --judge-model`);
  }
  const badArg = flags.judgeArgs?.find((item) => item.indexOf('=') <= 0);
  if (badArg !== undefined) throw new InputError(`--judge-args ${badArg}: expected KEY=VALUE`);
  const repeats = flags.repeats ?? flags.epochs;
  const options: ScoringRunOptions = {
    ...(scorers?.length && { scorers }),
    ...(flags.judgeModel && {
      judge: {
        model: flags.judgeModel,
        ...(flags.judgeBaseUrl && { baseUrl: flags.judgeBaseUrl }),
        ...(flags.judgeArgs && { args: parseModelArgs(flags.judgeArgs, '--judge-args') }),
        ...(flags.judgeRubric && { rubricFile: flags.judgeRubric }),
        ...(flags.judgeTrajectory && { trajectory: true }),
        ...(flags.allowSelfJudge && { allowSelfJudge: true }),
      },
    }),
    ...(repeats !== undefined && repeats > 1 && { repeats }),
    ...(flags.datasetConfig && { datasetConfig: flags.datasetConfig }),
    ...(flags.columnMap && { columnMap: parseColumnMap(flags.columnMap) }),
    ...(flags.taskConfig && { taskConfig: flags.taskConfig }),
  };
  return { options, ...(flags.exportGaiaSubmission && { gaiaSubmission: flags.exportGaiaSubmission }) };
}
