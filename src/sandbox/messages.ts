/**
 * The harness's check of what a sandbox process says (protocol.ts). A line that is not JSON, not one of these
 * shapes, or not expected at that moment is a protocol violation: the harness ends that task's sandbox and records
 * why; it never throws into the harness.
 */
import { z } from 'zod';
import type { ProcessToHarness } from './protocol.js';

const text = z.string();
const failures = z.record(z.string(), z.string());

const stepReport = z.strictObject({
  stdout: text,
  result: text.optional(),
  error: z.strictObject({ type: text.max(200), message: text }).optional(),
  final: z.strictObject({ json: text.optional(), text }).optional(),
});

const processMessage = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('snapshot'), base64: text, loadMs: z.number() }),
  z.strictObject({ t: z.literal('ready'), loadMs: z.number(), packageFailures: failures }),
  z.strictObject({ t: z.literal('result'), report: stepReport }),
  z.strictObject({ t: z.literal('tool'), callId: z.number().int().positive(), name: text.max(200), args: text }),
  z.strictObject({ t: z.literal('fatal'), message: text }),
]);

/** The message on one line, or why it is not one. */
export function parseProcessMessage(line: string): { message: ProcessToHarness } | { violation: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { violation: 'it sent a line that is not JSON' };
  }
  const parsed = processMessage.safeParse(value);
  if (!parsed.success) {
    const kind = typeof value === 'object' && value !== null && 't' in value ? JSON.stringify(String((value as { t: unknown }).t)).slice(0, 40) : 'untyped';
    return { violation: `it sent a malformed ${kind} message` };
  }
  return { message: parsed.data as ProcessToHarness };
}
