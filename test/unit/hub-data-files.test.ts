import { describe, expect, it } from 'vitest';
import { globToRegExp, splitFiles } from '../../src/hub/data-files.js';

describe('globToRegExp', () => {
  it('keeps * within a segment and lets ** cross segments', () => {
    expect(globToRegExp('data/train-*').test('data/train-00000-of-00001.parquet')).toBe(true);
    expect(globToRegExp('data/train-*').test('data/x/train-0.parquet')).toBe(false);
    expect(globToRegExp('data/*.parquet').test('data/run.1.parquet')).toBe(true);
    expect(globToRegExp('**/*.jsonl').test('a/b/c.jsonl')).toBe(true);
    expect(globToRegExp('**/*.jsonl').test('c.jsonl')).toBe(true);
    expect(globToRegExp('t?.json').test('t1.json')).toBe(true);
  });
});

describe('splitFiles', () => {
  const pushToHub = ['.gitattributes', 'README.md', 'data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet', 'data/test-00000-of-00001.parquet'];

  it('uses the card configs (default config) when present', () => {
    const cardData = {
      configs: [
        { config_name: 'other', data_files: 'other/*.jsonl' },
        { config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }, { split: 'test', path: ['data/test-*'] }] },
      ],
    };
    expect(splitFiles(pushToHub, cardData, 'train')).toEqual({ files: ['data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet'], splits: ['train', 'test'], source: 'configs', configs: ['other', 'default'] });
    expect(splitFiles(pushToHub, cardData, 'validation')).toMatchObject({ files: [], splits: ['train', 'test'] });
    expect(splitFiles(['x/a.jsonl', 'b.jsonl'], { configs: [{ config_name: 'default', data_files: 'x/*.jsonl' }] }, 'train').files).toEqual(['x/a.jsonl']);
    expect(splitFiles(['d/a.jsonl', 'b.jsonl'], { configs: [{ config_name: 'default', data_dir: 'd' }] }, 'train').files).toEqual(['d/a.jsonl']);
  });

  it('falls back to the file layout', () => {
    expect(splitFiles(pushToHub, null, 'test')).toEqual({ files: ['data/test-00000-of-00001.parquet'], splits: ['train', 'test'], source: 'layout' });
    expect(splitFiles(['train.jsonl', 'validation.jsonl', 'notes.txt'], {}, 'validation').files).toEqual(['validation.jsonl']);
    expect(splitFiles(['train/0.parquet', 'test/0.parquet'], null, 'train').files).toEqual(['train/0.parquet']);
    expect(splitFiles(['pretraining.jsonl', 'tasks.jsonl'], null, 'train')).toMatchObject({ files: ['pretraining.jsonl', 'tasks.jsonl'], splits: ['train'] });
    expect(splitFiles(['tasks.jsonl'], null, 'test')).toMatchObject({ files: [], splits: ['train'] });
    expect(splitFiles(['README.md'], null, 'train')).toMatchObject({ files: [], splits: [] });
  });
});
