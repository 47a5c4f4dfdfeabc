// Task columns of the scorers that execute something: `tests` (MBPP/HumanEval-style asserts run in
// Python) and `bash` (NL2Bash-style commands run in a simulated shell over the row's fixture).
import { posix } from 'node:path';
import { z } from 'zod';

export const BASH_COMPARE_MODES = ['exact', 'lines', 'set'] as const;
export type BashCompareMode = (typeof BASH_COMPARE_MODES)[number];

/** A fixture path: relative, inside the fixture's root once normalised. */
function isFixturePath(path: string): boolean {
  const normalized = posix.normalize(path.replaceAll('\\', '/'));
  return path.trim() !== '' && normalized !== '.' && normalized !== '..' && !normalized.startsWith('../') && !posix.isAbsolute(normalized);
}

const assertList = z.array(z.string().trim().min(1, 'must be a non-empty assert statement')).nullish().transform((value) => value ?? null);

/** Spread into the task row's shape (schema.ts). */
export const executedTaskColumns = {
  /** Python statements, usually `assert f(x) == y`, each run against the agent's final code state. */
  tests: assertList,
  /** MBPP's name for `tests` (used when `tests` is absent). */
  test_list: assertList,
  /** Python run before the asserts (MBPP's `test_setup_code`: imports, helpers). */
  test_setup_code: z.string().nullish().transform((value) => value || null),
  /** The function the asserts call (HumanEval's `entry_point`): named when missing, taken from a tool agent's answer. */
  entry_point: z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Python function name').nullish().transform((value) => value ?? null),
  /** The bash task's files: relative path -> content, copied into the simulated shell's working directory. */
  fixture: z
    .record(z.string().refine(isFixturePath, 'keys must be relative paths inside the fixture (no leading /, no ..)'), z.string())
    .nullish()
    .transform((value) => value ?? null),
  /** The command whose output on the fixture is the right output. */
  reference_command: z.string().trim().min(1).nullish().transform((value) => value ?? null),
  /** How the bash scorer compares outputs: byte for byte, lines without trailing whitespace, or lines in any order. */
  bash_compare: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(BASH_COMPARE_MODES))
    .nullish()
    .transform((value): BashCompareMode => value ?? 'exact'),
};

/** The asserts of a row: `tests`, else MBPP's `test_list`; empty when it has none. */
export function rowTests(task: { tests: string[] | null; test_list: string[] | null }): string[] {
  return task.tests ?? task.test_list ?? [];
}
