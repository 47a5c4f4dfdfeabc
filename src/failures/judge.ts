/**
 * The LLM side of `failures`: a model names each cluster (as Braintrust's Topics do) and, with
 * `--variants N`, writes N harder variants of each failed task. Any provider of `--judge-model`.
 */
import { InputError } from '../errors.js';
import type { ModelProvider } from '../models/types.js';

export interface JudgeSpec {
  model: string;
  baseUrl?: string;
  env: Record<string, string | undefined>;
}

export async function createJudge(spec: JudgeSpec): Promise<ModelProvider> {
  const [{ resolveModel }, { createProvider }] = await Promise.all([import('../models/routing.js'), import('../models/factory.js')]);
  const resolved = resolveModel({ model: spec.model, provider: 'litellm', env: spec.env, ...(spec.baseUrl && { baseUrl: spec.baseUrl }) });
  return createProvider(resolved, { timeoutMs: 120_000 });
}

async function ask(provider: ModelProvider, system: string, user: string): Promise<string> {
  const response = await provider.generate({ messages: [{ role: 'system', content: system }, { role: 'user', content: user }], temperature: 0 });
  return response.message.content.trim();
}

const cut = (text: string, length: number) => (text.length > length ? `${text.slice(0, length)}...` : text);

export async function nameCluster(provider: ModelProvider, examples: readonly { prompt: string; failure: string }[], fallback: string): Promise<string> {
  const listing = examples.map((example, index) => `${index + 1}. Task: ${cut(example.prompt, 300)}\n   Failure: ${cut(example.failure, 400)}`).join('\n');
  const answer = await ask(
    provider,
    'You name clusters of failed AI-agent tasks. Reply with one short name (at most 8 words) for what these failures have in common. No quotes, no explanation.',
    `Failed tasks of one cluster:\n${listing}`,
  );
  const name = answer.split('\n')[0]!.replace(/^["'`*\s]+|["'`*\s.]+$/g, '');
  return name ? cut(name, 80) : fallback;
}

export interface GeneratedVariant {
  prompt: string;
  expected_answer?: string;
  expected_keywords?: string[];
}

/** N harder variants of a task, as the model writes them (a JSON list); an answer that is not one is an error. */
export async function harderVariants(provider: ModelProvider, task: Record<string, unknown>, failure: string, count: number): Promise<GeneratedVariant[]> {
  const answer = await ask(
    provider,
    `You write evaluation tasks for AI agents. Given a task an agent failed and why, write ${count} harder variant(s) that test the same weakness. Reply with only a JSON list of objects with "prompt" and, when the answer is checkable, "expected_answer" or "expected_keywords".`,
    `Task: ${JSON.stringify({ prompt: task.prompt, expected_tool: task.expected_tool ?? null, expected_answer: task.expected_answer ?? null })}\nWhy it failed: ${cut(failure, 600)}`,
  );
  const start = answer.indexOf('[');
  const end = answer.lastIndexOf(']');
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.slice(start, end + 1));
  } catch {
    throw new InputError(`--judge-model: the variants of task ${String(task.id)} are not a JSON list`);
  }
  if (!Array.isArray(parsed)) throw new InputError(`--judge-model: the variants of task ${String(task.id)} are not a JSON list`);
  return parsed.slice(0, count).flatMap((item) => {
    if (typeof item !== 'object' || item === null || typeof (item as { prompt?: unknown }).prompt !== 'string') return [];
    const variant = item as Record<string, unknown>;
    return [{
      prompt: String(variant.prompt),
      ...(variant.expected_answer !== undefined && variant.expected_answer !== null && { expected_answer: String(variant.expected_answer) }),
      ...(Array.isArray(variant.expected_keywords) && { expected_keywords: variant.expected_keywords.map(String) }),
    }];
  });
}
