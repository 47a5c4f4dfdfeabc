import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { containsKeyword } from '../../src/scoring/keywords.js';
import { taskRowSchema, type Task } from '../../src/tasks/schema.js';
import { builtinTools } from '../../src/tools/builtin.js';
import { evaluateExpression, formatPythonNumber } from '../../src/tools/calculator.js';
import { lookupWeather } from '../../src/tools/weather.js';

const path = fileURLToPath(new URL('../../tasks/builtin.jsonl', import.meta.url));
const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
const tasks: Task[] = lines.map((line) => taskRowSchema.parse(JSON.parse(line)));
const byId = new Map(tasks.map((task) => [task.id, task]));

/** The calculation each calculator task intends, and the keyword its answer must then contain. */
const CALCULATIONS: [id: string, expression: string, keyword: string][] = [
  ['code_calculator_single', '234 * 67', '15678'],
  ['tool_calc_multiply', '1234 * 5678', '7006652'],
  ['tool_calc_power', '2 ** 32', '4294967296'],
  ['tool_calc_fraction', '1 / 8', '0.125'],
  ['tool_calc_percentage', '2480 * 15 / 100', '372.0'],
  ['tool_calc_seconds_week', '7 * 24 * 60 * 60', '604800'],
  ['tool_calc_order_of_operations', '(17 + 8) * 4 - 36 / 3', '88.0'],
  ['tool_calc_average', '(12 + 45 + 78 + 91) / 4', '56.5'],
  ['tool_calc_large_product', '987654321 * 123456789', '121932631112635269'],
  ['tool_reasoning_candies', '1000 // 7', '142'],
  ['tool_reasoning_bacteria', '500 * 2 ** 10', '512000'],
  ['tool_reasoning_train_speed', '360 / 4.5', '80.0'],
  ['tool_reasoning_floor_area', '48 * 27', '1296'],
  ['tool_reasoning_revenue_growth', '(3185000 - 2450000) * 100 / 2450000', '30.0'],
  ['tool_reasoning_fuel_cost', '1260 / 100 * 6.5 * 1.8', '147.42'],
  ['tool_multi_average_three', '(20 + 15 + 18) / 3', '17.666666666666668'],
  ['tool_multi_temperature_difference', '25 - 15', '10'],
  ['tool_multi_fahrenheit', '22 * 9 / 5 + 32', '71.6'],
  ['tool_multi_average_two', '(25 + 22) / 2', '23.5'],
  ['tool_multi_kelvin', '18 + 273.15', '291.15'],
  ['tool_multi_temperature_range', '25 - 15', '10'],
  ['tool_multi_weather_time_product', '18 * 15', '270'],
  ['code_calculator_power', '3 ** 15', '14348907'],
  ['code_calculator_quotient', '98765 // 123', '802'],
  ['code_calculator_average', '(145 + 232 + 317 + 406) / 4', '275.0'],
  ['code_calculator_compound', '1000 * 1.05 ** 3', '1157.6250000000002'],
];

/** Single-tool weather tasks: the place the model should look up. */
const WEATHER_LOOKUPS: [id: string, location: string][] = [
  ['tool_weather_single', 'Paris, France'],
  ['shared_basic_weather', 'Sydney, Australia'],
  ['tool_weather_new_york', 'New York, USA'],
  ['tool_weather_tokyo_exact', 'Tokyo, Japan'],
  ['tool_weather_london_rain', 'London, UK'],
  ['tool_weather_berlin', 'Berlin, Germany'],
  ['tool_weather_sydney_sailing', 'Sydney, Australia'],
  ['tool_weather_time_combined', 'Tokyo, Japan'],
  ['tool_multi_time_weather_sydney', 'Sydney, Australia'],
];

