// A scripted "competent model" for end-to-end tests: for each task (found by its prompt in the first
// user message) it calls the expected tool the expected number of times, as parallel tool calls in
// one turn, then gives a final answer that contains every expected keyword.
import { messageText, type Responder, type ScriptedReply } from './openai-server.js';
import { finalAnswer } from './scripts.js';

export interface ScriptableTask {
  id: string;
  prompt: string;
  expected_tool?: string | null;
  expected_tool_calls?: number | null;
  expected_keywords?: string[];
}

const ARGUMENTS: Record<string, unknown> = {
  get_weather: { location: 'Paris, France' },
  calculator: { expression: '234 * 67' },
  get_current_time: { timezone: 'UTC' },
  web_search: { query: 'agent evaluation' },
};

function plannedCalls(task: ScriptableTask): string[] {
  const count = Math.max(1, task.expected_tool_calls ?? 1);
  if (!task.expected_tool || task.expected_tool === 'multiple') {
    return Array.from({ length: count }, (_, index) => (index % 2 === 0 ? 'get_weather' : 'calculator'));
  }
  return Array.from({ length: count }, () => task.expected_tool!);
}

/** Replies for one task's conversation: all planned tool calls in one turn, then the answer. */
export function scriptFor(task: ScriptableTask): ScriptedReply[] {
  const calls = plannedCalls(task).map((name) => ({ name, arguments: ARGUMENTS[name] ?? {} }));
  const keywords = task.expected_keywords ?? [];
  return [{ toolCalls: calls }, finalAnswer(keywords.length ? `The answer: ${keywords.join(', ')}.` : 'Done.')];
}

const PYTHON_CALLS: Record<string, string> = {
  get_weather: 'get_weather("Paris, France")',
  calculator: 'calculator(expression="234 * 67")',
  get_current_time: 'get_current_time(timezone="UTC")',
  web_search: 'web_search(query="agent evaluation")',
};

/**
 * Code-agent replies for one task: a code step that calls the planned tools from Python (positional
 * and keyword arguments) and keeps the results in a variable, then a step that uses that variable
 * (variables persist across steps) in final_answer.
 */
export function codeScriptFor(task: ScriptableTask): ScriptedReply[] {
  const calls = task.expected_tool_calls === 0 ? [] : plannedCalls(task);
  const keywords = task.expected_keywords ?? [];
  const answer = keywords.length ? `The answer: ${keywords.join(', ')}.` : 'Done.';
  const lines = ['results = []', ...calls.map((name) => `results.append(${PYTHON_CALLS[name] ?? `${name}()`})`), 'print(results)'];
  return [
    { content: `Thought: I will gather what I need.\n<code>\n${lines.join('\n')}\n</code>` },
    { content: `Thought: I can answer now.\n<code>\nfinal_answer(${JSON.stringify(answer)} if len(results) == ${calls.length} else "lost state")\n</code>` },
  ];
}

/**
 * A responder that solves `tasks`, for both agents. `overrides` replace a task's tool-agent script
 * (key: task id) or code-agent script (key: `code:` + task id), e.g. with faults. Unknown prompts get
 * a plain-text reply with no tool call.
 */
export function solveTasks(tasks: readonly ScriptableTask[], overrides: Record<string, ScriptedReply[]> = {}): Responder {
  const scripts = tasks
    .map((task) => ({ prompt: task.prompt, id: task.id, tool: overrides[task.id] ?? scriptFor(task), code: overrides[`code:${task.id}`] ?? codeScriptFor(task) }))
    .sort((left, right) => right.prompt.length - left.prompt.length);
  return (request) => {
    const messages: { role?: string; content?: unknown }[] = Array.isArray(request.body?.messages) ? request.body.messages : [];
    const user = messageText(messages.find((message) => message.role === 'user')?.content);
    const turn = messages.filter((message) => message.role === 'assistant').length;
    const script = scripts.find((entry) => user.includes(entry.prompt));
    if (!script) return { content: 'I do not know this task.' };
    // The code agent sends no tool definitions: it calls tools from Python.
    const isCodeAgent = !(Array.isArray(request.body?.tools) && request.body.tools.length);
    const replies = isCodeAgent ? script.code : script.tool;
    return replies[Math.min(turn, replies.length - 1)]!;
  };
}
