/**
 * Python literals as Python's repr writes them (strings in either quote, numbers, True/False/None, dicts,
 * lists, tuples) → JSON values; what AgentTrace's `tool_input` holds: "args=() kwargs={'command': 'ls'}".
 * Returns undefined for anything else (code, free text), so the caller keeps the text.
 */
export function parsePythonLiteral(text: string): unknown {
  let position = 0;
  const fail = (): never => {
    throw new SyntaxError('not a Python literal');
  };
  const skip = () => {
    while (position < text.length && /\s/.test(text[position]!)) position++;
  };
  const value = (): unknown => {
    skip();
    const char = text[position];
    if (char === '{') return sequence('}', true);
    if (char === '[') return sequence(']', false);
    if (char === '(') return sequence(')', false);
    if (char === "'" || char === '"') return string(char);
    const word = /^(True|False|None|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(text.slice(position));
    if (!word) return fail();
    position += word[0].length;
    return word[0] === 'True' ? true : word[0] === 'False' ? false : word[0] === 'None' ? null : Number(word[0]);
  };
  const string = (quote: string): string => {
    let result = '';
    position++;
    while (position < text.length && text[position] !== quote) {
      const char = text[position++]!;
      if (char !== '\\') {
        result += char;
        continue;
      }
      const escaped = text[position++];
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
      result += escaped !== undefined && escaped in map ? map[escaped]! : `\\${escaped ?? ''}`;
    }
    if (text[position] !== quote) fail();
    position++;
    return result;
  };
  const sequence = (close: string, isDict: boolean): unknown => {
    position++;
    const list: unknown[] = [];
    const dict: Record<string, unknown> = {};
    for (;;) {
      skip();
      if (text[position] === close) break;
      const item = value();
      if (isDict) {
        skip();
        if (text[position++] !== ':') fail();
        dict[String(item)] = value();
      } else list.push(item);
      skip();
      if (text[position] === ',') position++;
      else if (text[position] !== close) fail();
    }
    position++;
    return isDict ? dict : list;
  };
  try {
    const result = value();
    skip();
    return position === text.length ? result : undefined;
  } catch {
    return undefined;
  }
}

/** smolagents-style "args=(...) kwargs={...}": kwargs as an object, plus positional args when there are any. */
export function parseCallText(text: string): Record<string, unknown> | undefined {
  const match = /^\s*args=(\(.*\))\s+kwargs=(\{.*\})\s*$/s.exec(text);
  if (!match) return undefined;
  const args = parsePythonLiteral(match[1]!);
  const kwargs = parsePythonLiteral(match[2]!);
  if (!Array.isArray(args) || typeof kwargs !== 'object' || kwargs === null) return undefined;
  return args.length ? { args, ...kwargs } : (kwargs as Record<string, unknown>);
}
