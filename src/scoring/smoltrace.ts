import type { Task } from '../tasks/schema.js';
import { containsKeyword } from './keywords.js';

export interface SmoltraceInput {
  task: Pick<Task, 'expected_tool' | 'expected_tool_calls' | 'expected_keywords'>;
  /** Tools called, in order, without final_answer. */
  toolsUsed: readonly string[];
  finalAnswerCalled: boolean;
  response: string | null;
}

export interface SmoltraceScore {
  success: boolean;
  tool_called: boolean;
  correct_tool: boolean;
  final_answer_called: boolean;
  response_correct: boolean;
}

/**
 * SMOLTRACE's scoring rules (spec section 5), with its defects fixed: no response is never
 * correct, and keywords match as whole words or numbers. The same rule applies to both agent types,
 * since tool calls are recorded for both. A task with `expected_tool_calls: 0` and no expected tool
 * needs no tool call (SMOLTRACE could not express that).
 */
export function scoreTask(input: SmoltraceInput): SmoltraceScore {
  const { task, toolsUsed } = input;
  const toolCalled = toolsUsed.length > 0;
  // Extension: `expected_tool_calls: 0` with no expected tool marks a task solvable without tools.
  const toolOptional = !task.expected_tool && task.expected_tool_calls === 0;
  const expected = task.expected_tool;
  const expectedCalls = task.expected_tool_calls;
  let correctTool: boolean;
  if (expected === 'multiple') {
    correctTool = toolsUsed.length >= (expectedCalls || 1);
  } else if (expected) {
    const count = toolsUsed.filter((name) => name === expected).length;
    correctTool = expectedCalls ? count >= expectedCalls : count > 0;
  } else if (expectedCalls === 0) {
    correctTool = true; // a task that needs no tool (e.g. pure Python for the code agent)
  } else {
    correctTool = toolCalled;
  }
  const response = input.response;
  const keywords = task.expected_keywords;
  const responseCorrect =
    response !== null && (keywords.length === 0 || keywords.some((keyword) => containsKeyword(response, keyword)));
  return {
    success: (toolCalled || toolOptional) && correctTool && input.finalAnswerCalled && responseCorrect,
    tool_called: toolCalled,
    correct_tool: correctTool,
    final_answer_called: input.finalAnswerCalled,
    response_correct: responseCorrect,
  };
}
