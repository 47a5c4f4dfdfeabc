import { Environment, Interpreter, parse, tokenize } from '@huggingface/jinja';

export interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
}

function range(start: number, stop?: number, step = 1): number[] {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  const values: number[] = [];
  for (let value = from; step > 0 ? value < to : value > to; value += step) values.push(value);
  return values;
}

/**
 * Compiles a Jinja template with Python Jinja's default whitespace rules (no trim_blocks, no
 * lstrip_blocks), which is how smolagents renders its prompt templates. `Template` from
 * @huggingface/jinja turns both on, as chat templates want, and would change the prompts' layout.
 */
export function compileTemplate(text: string): CompiledTemplate {
  const program = parse(tokenize(text.endsWith('\n') ? text.slice(0, -1) : text, {}));
  return {
    render(context) {
      const environment = new Environment();
      const globals: Record<string, unknown> = {
        true: true,
        false: false,
        none: null,
        True: true,
        False: false,
        None: null,
        range,
        raise_exception: (message: string) => {
          throw new Error(message);
        },
      };
      for (const [key, value] of Object.entries({ ...globals, ...context })) environment.set(key, value);
      return String(new Interpreter(environment).run(program).value);
    },
  };
}
