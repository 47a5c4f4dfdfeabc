// The loopback model server for the benchmark, in its own process so its CPU time is not counted
// as the harness's. Prints its URL on the first line of stdout.
import { finalAnswer, scriptByPrompt, startOpenAIServer, toolCall } from '../test/helpers/openai-server.js';

const latencyMs = Number(process.argv[2] ?? 50);
const server = await startOpenAIServer({
  latencyMs,
  recordRequests: false,
  responder: scriptByPrompt({}, [
    toolCall('calculator', { expression: '21 * 2' }),
    toolCall('get_weather', { location: 'Paris, France' }),
    finalAnswer('The answer is 42.'),
  ]),
});
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
