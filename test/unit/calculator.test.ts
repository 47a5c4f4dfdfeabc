import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CalculationError,
  calculatorTool,
  evaluateExpression,
  formatPythonNumber,
} from '../../src/tools/calculator.js';
import { ToolError, type ToolContext } from '../../src/tools/types.js';

const context: ToolContext = {
  signal: new AbortController().signal,
  workingDirectory: process.cwd(),
  now: () => new Date('2026-01-15T12:00:00Z'),
};

/** Python's str(eval(expression)). */
const calc = (expression: string): string => formatPythonNumber(evaluateExpression(expression));

function calcError(expression: string): string {
  try {
    evaluateExpression(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(CalculationError);
    return (error as Error).message;
  }
  throw new Error(`expected '${expression}' to fail`);
}

describe('evaluateExpression (Python semantics)', () => {
  it.each([
    ['234*67', '15678'],
    ['2 + 3 * 4', '14'],
    ['(2 + 3) * 4', '20'],
    ['10 - 4 - 3', '3'],
    ['2 ** 3 ** 2', '512'],
    ['-2 ** 2', '-4'],
    ['(-2) ** 2', '4'],
    ['2 ** -1', '0.5'],
    ['2 ** -2 ** 2', '0.0625'],
    ['--5', '5'],
    ['+-+3', '-3'],
    ['-7 // 2', '-4'],
    ['7 // -2', '-4'],
    ['-7 % 3', '2'],
    ['7 % -3', '-2'],
    ['-7.5 // 2', '-4.0'],
    ['-7.5 % 2', '0.5'],
    ['7 % -2.5', '-0.5'],
    ['4 / 2', '2.0'],
    ['7 / 2', '3.5'],
    ['1 / 3', '0.3333333333333333'],
    ['0.1 + 0.2', '0.30000000000000004'],
    ['1e16', '1e+16'],
    ['1e15', '1000000000000000.0'],
    ['1.5e-5', '1.5e-05'],
    ['0.0001', '0.0001'],
    ['.5 + 5.', '5.5'],
    ['-0.0', '-0.0'],
    ['-0', '0'],
    ['2 ** 100', '1267650600228229401496703205376'],
    ['987654321 * 123456789', '121932631112635269'],
    ['10 ** 30 + 1', '1000000000000000000000000000001'],
    ['10 ** 30 / 3', '3.333333333333333e+29'],
    ['63460709900000000000820300 / 509', '1.246772296660118e+23'],
    ['1.05 ** 3', '1.1576250000000001'],
    ['57.6 ** 4', '11007531.4176'],
    ['12 × 3 ÷ 4', '9.0'],
    ['5 − 8', '-3'],
    ['  ( 1 +\n 2 )  ', '3'],
  ])('%s -> %s', (expression, expected) => {
    expect(calc(expression)).toBe(expected);
  });

  it('keeps ints exact and floats as doubles', () => {
    expect(evaluateExpression('2 ** 64')).toEqual({ kind: 'int', value: 18446744073709551616n });
    expect(evaluateExpression('2.0 ** 3')).toEqual({ kind: 'float', value: 8 });
    expect(evaluateExpression('6 / 3')).toEqual({ kind: 'float', value: 2 });
  });

  it('formats floats like Python repr', () => {
    expect(formatPythonNumber({ kind: 'float', value: 123456789012345680 })).toBe('1.2345678901234568e+17');
    expect(formatPythonNumber({ kind: 'float', value: 1e100 })).toBe('1e+100');
    expect(formatPythonNumber({ kind: 'float', value: 5e-324 })).toBe('5e-324');
    expect(formatPythonNumber({ kind: 'float', value: 100 })).toBe('100.0');
    expect(formatPythonNumber({ kind: 'float', value: Infinity })).toBe('inf');
    expect(formatPythonNumber({ kind: 'float', value: NaN })).toBe('nan');
    expect(formatPythonNumber({ kind: 'int', value: -42n })).toBe('-42');
  });

  it('enforces the limits', () => {
    expect(calc('10 ** 100')).toBe(`1${'0'.repeat(100)}`);
    expect(calcError('10 ** 101')).toMatch(/too large/);
    expect(calcError('2 ** 101')).toMatch(/exponent too large/);
    expect(calcError('2 ** -101')).toMatch(/exponent too large/);
    expect(calc('2 ** 100.0')).toBe('1.2676506002282294e+30');
    expect(calcError('1e101')).toMatch(/too large/);
    expect(calcError('1e200 / 1e150')).toMatch(/too large/);
    expect(calcError('9 ** 99 * 9 ** 99')).toMatch(/too large/);
    expect(calc(`1${'+1'.repeat(127)}`)).toBe('128');
    expect(calcError(`1${'+1'.repeat(128)}`)).toMatch(/too long/);
  });

  it.each([
    ['1 / 0', 'division by zero'],
    ['1 // 0.0', 'division by zero'],
    ['5 % 0', 'modulo by zero'],
    ['0 ** -1', '0 cannot be raised to a negative power'],
    ['(-8) ** 0.5', 'complex'],
    ['', 'empty expression'],
    ['   ', 'empty expression'],
    ['2 +', 'unexpected end of expression'],
    ['(1 + 2', 'unexpected end of expression'],
    ['1 + 2)', "unexpected ')' at position 5"],
    ['2 (3)', "unexpected '(' at position 2"],
    ['1 2', "unexpected '2' at position 2"],
    ['1 * * 2', "unexpected '*' at position 4"],
    ['2 $ 3', "unexpected character '$' at position 2"],
    ['1 = 1', "unexpected character '=' at position 2"],
    ['2 ^ 3', "use '**' for powers"],
    ['1,000 + 1', 'without thousands separators'],
    ['sqrt(16)', "names are not allowed ('sqrt' at position 0)"],
    ['__import__("os")', 'names are not allowed'],
    ['2x', "names are not allowed ('x' at position 1)"],
    ['1j', 'names are not allowed'],
    ['007', 'leading zeros'],
    ['1.2.3', "unexpected '.3' at position 3"],
  ])('rejects %j (%s)', (expression, message) => {
    expect(calcError(expression)).toContain(message);
  });

  it('accepts 0 and 00 like Python', () => {
    expect(calc('00 + 0')).toBe('0');
    expect(calc('007.5')).toBe('7.5');
  });

  it('never evaluates code', () => {
    for (const file of ['calculator.ts', 'python-arithmetic.ts']) {
      const source = readFileSync(fileURLToPath(new URL(`../../src/tools/${file}`, import.meta.url)), 'utf8');
      expect(source).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(/);
    }
    const globalWithFlag = globalThis as { pwned?: boolean };
    expect(() => evaluateExpression('globalThis.pwned = true')).toThrow(CalculationError);
    expect(globalWithFlag.pwned).toBeUndefined();
  });
});

describe('calculator tool', () => {
  it('returns "Result: <python str>"', async () => {
    await expect(calculatorTool.execute({ expression: '234*67' }, context)).resolves.toBe('Result: 15678');
    await expect(calculatorTool.execute({ expression: '4/2' }, context)).resolves.toBe('Result: 2.0');
    await expect(calculatorTool.execute({ expression: '7/2' }, context)).resolves.toBe('Result: 3.5');
  });

  it('throws a ToolError "Error calculating: ..."', async () => {
    const failure = calculatorTool.execute({ expression: '1/0' }, context);
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    await expect(calculatorTool.execute({ expression: '1/0' }, context)).rejects.toThrow(
      'Error calculating: division by zero',
    );
  });

  it('has a schema with a required expression', () => {
    expect(calculatorTool.name).toBe('calculator');
    expect(calculatorTool.outputType).toBe('string');
    expect(calculatorTool.input.safeParse({}).success).toBe(false);
    expect(calculatorTool.input.safeParse({ expression: '1+1' }).success).toBe(true);
  });
});
