// The last gate before the model: every user and tool message is scrubbed of the run's secrets.
// Tool observations are already scrubbed where tools run (agents/tool-executor.ts); this also covers
// what other steps put in the conversation, such as the code agent's Python output.
import type { Message, ModelProvider } from '../models/types.js';
import type { TextRedactor } from '../secrets/redactor.js';

function scrubbed(message: Message, redactor: TextRedactor): Message {
  // Assistant turns are the model's own words (and may carry signed reasoning that must stay verbatim).
  if (message.role !== 'user' && message.role !== 'tool') return message;
  const content = redactor.text(message.content);
  return content === message.content ? message : { ...message, content };
}

/** `provider` with the run's secrets removed from the user and tool messages it sends. */
export function redactingProvider(provider: ModelProvider, redactor: TextRedactor): ModelProvider {
  return {
    get provider() {
      return provider.provider;
    },
    get modelId() {
      return provider.modelId;
    },
    generate: (request) => provider.generate({ ...request, messages: request.messages.map((message) => scrubbed(message, redactor)) }),
    ...(provider.close && { close: () => provider.close!() }),
  };
}
