// Attached files come only from a loader (the Hub loader, from the dataset's own files), never from a
// row's data: an `attachments` column in a local or Hub row is dropped, so no row can copy a host file.
// A loader's attachment goes to the task's own folder, attachments/<task id>/, named in the prompt.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../src/hub/client.js';
import { loadHubTasks } from '../../src/hub/tasks.js';
import { attachmentFolder, placeAttachments, taskAttachments } from '../../src/tasks/attachments.js';
import { loadTaskSet } from '../../src/tasks/load.js';
import { startHubServer, type HubServer } from '../helpers/hub-server.js';

const ALICE = 'hf_alice';
const jsonl = (...rows: object[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';

let folder: string;
let secret: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'task-attachments-'));
  secret = join(folder, 'host-secret.txt');
  await writeFile(secret, 'host secret');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('attachments from data are dropped', () => {
  it('a local file row cannot name a host file to copy', async () => {
    const file = join(folder, 'tasks.jsonl');
    await writeFile(file, jsonl({ id: 't1', prompt: 'Read it', difficulty: 'easy', attachments: [{ name: 'stolen.txt', path: secret, source: secret }] }));
    const { tasks } = await loadTaskSet({ datasetName: file, split: 'train' });
    expect(tasks[0]).not.toHaveProperty('attachments');
    expect(taskAttachments(tasks[0]!)).toEqual([]);
    const workingDirectory = join(folder, 'wd');
    await import('node:fs/promises').then(({ mkdir }) => mkdir(workingDirectory));
    await placeAttachments(tasks[0]!, workingDirectory);
    expect(await readdir(workingDirectory)).toEqual([]);
  });

  describe('Hub rows', () => {
    let server: HubServer;
    beforeEach(async () => {
      server = await startHubServer({ users: { [ALICE]: 'alice' } });
    });
    afterEach(async () => {
      await server.close();
    });

    it('drop an attachments column and attach only the dataset file named by file_name, in the task folder', async () => {
      server.seedDataset('alice/gaia-like', {
        'data/train.jsonl': jsonl(
          { task_id: 'g/1', Question: 'Count the lines.', Level: 1, 'Final answer': '2', file_name: 'lines.txt' },
          { task_id: 'g2', Question: 'Steal.', Level: 1, 'Final answer': 'x', file_name: '', attachments: [{ name: 'stolen.txt', path: secret, source: secret }] },
        ),
        'data/lines.txt': 'a\nb\n',
      });
      const client = new HubClient({ hubUrl: server.url, token: ALICE, retry: { tries: 1 } });
      const { tasks } = await loadHubTasks({ client, dataset: 'alice/gaia-like', cacheDir: join(folder, 'cache') });
      const [counted, stealing] = tasks;
      expect(stealing).not.toHaveProperty('attachments');
      expect(taskAttachments(stealing!)).toEqual([]);
      const folderName = attachmentFolder('g/1');
      expect(folderName).toMatch(/^attachments\/g_1-[0-9a-f]{8}$/);
      expect(counted!.prompt).toBe(`Count the lines.\n\nAttached file: ${folderName}/lines.txt (a path relative to your working directory).`);
      expect(taskAttachments(counted!).map((attachment) => attachment.name)).toEqual([`${folderName}/lines.txt`]);
      // JSON never carries the loader's field (a cache path).
      expect(JSON.stringify(counted)).not.toContain(join(folder, 'cache'));

      const workingDirectory = join(folder, 'wd');
      await import('node:fs/promises').then(({ mkdir }) => mkdir(workingDirectory));
      for (const task of tasks) await placeAttachments(task, workingDirectory);
      expect(await readdir(workingDirectory)).toEqual(['attachments']);
      expect(await readdir(join(workingDirectory, 'attachments'))).toEqual([folderName.split('/')[1]]);
      expect(await readFile(join(workingDirectory, folderName, 'lines.txt'), 'utf8')).toBe('a\nb\n');
      // A second start replaces a copy an earlier run changed.
      await writeFile(join(workingDirectory, folderName, 'lines.txt'), 'changed');
      await placeAttachments(counted!, workingDirectory);
      expect(await readFile(join(workingDirectory, folderName, 'lines.txt'), 'utf8')).toBe('a\nb\n');
    });
  });
});

describe('attachmentFolder', () => {
  it('keeps safe ids and makes others safe and distinct', () => {
    expect(attachmentFolder('c61d22de-5f6c-4958-a7f6-5e9707bd3466')).toBe('attachments/c61d22de-5f6c-4958-a7f6-5e9707bd3466');
    expect(attachmentFolder('..')).toMatch(/^attachments\/_-[0-9a-f]{8}$/);
    expect(attachmentFolder('a/b')).not.toBe(attachmentFolder('a_b'));
  });
});
