// Parses the built-in prompt YAML files once, at build time, into dist/prompts/<file>.json with the
// YAML text they came from: a run then reads the JSON (and skips loading the YAML parser, about 60 ms
// of its start-up) whenever the shipped YAML is still that text.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { URL } from 'node:url';
import { parse } from 'yaml';

const source = new URL('../prompts/', import.meta.url);
const target = new URL('../dist/prompts/', import.meta.url);
await mkdir(target, { recursive: true });
for (const name of await readdir(source)) {
  if (!name.endsWith('.yaml')) continue;
  const yaml = await readFile(new URL(name, source), 'utf8');
  await writeFile(new URL(`${name}.json`, target), JSON.stringify({ yaml, data: parse(yaml) }));
}
