/**
 * `agent-eval run`'s scoring and task-kind flags (issue 15): scorers, the LLM judge, repeated
 * rollouts, dataset configurations and column maps, the GAIA submission file. Registration only
 * (no zod, so `--help` stays light); scoring-options.ts parses the values.
 */
import type { Command } from './commander.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function scoringRunFlags(command: Command): Command {
  return command
    .option('--scorer <name>', 'scorer of every task (repeatable, or a comma list): smoltrace (default), gaia, judge, tests, bash, exact, includes, regex; the first decides success', collect)
    .option('--judge-model <id>', 'LLM judge model, LiteLLM style (any supported provider): needed by the judge scorer')
    .option('--judge-base-url <url>', "an OpenAI-compatible server for the judge model")
    .option('--judge-args <key=value...>', 'generation parameters for the judge (temperature 0 unless given)')
    .option('--judge-rubric <file>', 'judge rubric YAML: criteria, scale {min, max}, pass_threshold, examples (a task\'s rubric column wins)')
    .option('--judge-trajectory', "give the judge the agent's trajectory, not only its final answer")
    .option('--allow-self-judge', 'allow the judge to be the evaluated model')
    .option('--repeats <k>', 'run each task K times (pass@k, pass^k and per-task variance in the leaderboard row)')
    .option('--epochs <k>', 'alias of --repeats')
    .option('--dataset-config <name>', 'Hub dataset configuration (subset), e.g. 2023_level1 for gaia-benchmark/GAIA')
    .option('--column-map <field=column...>', 'task field = dataset column: prompt=question expected_answer=answer id=task_id ...')
    .option('--task-config <file>', 'YAML with a columns: block (as --column-map) and defaults: for the rows (scorer, agent_type, difficulty)')
    .option('--export-gaia-submission <file>', "write the GAIA leaderboard's submission JSONL (task_id, model_answer, reasoning_trace) after the run");
}
