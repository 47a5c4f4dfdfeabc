#!/usr/bin/env node
/**
 * The `agent-eval` command. A plain help request (`--help`, `-h`, `<command> --help`) is answered with
 * the text the program itself printed at build time (help-cache.ts), so it costs little more than
 * starting Node; everything else loads the program (program.ts).
 */
import { cachedHelp } from './help-cache.js';

const help = cachedHelp(process.argv.slice(2), process.stdout);
if (help === undefined) await (await import('./program.js')).runProgram(process.argv);
else process.stdout.write(help);
