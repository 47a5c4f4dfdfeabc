import { describe, expect, it } from 'vitest';
import { ExternalTranscript } from '../../src/agents/external/external-transcript.js';
import type { AssistantMessage, Message, ToolCall } from '../../src/models/types.js';

const SYSTEM: Message = { role: 'system', content: 'You are a helpful agent.' };
const weather: ToolCall = { id: 'c1', name: 'get_weather', arguments: { location: 'Paris' } };
const time: ToolCall = { id: 'c2', name: 'get_time', arguments: { city: 'Paris' } };
const answerCall = (id: string, answer: string): ToolCall => ({ id, name: 'final_answer', arguments: { answer } });
const calling = (...toolCalls: ToolCall[]): AssistantMessage => ({ role: 'assistant', content: '', toolCalls });
const result = (call: ToolCall, content: string): Message => ({ role: 'tool', toolCallId: call.id, name: call.name, content });

describe('the conversation of an external agent (observed by agent-eval, merged with what the agent reported)', () => {
  it('without reports it is what agent-eval observed: the user message, each tool it ran, the answer', () => {
    const transcript = new ExternalTranscript();
    transcript.user('Weather in Paris?');
    transcript.tool(weather, '20°C', false);
    transcript.answer('It is 20°C.');
    expect(transcript.messages()).toEqual([{ role: 'user', content: 'Weather in Paris?' }, calling(weather), result(weather, '20°C'), { role: 'assistant', content: 'It is 20°C.' }]);
  });

  it("with each call's messages and reply reported it is the agent's conversation, as a built-in agent's row has it", () => {
    const transcript = new ExternalTranscript();
    const user: Message = { role: 'user', content: 'Weather in Paris?' };
    transcript.user(user.content);
    transcript.report([SYSTEM, user], { role: 'assistant', content: 'Let me look.', toolCalls: [weather] });
    transcript.tool(weather, '20°C', false);
    transcript.report([SYSTEM, user, { role: 'assistant', content: 'Let me look.', toolCalls: [weather] }, result(weather, '20°C')], calling(answerCall('f1', 'It is 20°C.')));
    transcript.answer('It is 20°C.');
    expect(transcript.messages()).toEqual([
      SYSTEM,
      user,
      { role: 'assistant', content: 'Let me look.', toolCalls: [weather] },
      result(weather, '20°C'),
      calling(answerCall('f1', 'It is 20°C.')),
      { role: 'tool', toolCallId: 'f1', name: 'final_answer', content: 'It is 20°C.' },
    ]);
  });

  it("takes the agent's assistant messages over agent-eval's stand-ins: parallel calls stay one message, a reported final_answer call replaces the answer", () => {
    const transcript = new ExternalTranscript();
    transcript.user('Weather and time in Paris?');
    // The agent reports what it sent, never its model's reply: its calls are known from the next report only.
    transcript.report([SYSTEM, { role: 'user', content: 'Weather and time in Paris?' }], undefined);
    transcript.tool(weather, '20°C', false);
    transcript.tool(time, '14:00', false);
    const both: AssistantMessage = { role: 'assistant', content: 'Two lookups.', toolCalls: [weather, time] };
    const sent: Message[] = [SYSTEM, { role: 'user', content: 'Weather and time in Paris?' }, both, result(weather, '20°C'), result(time, '14:00')];
    transcript.report(sent, undefined);
    transcript.answer('20°C at 14:00.');
    expect(transcript.messages()).toEqual([...sent, { role: 'assistant', content: '20°C at 14:00.' }]);
    // The second turn's report holds the first answer as the final_answer call the model made.
    transcript.user('And tomorrow?');
    transcript.report([...sent, calling(answerCall('f1', '20°C at 14:00.')), { role: 'user', content: 'And tomorrow?' }], { role: 'assistant', content: 'Sunny.' });
    transcript.answer('Sunny.');
    expect(transcript.messages()).toEqual([...sent, calling(answerCall('f1', '20°C at 14:00.')), { role: 'user', content: 'And tomorrow?' }, { role: 'assistant', content: 'Sunny.' }]);
  });

  it("keeps the agent's wording of the user's message (its template around it) once", () => {
    const transcript = new ExternalTranscript();
    transcript.user('Weather in Paris?');
    transcript.report([SYSTEM, { role: 'user', content: 'Task: Weather in Paris?\nAnswer briefly.' }], { role: 'assistant', content: 'Sunny.' });
    transcript.answer('Sunny.');
    expect(transcript.messages()).toEqual([SYSTEM, { role: 'user', content: 'Task: Weather in Paris?\nAnswer briefly.' }, { role: 'assistant', content: 'Sunny.' }]);
  });

  it('a reply reported as text alone becomes the assistant message with its tool calls when a later report has them', () => {
    const transcript = new ExternalTranscript();
    transcript.user('Weather?');
    transcript.report([{ role: 'user', content: 'Weather?' }], { role: 'assistant', content: 'Let me look.' });
    transcript.tool(weather, '20°C', false);
    transcript.report([{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: 'Let me look.', toolCalls: [weather] }, result(weather, '20°C')], { role: 'assistant', content: '20°C.' });
    transcript.answer('20°C.');
    expect(transcript.messages()).toEqual([{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: 'Let me look.', toolCalls: [weather] }, result(weather, '20°C'), { role: 'assistant', content: '20°C.' }]);
  });

  it('an agent that reports only what is new in each call gets it after what is already there', () => {
    const transcript = new ExternalTranscript();
    transcript.user('Weather?');
    transcript.report([SYSTEM, { role: 'user', content: 'Weather?' }], calling(weather));
    transcript.tool(weather, '20°C', false);
    transcript.report([{ role: 'user', content: 'Remember: answer in one line.' }], { role: 'assistant', content: '20°C.' });
    transcript.answer('20°C.');
    expect(transcript.messages()).toEqual([SYSTEM, { role: 'user', content: 'Weather?' }, calling(weather), result(weather, '20°C'), { role: 'user', content: 'Remember: answer in one line.' }, { role: 'assistant', content: '20°C.' }]);
  });

  it('the same words said in two turns are two messages', () => {
    const transcript = new ExternalTranscript();
    const again: AssistantMessage = { role: 'assistant', content: 'Could you say that again?' };
    transcript.user('Hm.');
    transcript.report([{ role: 'user', content: 'Hm.' }], again);
    transcript.answer(again.content);
    transcript.user('Hm!');
    transcript.report([{ role: 'user', content: 'Hm.' }, again, { role: 'user', content: 'Hm!' }], again);
    transcript.answer(again.content);
    expect(transcript.messages()).toEqual([{ role: 'user', content: 'Hm.' }, again, { role: 'user', content: 'Hm!' }, again]);
  });

  it("keeps the model's reasoning on its reply's assistant message, whichever report said it", () => {
    const transcript = new ExternalTranscript();
    const user: Message = { role: 'user', content: 'Weather in Paris?' };
    transcript.user(user.content);
    transcript.report([user], { role: 'assistant', content: '', toolCalls: [weather], reasoning: 'Look it up.' });
    transcript.tool(weather, '20°C', false);
    // The agent sends its model the history without the reasoning, and says the call's text only now: both are kept.
    transcript.report([user, { role: 'assistant', content: 'Looking.', toolCalls: [weather, time] }, result(weather, '20°C')], undefined);
    transcript.tool(time, '14:00', false);
    // The next reply's reasoning arrives as reasoning_content on the history of a later report.
    transcript.report([user, { role: 'assistant', content: 'Looking.', toolCalls: [weather, time] }, result(weather, '20°C'), result(time, '14:00')], { role: 'assistant', content: '20°C at 14:00.' });
    transcript.report([user, { role: 'assistant', content: '20°C at 14:00.', reasoning: 'Both known.' }], undefined);
    transcript.answer('20°C at 14:00.');
    expect(transcript.messages()).toEqual([
      user,
      { role: 'assistant', content: 'Looking.', toolCalls: [weather, time], reasoning: 'Look it up.' },
      result(weather, '20°C'),
      result(time, '14:00'),
      { role: 'assistant', content: '20°C at 14:00.', reasoning: 'Both known.' },
    ]);
  });

  it('a reply reported with its reasoning alone is the assistant message of the tool it called, or of the answer', () => {
    const transcript = new ExternalTranscript();
    transcript.user('Weather?');
    transcript.report([], { role: 'assistant', content: '', reasoning: 'Need the weather.' });
    transcript.tool(weather, '20°C', false);
    transcript.report([], { role: 'assistant', content: '', reasoning: 'Now answer.' });
    transcript.answer('20°C.');
    expect(transcript.messages()).toEqual([
      { role: 'user', content: 'Weather?' },
      { ...calling(weather), reasoning: 'Need the weather.' },
      result(weather, '20°C'),
      { role: 'assistant', content: '20°C.', reasoning: 'Now answer.' },
    ]);
    // A later report of that call (without reasoning) takes the stand-in's place and keeps its reasoning.
    transcript.user('Thanks.');
    transcript.report([{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: 'Checking.', toolCalls: [weather] }], undefined);
    expect(transcript.messages()[1]).toEqual({ role: 'assistant', content: 'Checking.', toolCalls: [weather], reasoning: 'Need the weather.' });
  });
});
