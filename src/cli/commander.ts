/**
 * commander, loaded through `require`: it is a CommonJS package, and importing it as ESM makes Node
 * scan its sources for named exports first, about 8 ms of the 40 ms that `agent-eval --help` costs
 * above a bare `node` (measured on Node 20). Every command starts here, so it is worth the detour.
 */
import { createRequire } from 'node:module';

type CommanderModule = typeof import('commander');

const commander = createRequire(import.meta.url)('commander') as CommanderModule;

export const { Command, CommanderError, Option } = commander;
export type Command = import('commander').Command;
export type CommanderError = import('commander').CommanderError;
export type Option = import('commander').Option;
