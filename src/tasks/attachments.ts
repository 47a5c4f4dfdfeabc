/**
 * Files attached to a task (GAIA's `file_name`). Only a loader sets them (the Hub loader, from the
 * dataset's own files), on a symbol-keyed field that no data row can write: an `attachments` column in
 * a row is dropped when the row is validated (rows.ts), so a task file cannot copy host files.
 * Each task's files go to its own folder, `attachments/<task id>/`, under the working directory,
 * copied afresh (atomically) when the task starts; they are kept after the run, to show what the agent saw.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** An attached file: where it lies (the loader's cache) and the path the task sees, relative to the working directory. */
export interface TaskAttachment {
  /** Relative to the working directory: `attachments/<task id>/<file name>`. */
  name: string;
  /** The downloaded file. */
  source: string;
}

const ATTACHMENTS = Symbol('agent-eval.attachments');

type WithAttachments = { [ATTACHMENTS]?: readonly TaskAttachment[] };

/** The files a loader attached to `task`; empty for rows from data alone. */
export function taskAttachments(task: object): readonly TaskAttachment[] {
  return (task as WithAttachments)[ATTACHMENTS] ?? [];
}

/** Sets a task's attachments (loaders only). */
export function setTaskAttachments(task: object, attachments: readonly TaskAttachment[]): void {
  if (attachments.length) (task as WithAttachments)[ATTACHMENTS] = attachments;
}

/** A task's own folder for its attachments, relative to the working directory: `attachments/<id>` (a safe name). */
export function attachmentFolder(taskId: string): string {
  const safe = taskId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  const name = safe === taskId && safe !== '' ? safe : `${safe}-${createHash('sha256').update(taskId).digest('hex').slice(0, 8)}`;
  return `attachments/${name}`;
}

/** Copies the task's attached files into its folder under `workingDirectory` (a fresh copy each time, replacing one an earlier run changed). */
export async function placeAttachments(task: object, workingDirectory: string): Promise<void> {
  for (const attachment of taskAttachments(task)) {
    const target = join(workingDirectory, attachment.name);
    await mkdir(join(target, '..'), { recursive: true });
    const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await copyFile(attachment.source, temporary);
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }
}
