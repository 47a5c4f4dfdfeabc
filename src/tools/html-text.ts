// A small HTML-to-markdown-ish text converter for visit_webpage: scripts, styles and other
// non-content elements are dropped; headings become `#` lines, links `[text](url)`, list items
// `- item`, and block elements paragraph breaks. It scans the document once (no backtracking
// regexes over the whole page), so hostile pages cost linear time.

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™', mdash: '—', ndash: '–',
  hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', middot: '·', bull: '•', euro: '€',
  pound: '£', yen: '¥', cent: '¢', deg: '°', times: '×', divide: '÷', shy: '', zwj: '', zwnj: '', thinsp: ' ', ensp: ' ', emsp: ' ',
};

export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g, (entity, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED[name] ?? NAMED[name.toLowerCase()] ?? entity;
  });
}

/** Elements whose content is not page text. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas', 'select', 'button']);
const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'table', 'thead', 'tbody', 'tr', 'ul', 'ol',
  'dl', 'dt', 'dd', 'blockquote', 'pre', 'form', 'figure', 'figcaption', 'hr', 'address', 'fieldset', 'details', 'summary',
  'body', 'html', 'center',
]);

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(tag);
  return match ? decodeHtmlEntities(match[1] ?? match[2] ?? match[3] ?? '') : undefined;
}

/** Index just past the `>` closing the tag that starts at `start`, honouring quoted attribute values. */
function tagEnd(html: string, start: number): number {
  const special = /[>"']/g;
  special.lastIndex = start + 1;
  for (;;) {
    const match = special.exec(html);
    if (!match) return html.length;
    if (match[0] === '>') return match.index + 1;
    const close = html.indexOf(match[0], match.index + 1);
    if (close === -1) return html.length;
    special.lastIndex = close + 1;
  }
}

function linkTarget(href: string | undefined, base: URL | undefined): string | undefined {
  if (!href || href.startsWith('#') || /^\s*(javascript|data|vbscript):/i.test(href)) return undefined;
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}

/** Text of an HTML page with light markdown; `baseUrl` makes relative links absolute. */
export function htmlToText(html: string, baseUrl?: string): string {
  const base = baseUrl ? new URL(baseUrl) : undefined;
  const out: string[] = [];
  let title = '';
  let anchor: { start: number; href: string | undefined } | undefined;
  let pre = 0;
  const closeAnchor = (): void => {
    if (!anchor) return;
    const text = out.splice(anchor.start).join('').replace(/\s+/g, ' ').trim();
    out.push(anchor.href && text ? `[${text}](${anchor.href})` : text);
    anchor = undefined;
  };
  let pos = 0;
  while (pos < html.length) {
    const lt = html.indexOf('<', pos);
    const textEnd = lt === -1 ? html.length : lt;
    if (textEnd > pos) {
      const text = decodeHtmlEntities(html.slice(pos, textEnd));
      out.push(pre ? text.replace(/[^\S\n]+/g, ' ') : text.replace(/\s+/g, ' '));
    }
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      pos = end === -1 ? html.length : end + 3;
      continue;
    }
    const next = html[lt + 1] ?? '';
    if (next === '!' || next === '?') {
      const end = html.indexOf('>', lt);
      pos = end === -1 ? html.length : end + 1;
      continue;
    }
    const nameMatch = /^\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(lt + 1, lt + 40));
    if (!nameMatch) {
      out.push('<');
      pos = lt + 1;
      continue;
    }
    const end = tagEnd(html, lt);
    const tag = html.slice(lt, end);
    const closing = next === '/';
    const name = nameMatch[1]!.toLowerCase();
    pos = end;
    if (!closing && (SKIPPED.has(name) || name === 'title' || name === 'head') && !tag.endsWith('/>')) {
      if (name === 'head') continue; // <head> content other than title/scripts/styles is not text either way
      const closer = new RegExp(`</${name}\\s*>`, 'gi');
      closer.lastIndex = end;
      const found = closer.exec(html);
      if (name === 'title' && !title) title = decodeHtmlEntities(html.slice(end, found ? found.index : html.length)).replace(/\s+/g, ' ').trim();
      pos = found ? found.index + found[0].length : html.length;
      continue;
    }
    if (/^h[1-6]$/.test(name)) out.push(closing ? '\n\n' : `\n\n${'#'.repeat(Number(name[1]))} `);
    else if (name === 'a') {
      closeAnchor();
      if (!closing) anchor = { start: out.length, href: linkTarget(attribute(tag, 'href'), base) };
    } else if (name === 'li') out.push(closing ? '' : '\n- ');
    else if (name === 'br') out.push('\n');
    else if (name === 'td' || name === 'th') out.push(' ');
    else if (BLOCKS.has(name)) {
      if (name === 'pre') pre = Math.max(0, pre + (closing ? -1 : 1));
      out.push('\n\n');
    }
  }
  closeAnchor();
  const body = out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return title && !body.startsWith(`# ${title}`) ? `${title}\n\n${body}`.trim() : body;
}
