/**
 * Where the sandbox host script lives and how Node must start it.
 *
 * The host and worker scripts are TypeScript in src/sandbox/, compiled by `npm run build` to dist/sandbox/*.js,
 * which is what Node runs in the child process (it cannot run .ts). From dist, host.js sits next to this file.
 * Under vitest this file runs from src/, so the compiled copy in dist/sandbox/ is used instead; a missing or stale
 * copy is an error that says to build (`npm test` builds first through its `pretest` script).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../errors.js';

/** Files the child process loads; each must be compiled next to host.js. */
const HOST_FILES = ['host', 'host-workers', 'worker', 'python', 'wasm-memory', 'protocol'];

export interface HostLaunch {
  hostScript: string;
  pyodideDir: string;
  /** Node flags for the child: permission model (reads of Pyodide and the host's folder only; no writes, no child
   * processes; workers allowed), and no code generation from strings (closes `Function(...)` escapes). */
  execArgv: string[];
}

function compiledHostDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (fs.existsSync(path.join(here, 'host.js'))) return here;
  const dist = path.resolve(here, '../../dist/sandbox');
  for (const name of HOST_FILES) {
    const built = path.join(dist, `${name}.js`);
    const source = path.join(here, `${name}.ts`);
    if (!fs.existsSync(built)) {
      throw new StartupError(`sandbox host script ${built} is missing; run \`npm run build\` first`);
    }
    if (fs.existsSync(source) && fs.statSync(source).mtimeMs > fs.statSync(built).mtimeMs) {
      throw new StartupError(`${built} is older than ${source}; run \`npm run build\` first`);
    }
  }
  return dist;
}

export function hostLaunch(): HostLaunch {
  const hostDir = compiledHostDir();
  const pyodideDir = path.dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
  return {
    hostScript: path.join(hostDir, 'host.js'),
    pyodideDir,
    execArgv: [
      '--experimental-permission',
      `--allow-fs-read=${pyodideDir}`,
      `--allow-fs-read=${hostDir}`,
      '--allow-worker',
      '--disallow-code-generation-from-strings',
      '--disable-warning=ExperimentalWarning',
      '--disable-warning=SecurityWarning',
    ],
  };
}
