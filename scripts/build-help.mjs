// Saves the help text of the program and of each command into dist/help/ (see src/cli/help-cache.ts):
// the built program runs once per command with its output piped, exactly as a user's
// `agent-eval <command> --help | less` would, and what it printed is kept byte for byte.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const program = new URL('../dist/cli/program.js', import.meta.url);
const { buildProgram } = await import(program);
const { helpFileName } = await import(new URL('../dist/cli/help-cache.js', import.meta.url));
const commands = buildProgram(new globalThis.AbortController().signal, () => {}).commands.map((command) => command.name());
const folder = fileURLToPath(new URL('../dist/help/', import.meta.url));
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
const live = `const { runProgram } = await import(${JSON.stringify(program.href)}); await runProgram(process.argv);`;
for (const command of [null, ...commands]) {
  const words = command === null ? ['--help'] : [command, '--help'];
  // argv as the program sees it: [node, script, ...words]; the script's name is not shown in help.
  const text = execFileSync(process.execPath, ['--input-type=module', '-e', live, 'agent-eval', ...words], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  writeFileSync(`${folder}/${helpFileName(command)}`, text);
}
