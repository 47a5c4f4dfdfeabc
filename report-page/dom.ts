/** Small DOM helpers of the report page: elements with text (never innerHTML with data), numbers in words. */

export type Child = Node | string | null | undefined | false;

export function element<Tag extends keyof HTMLElementTagNameMap>(tag: Tag, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[Tag] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

export const MISSING = '\u2014';

/** A value or the missing mark, with a tooltip saying it was not recorded. */
export function cell(value: string | null, missingWhy = 'not recorded in this run'): HTMLTableCellElement {
  return value === null ? element('td', { class: 'missing', title: missingWhy }, MISSING) : element('td', {}, value);
}

export const percent = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? null : `${(value * 100).toFixed(digits)}%`);
export const number = (value: number | null | undefined, digits = 0) => (value === null || value === undefined ? null : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
export const usd = (value: number | null | undefined) => (value === null || value === undefined ? null : `$${value < 0.01 ? value.toPrecision(3) : value.toFixed(4)}`);
export const milliseconds = (value: number | null | undefined) => (value === null || value === undefined ? null : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`);
export const kwh = (value: number | null | undefined) => (value === null || value === undefined ? null : `${value.toPrecision(3)} kWh`);

export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return element('section', { id }, element('h2', {}, title), ...children);
}

export function note(text: string): HTMLParagraphElement {
  return element('p', { class: 'note' }, text);
}

/** A chart in a figure with a caption; `null` (no data) becomes a note instead. */
export function figure(chart: Element | null, caption: string, empty: string): HTMLElement {
  return chart ? element('figure', {}, chart, element('figcaption', {}, caption)) : note(empty);
}
