/**
 * Files attached to a task (GAIA's `file_name`), placed in the task's working directory when it
 * starts; a file already there with that name is left as it is.
 */
import { copyFile, constants } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { Task } from './schema.js';

const attachmentsSchema = z.array(z.object({ name: z.string().min(1), path: z.string().min(1) }));

export async function placeAttachments(task: Task, workingDirectory: string): Promise<void> {
  const parsed = attachmentsSchema.safeParse((task as Record<string, unknown>).attachments);
  if (!parsed.success) return;
  for (const attachment of parsed.data) {
    await copyFile(attachment.path, join(workingDirectory, basename(attachment.name)), constants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
