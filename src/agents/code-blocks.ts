/**
 * Extracts the Python code of a code-agent reply. smolagents' current format wraps it in
 * `<code>...</code>`; the older one in a ```py / ```python fence, optionally followed by `<end_code>`.
 * Several blocks in one reply are run together, in order.
 */
const TAGGED = /<code>([\s\S]*?)(?:<\/code>|$)/g;
const FENCED = /```(?:py|python)?[ \t]*\n([\s\S]*?)(?:\n?```|<end_code>|$)/g;

export function extractCode(text: string): string | undefined {
  for (const pattern of [TAGGED, FENCED]) {
    const blocks = [...text.matchAll(pattern)].map((match) => match[1]!.replace(/<end_code>\s*$/, '').trim()).filter(Boolean);
    if (blocks.length) return blocks.join('\n\n');
  }
  return undefined;
}

/** The observation the model sees after a code step, in smolagents' wording. */
export function codeObservation(step: { stdout: string; result?: string; error?: { type: string; message: string } }): string {
  const parts: string[] = [];
  if (step.stdout) parts.push(`Execution logs:\n${step.stdout.trimEnd()}`);
  if (step.error) parts.push(`Error: ${step.error.type}: ${step.error.message}\nNow let's retry: take care not to repeat the previous error.`);
  else parts.push(`Last output from code snippet:\n${step.result ?? 'None'}`);
  return parts.join('\n');
}
