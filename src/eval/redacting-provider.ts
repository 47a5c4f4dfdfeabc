// The last gate before the model: every tool message, and every user message after the task itself,
// is scrubbed of the run's secrets. Tool observations are already scrubbed where tools run
// (agents/tool-executor.ts); this also covers what other steps put in the conversation, such as the
// code agent's Python output. The task prompt (the first user message) is the dataset's, sent as is.
import type { Message, ModelProvider } from '../models/types.js';
import type { TextRedactor } from '../secrets/redactor.js';

function scrubbed(message: Message, redactor: TextRedactor, seen: WeakMap<Message, Message>): Message {
  // Assistant turns are the model's own words (and may carry signed reasoning that must stay verbatim).
  if (message.role !== 'user' && message.role !== 'tool') return message;
  // A conversation is sent again at every step: each message is scanned once, not once per call.
  let clean = seen.get(message);
  if (!clean) {
    const content = redactor.text(message.content);
    clean = content === message.content ? message : { ...message, content };
    seen.set(message, clean);
  }
  return clean;
}

/** `provider` with the run's secrets removed from the observations it sends. */
export function redactingProvider(provider: ModelProvider, redactor: TextRedactor): ModelProvider {
  const seen = new WeakMap<Message, Message>();
  return {
    get provider() {
      return provider.provider;
    },
    get modelId() {
      return provider.modelId;
    },
    generate: (request) => {
      const task = request.messages.findIndex((message) => message.role === 'user');
      const messages = request.messages.map((message, index) => (index === task ? message : scrubbed(message, redactor, seen)));
      return provider.generate({ ...request, messages });
    },
    ...(provider.close && { close: () => provider.close!() }),
  };
}
