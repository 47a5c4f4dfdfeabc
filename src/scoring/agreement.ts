/**
 * Agreement of two yes/no scorers on the same tasks (smoltrace and judge): the 2x2 table and Cohen's
 * kappa, (p_o - p_e) / (1 - p_e); null when it is undefined (every verdict the same on both sides).
 */
export interface AgreementTable {
  /** Both passed. */
  both: number;
  /** Only the first passed. */
  firstOnly: number;
  /** Only the second passed. */
  secondOnly: number;
  /** Both failed. */
  neither: number;
}

export function emptyAgreement(): AgreementTable {
  return { both: 0, firstOnly: 0, secondOnly: 0, neither: 0 };
}

export function addAgreement(table: AgreementTable, first: boolean, second: boolean): void {
  if (first && second) table.both++;
  else if (first) table.firstOnly++;
  else if (second) table.secondOnly++;
  else table.neither++;
}

export function cohensKappa(table: AgreementTable): number | null {
  const total = table.both + table.firstOnly + table.secondOnly + table.neither;
  if (total === 0) return null;
  const observed = (table.both + table.neither) / total;
  const firstYes = (table.both + table.firstOnly) / total;
  const secondYes = (table.both + table.secondOnly) / total;
  const expected = firstYes * secondYes + (1 - firstYes) * (1 - secondYes);
  return expected === 1 ? null : (observed - expected) / (1 - expected);
}

/** The table and kappa as console lines. */
export function agreementLines(table: AgreementTable, first: string, second: string): string[] {
  const kappa = cohensKappa(table);
  const width = Math.max(first.length, 12);
  const cell = (value: number | string) => String(value).padStart(8);
  return [
    `Agreement of ${first} and ${second} (rows ${first}, columns ${second}):`,
    `${''.padEnd(width)}${cell('pass')}${cell('fail')}`,
    `${`${first} pass`.padEnd(width)}${cell(table.both)}${cell(table.firstOnly)}`,
    `${`${first} fail`.padEnd(width)}${cell(table.secondOnly)}${cell(table.neither)}`,
    `Cohen's kappa: ${kappa === null ? 'undefined (one verdict only)' : kappa.toFixed(3)}`,
  ];
}
