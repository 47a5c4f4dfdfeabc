import { z } from 'zod';
import {
  CalculationError,
  binary,
  checkMagnitude,
  float,
  formatPythonNumber,
  int,
  type BinaryOp,
  type CalcValue,
} from './python-arithmetic.js';
import { ToolError, defineTool } from './types.js';

export { CalculationError, formatPythonNumber, type CalcValue } from './python-arithmetic.js';

/* A tokenizer and recursive-descent parser; the tree is evaluated with Python's int/float semantics. */

export const MAX_EXPRESSION_LENGTH = 256;

type Token =
  | { type: 'number'; value: CalcValue; text: string; pos: number }
  | { type: 'op'; op: BinaryOp | '(' | ')'; pos: number }
  | { type: 'end'; pos: number };
type Node =
  | { type: 'number'; value: CalcValue }
  | { type: 'unary'; op: '+' | '-'; operand: Node }
  | { type: 'binary'; op: BinaryOp; left: Node; right: Node };

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;
const ALIASES: Record<string, string> = { '×': '*', '÷': '/', '−': '-' };
const OPERATORS = ['**', '//', '+', '-', '*', '/', '%', '(', ')'] as const;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const char = text[pos] as string;
    if (/\s/.test(char)) {
      pos += 1;
      continue;
    }
    NUMBER.lastIndex = pos;
    const number = NUMBER.exec(text);
    if (number && /[\d.]/.test(char)) {
      tokens.push({ type: 'number', value: parseLiteral(number[0], pos), text: number[0], pos });
      pos += number[0].length;
      continue;
    }
    NAME.lastIndex = pos;
    const name = NAME.exec(text);
    if (name) {
      throw new CalculationError(
        `names are not allowed ('${name[0]}' at position ${pos}); use only numbers, parentheses and + - * / // % **`,
      );
    }
    if (char === '^') throw new CalculationError(`'^' is not supported (position ${pos}); use '**' for powers`);
    if (char === ',') {
      throw new CalculationError(`unexpected character ',' at position ${pos}; write numbers without thousands separators`);
    }
    const alias = ALIASES[char];
    const op = OPERATORS.find((candidate) => (alias ?? text.slice(pos, pos + 2)).startsWith(candidate));
    if (!op) throw new CalculationError(`unexpected character '${char}' at position ${pos}`);
    tokens.push({ type: 'op', op, pos });
    pos += alias ? 1 : op.length;
  }
  tokens.push({ type: 'end', pos: text.length });
  return tokens;
}

function parseLiteral(text: string, pos: number): CalcValue {
  if (/[.eE]/.test(text)) return checkMagnitude({ kind: 'float', value: Number(text) });
  if (/^0+[1-9]/.test(text)) {
    throw new CalculationError(`leading zeros in decimal integer literals are not permitted ('${text}' at position ${pos})`);
  }
  return checkMagnitude({ kind: 'int', value: BigInt(text) });
}

/** Python's grammar: expr := term (('+'|'-') term)*; term := factor (('*'|'/'|'//'|'%') factor)*;
 * factor := ('+'|'-') factor | power; power := primary ['**' factor]; primary := number | '(' expr ')'. */
class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    if (this.peek().type === 'end') throw new CalculationError('empty expression');
    const node = this.expression();
    const rest = this.peek();
    if (rest.type !== 'end') throw this.unexpected(rest);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private takeOp(...ops: string[]): BinaryOp | '(' | ')' | undefined {
    const token = this.peek();
    if (token.type === 'op' && ops.includes(token.op)) {
      this.index += 1;
      return token.op;
    }
    return undefined;
  }

  private unexpected(token: Token): CalculationError {
    if (token.type === 'end') return new CalculationError('unexpected end of expression');
    const text = token.type === 'number' ? token.text : token.op;
    return new CalculationError(`unexpected '${text}' at position ${token.pos}`);
  }

  private expression(): Node {
    let node = this.term();
    for (let op = this.takeOp('+', '-'); op; op = this.takeOp('+', '-')) {
      node = { type: 'binary', op: op as BinaryOp, left: node, right: this.term() };
    }
    return node;
  }

  private term(): Node {
    const ops = ['*', '/', '//', '%'];
    let node = this.factor();
    for (let op = this.takeOp(...ops); op; op = this.takeOp(...ops)) {
      node = { type: 'binary', op: op as BinaryOp, left: node, right: this.factor() };
    }
    return node;
  }

  private factor(): Node {
    const op = this.takeOp('+', '-');
    if (op) return { type: 'unary', op: op as '+' | '-', operand: this.factor() };
    const base = this.primary();
    if (this.takeOp('**')) return { type: 'binary', op: '**', left: base, right: this.factor() };
    return base;
  }

  private primary(): Node {
    const token = this.peek();
    if (token.type === 'number') {
      this.index += 1;
      return { type: 'number', value: token.value };
    }
    if (this.takeOp('(')) {
      const inner = this.expression();
      if (!this.takeOp(')')) throw this.unexpected(this.peek());
      return inner;
    }
    throw this.unexpected(token);
  }
}


function evaluate(node: Node): CalcValue {
  if (node.type === 'number') return node.value;
  if (node.type === 'unary') {
    const operand = evaluate(node.operand);
    if (node.op === '+') return operand;
    return operand.kind === 'int' ? int(-operand.value) : float(-operand.value);
  }
  return checkMagnitude(binary(node.op, evaluate(node.left), evaluate(node.right)));
}

/** Parses and evaluates an arithmetic expression with Python semantics; throws CalculationError. */
export function evaluateExpression(text: string): CalcValue {
  if ([...text].length > MAX_EXPRESSION_LENGTH) {
    throw new CalculationError(`expression too long (more than ${MAX_EXPRESSION_LENGTH} characters)`);
  }
  return evaluate(new Parser(tokenize(text)).parse());
}


export const calculatorTool = defineTool({
  name: 'calculator',
  description:
    'Evaluates an arithmetic expression exactly and returns "Result: <value>". Supports numbers, parentheses ' +
    'and the operators + - * / // (floor division) % (modulo) ** (power). Integer arithmetic is exact; / always ' +
    'gives a decimal. No variables, functions or units.',
  input: z.object({
    expression: z
      .string()
      .describe('The arithmetic expression to evaluate, e.g. "234 * 67" or "(20 + 15 + 18) / 3". Use ** for powers.'),
  }),
  outputType: 'string',
  async execute({ expression }) {
    try {
      return `Result: ${formatPythonNumber(evaluateExpression(expression))}`;
    } catch (error) {
      if (error instanceof CalculationError) throw new ToolError(`Error calculating: ${error.message}`);
      throw error;
    }
  },
});
