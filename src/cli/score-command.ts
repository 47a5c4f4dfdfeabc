import type { Command } from './commander.js';
import type { FlywheelIo } from './import-command.js';

export function registerScoreCommand(program: Command, io: FlywheelIo): void {
  void program;
  void io;
}
