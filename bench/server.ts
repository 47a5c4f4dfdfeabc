// The loopback model server for the benchmark, in its own process so its CPU time is not counted
// as the harness's. Prints its URL on the first line of stdout.
import { finalAnswer, scriptByPrompt, startOpenAIServer, toolCall } from '../test/helpers/openai-server.js';

const latencyMs = Number(process.argv[2] ?? 50);
const toolAgent = scriptByPrompt({}, [
  toolCall('calculator', { expression: '21 * 2' }),
  toolCall('get_weather', { location: 'Paris, France' }),
  finalAnswer('The answer is 42.'),
]);
const codeAgent = scriptByPrompt({}, [
  { content: 'Thought: compute.\n<code>\nanswer = 21 * 2\nprint(answer)\n</code>' },
  { content: 'Thought: done.\n<code>\nfinal_answer(f"The answer is {answer}.")\n</code>' },
]);
const server = await startOpenAIServer({
  latencyMs,
  recordRequests: false,
  // Tool agent: three model calls; code agent (no tools in the request): two code steps.
  responder: (request) =>
    Array.isArray(request.body?.tools)
      ? toolAgent(request)
      : codeAgent(request),
});
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