describe('tasks/builtin.jsonl', () => {
  it('parses with taskRowSchema and has unique ids', () => {
    expect(tasks.length).toBe(lines.length);
    expect(byId.size).toBe(tasks.length);
    for (const line of lines) {
      const row = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(row).sort()).toEqual(
        [
          'agent_type',
          'category',
          'difficulty',
          'expected_keywords',
          'expected_tool',
          'expected_tool_calls',
          'id',
          'prompt',
        ].sort(),
      );
    }
  });

  it('keeps SMOLTRACE default rows', () => {
    const defaults: [string, string, string, string][] = [
      ['tool_weather_single', "What's the weather in Paris, France?", 'easy', 'tool'],
      ['tool_weather_compare', 'Compare the weather in Paris, France and London, UK. Which one is warmer?', 'medium', 'tool'],
      ['code_calculator_single', 'What is 234 multiplied by 67?', 'easy', 'code'],
      ['tool_time_single', 'What time is it in UTC?', 'easy', 'tool'],
      ['tool_weather_time_combined', "What's the current time in UTC and what's the weather in Tokyo, Japan?", 'hard', 'tool'],
      ['shared_basic_weather', "What's the weather like in Sydney, Australia?", 'easy', 'both'],
    ];
    for (const [id, prompt, difficulty, agentType] of defaults) {
      expect(byId.get(id)).toMatchObject({ prompt, difficulty, agent_type: agentType });
    }
    expect(byId.get('code_calculator_single')?.expected_keywords).toEqual(['15678']);
  });

  it('is runnable offline by the tool agent, at every difficulty', () => {
    const runnable = tasks.filter((task) => task.agent_type !== 'code');
    expect(runnable.length).toBeGreaterThanOrEqual(20);
    expect(new Set(runnable.map((task) => task.difficulty))).toEqual(new Set(['easy', 'medium', 'hard']));
    expect(tasks.filter((task) => task.agent_type === 'code').length).toBeGreaterThanOrEqual(4);
    expect(tasks.filter((task) => task.agent_type === 'code').length).toBeGreaterThanOrEqual(14);
    const offline = new Set(['get_weather', 'calculator', 'get_current_time', 'multiple']);
    const known = new Set(builtinTools().map((tool) => tool.name));
    for (const task of tasks) {
      if (task.expected_tool_calls === 0) {
        // pure-Python code tasks: no tool expected
        expect([task.agent_type, task.expected_tool], task.id).toEqual(['code', null]);
        continue;
      }
      expect(offline.has(task.expected_tool ?? ''), task.id).toBe(true);
      expect(task.expected_tool === 'multiple' || known.has(task.expected_tool ?? ''), task.id).toBe(true);
      expect(task.expected_tool_calls, task.id).toBeGreaterThanOrEqual(1);
      // one call per step plus final_answer must fit SMOLTRACE's default max_steps of 6
      expect(task.expected_tool_calls, task.id).toBeLessThanOrEqual(5);
      expect(task.expected_keywords.length, task.id).toBeGreaterThan(0);
      expect(['weather', 'math', 'time', 'multi_tool', 'reasoning', 'data']).toContain(task.category);
      expect(task.prompt).not.toMatch(/search/i);
    }
  });

  it.each(CALCULATIONS)('%s: %s gives the expected keyword %s', (id, expression, keyword) => {
    expect(formatPythonNumber(evaluateExpression(expression))).toBe(keyword);
    expect(byId.get(id)?.expected_keywords).toContain(keyword);
  });

  it('covers every calculator task in the table', () => {
    const inTable = new Set(CALCULATIONS.map(([id]) => id));
    for (const task of tasks.filter((candidate) => candidate.expected_tool === 'calculator')) {
      expect(inTable.has(task.id), task.id).toBe(true);
    }
  });

  it.each(WEATHER_LOOKUPS)('%s: the get_weather output for %s contains a keyword', (id, location) => {
    const output = lookupWeather(location);
    const keywords = byId.get(id)?.expected_keywords ?? [];
    expect(keywords.some((keyword) => containsKeyword(output, keyword))).toBe(true);
  });
});
