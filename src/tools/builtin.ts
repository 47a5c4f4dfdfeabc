import { calculatorTool } from './calculator.js';
import { FINAL_ANSWER_TOOL, finalAnswerTool } from './final-answer.js';
import { timeTool } from './time.js';
import type { AnyTool } from './types.js';
import { weatherTool } from './weather.js';
import { webSearchTool } from './web-search.js';

export { FINAL_ANSWER_TOOL };

/** SMOLTRACE's always-on tools plus web_search and final_answer, in SMOLTRACE's order. */
export function builtinTools(): AnyTool[] {
  return [weatherTool, calculatorTool, timeTool, webSearchTool, finalAnswerTool];
}
