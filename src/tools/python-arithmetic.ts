// Python's int/float arithmetic and str() formatting for the calculator tool (no eval anywhere).

/** A calculator value with Python's int/float distinction: ints are exact, floats are IEEE doubles. */
export type CalcValue = { kind: 'int'; value: bigint } | { kind: 'float'; value: number };

/** A malformed or rejected expression; the message is one line for the model. */
export class CalculationError extends Error {
  override readonly name = 'CalculationError';
}

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**';

const MAX_EXPONENT = 100;
const MAX_MAGNITUDE = 1e100;

/** SMOLTRACE's limit: abs(value) > 1e100 is rejected (checked on every intermediate value). */
export function checkMagnitude(result: CalcValue): CalcValue {
  const magnitude = result.kind === 'int' ? (result.value < 0n ? -result.value : result.value) : Math.abs(result.value);
  if (magnitude > MAX_MAGNITUDE) throw new CalculationError('result too large (absolute value above 1e100)');
  return result;
}

const toFloat = (value: CalcValue): number => (value.kind === 'float' ? value.value : Number(value.value));
export const float = (value: number): CalcValue => ({ kind: 'float', value });
export const int = (value: bigint): CalcValue => ({ kind: 'int', value });

function bitLength(value: bigint): number {
  return value.toString(2).length;
}

/** Correctly rounded int / int, like Python's true division (Number(a) / Number(b) rounds twice). */
function intTrueDivide(a: bigint, b: bigint): number {
  const limit = 2n ** 53n;
  if (a > -limit && a < limit && b > -limit && b < limit) return Number(a) / Number(b);
  const negative = a < 0n !== b < 0n;
  const num = a < 0n ? -a : a;
  const den = b < 0n ? -b : b;
  const shift = 64 + bitLength(den) - bitLength(num);
  const scaledNum = shift > 0 ? num << BigInt(shift) : num;
  const scaledDen = shift < 0 ? den << BigInt(-shift) : den;
  let quotient = scaledNum / scaledDen;
  if (quotient * scaledDen !== scaledNum) quotient |= 1n; // sticky bit: the exact value lies above quotient
  const result = Number(quotient) * 2 ** -shift;
  return negative ? -result : result;
}

/** Python's float divmod (Objects/floatobject.c), returning [floor quotient, modulo]. */
function floatDivmod(a: number, b: number): [number, number] {
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod) {
    if (b < 0 !== mod < 0) {
      mod += b;
      div -= 1;
    }
  } else {
    mod = b < 0 ? -0 : 0;
  }
  let floorDiv: number;
  if (div) {
    floorDiv = Math.floor(div);
    if (div - floorDiv > 0.5) floorDiv += 1;
  } else {
    const quotient = a / b;
    floorDiv = quotient < 0 || Object.is(quotient, -0) ? -0 : 0;
  }
  return [floorDiv, mod];
}

function power(base: CalcValue, exponent: CalcValue): CalcValue {
  const exp = toFloat(exponent);
  if (Math.abs(exp) > MAX_EXPONENT) {
    throw new CalculationError(`exponent too large (absolute value above ${MAX_EXPONENT})`);
  }
  if (base.kind === 'int' && exponent.kind === 'int' && exponent.value >= 0n) {
    return int(base.value ** exponent.value);
  }
  const x = toFloat(base);
  if (x === 0 && exp < 0) throw new CalculationError('0 cannot be raised to a negative power');
  if (x < 0 && !Number.isInteger(exp)) {
    throw new CalculationError('a negative number raised to a fractional power is complex, which is not supported');
  }
  if (x === 0 || x === 1 || !Number.isInteger(exp)) return float(x === 1 ? 1 : x ** exp);
  return float(exactIntegerPower(x, exp));
}

/** x ** n for an integer n, correctly rounded like C's pow (V8's Math.pow can be 1 ulp off). */
function exactIntegerPower(x: number, n: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = BigInt((biased === 0 ? -1074 : biased - 1075) * Math.abs(n));
  const magnitude = mantissa ** BigInt(Math.abs(n)); // |x| ** |n| = magnitude * 2 ** exponent
  const [num, den] = exponent >= 0n ? [magnitude << exponent, 1n] : [magnitude, 1n << -exponent];
  const result = n > 0 ? intTrueDivide(num, den) : intTrueDivide(den, num);
  return x < 0 && n % 2 !== 0 ? -result : result;
}

/** `left op right` as Python computes it, e.g. `-7 // 2 == -4`, `-7 % 3 == 2`, `4 / 2 == 2.0`. */
export function binary(op: BinaryOp, left: CalcValue, right: CalcValue): CalcValue {
  if (op === '**') return power(left, right);
  if ((op === '/' || op === '//') && toFloat(right) === 0) throw new CalculationError('division by zero');
  if (op === '%' && toFloat(right) === 0) throw new CalculationError('modulo by zero');
  if (left.kind === 'int' && right.kind === 'int') {
    const [a, b] = [left.value, right.value];
    switch (op) {
      case '+':
        return int(a + b);
      case '-':
        return int(a - b);
      case '*':
        return int(a * b);
      case '/':
        return float(intTrueDivide(a, b));
      case '//':
        return int(a / b - (a % b !== 0n && a < 0n !== b < 0n ? 1n : 0n));
      case '%': {
        const rest = a % b;
        return int(rest !== 0n && rest < 0n !== b < 0n ? rest + b : rest);
      }
    }
  }
  const [a, b] = [toFloat(left), toFloat(right)];
  switch (op) {
    case '+':
      return float(a + b);
    case '-':
      return float(a - b);
    case '*':
      return float(a * b);
    case '/':
      return float(a / b);
    case '//':
      return float(floatDivmod(a, b)[0]);
    case '%':
      return float(floatDivmod(a, b)[1]);
  }
}

/** Python's str() of an int or float: `15678`, `2.0`, `0.30000000000000004`, `1e+16`, `1.5e-05`. */
export function formatPythonNumber(result: CalcValue): string {
  if (result.kind === 'int') return result.value.toString();
  const x = result.value;
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', exponentText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${head}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
}
