/**
 * Which files of a Hub dataset make up a split, following `datasets`: the card's `configs`
 * `data_files` (the "default" config, else the first), otherwise the file-name conventions
 * (`data/{split}-00000-of-00001.parquet`, `{split}.jsonl`, `{split}/…`), otherwise every data file
 * is the train split. Only Parquet, JSON and JSON Lines files are data files here.
 */

export const DATA_EXTENSIONS = ['.parquet', '.jsonl', '.json'] as const;
const KNOWN_SPLITS = ['train', 'validation', 'valid', 'dev', 'test', 'eval'];

export interface SplitFiles {
  /** Files of the requested split, sorted; empty when the split does not exist. */
  files: string[];
  /** Splits the dataset has, for error messages. */
  splits: string[];
  /** Where the split came from: the card's configs or the file layout. */
  source: 'configs' | 'layout';
  /** The card's configuration names, for error messages. */
  configs?: string[];
}

export const isDataFile = (path: string) => DATA_EXTENSIONS.some((extension) => path.toLowerCase().endsWith(extension));

const escape = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** A `datasets`/fsspec-style glob as a RegExp: `*` and `?` stay within a path segment, `**` crosses them. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '*' && pattern[index + 1] === '*') {
      const slash = pattern[index + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += escape(char);
  }
  return new RegExp(`^${source}$`);
}

type DataFilesValue = string | string[] | { split?: unknown; path?: unknown }[] | undefined;

/** `data_files` of a config as split -> patterns. */
function configSplits(dataFiles: DataFilesValue, dataDir: string | undefined): Map<string, string[]> {
  const prefix = dataDir ? `${dataDir.replace(/\/+$/, '')}/` : '';
  const splits = new Map<string, string[]>();
  const add = (split: string, patterns: unknown) => {
    const list = (Array.isArray(patterns) ? patterns : [patterns]).filter((item): item is string => typeof item === 'string');
    splits.set(split, [...(splits.get(split) ?? []), ...list.map((pattern) => prefix + pattern)]);
  };
  if (typeof dataFiles === 'string') add('train', dataFiles);
  else if (Array.isArray(dataFiles)) {
    for (const entry of dataFiles) {
      if (typeof entry === 'string') add('train', entry);
      else if (entry && typeof entry === 'object') add(typeof entry.split === 'string' ? entry.split : 'train', entry.path);
    }
  } else if (dataDir) add('train', '**');
  return splits;
}

function fromConfigs(paths: readonly string[], cardData: Record<string, unknown> | null, split: string, configName?: string): SplitFiles | null {
  const configs = Array.isArray(cardData?.configs) ? (cardData.configs as { config_name?: unknown; data_files?: DataFilesValue; data_dir?: unknown }[]) : [];
  const names = configs.map((item) => String(item.config_name));
  // A named configuration (`--dataset-config`) must exist; none named: "default", else the first.
  const config = configName !== undefined ? configs.find((item) => item.config_name === configName) : (configs.find((item) => item.config_name === 'default') ?? configs[0]);
  if (configName !== undefined && !config) return { files: [], splits: [], source: 'configs', configs: names };
  if (!config) return null;
  const splits = configSplits(config.data_files, typeof config.data_dir === 'string' ? config.data_dir : undefined);
  if (splits.size === 0) return null;
  const patterns = (splits.get(split) ?? []).map(globToRegExp);
  const files = paths.filter((path) => patterns.some((pattern) => pattern.test(path))).sort();
  return { files, splits: [...splits.keys()], source: 'configs', configs: names };
}

/** Whether a path names `split` by datasets' conventions (a path part starting, ending or equal to it, between delimiters). */
function namesSplit(path: string, split: string): boolean {
  const pattern = new RegExp(`(^|[-._ 0-9])${escape(split)}([-._ 0-9]|$)`, 'i');
  return path.split('/').some((part) => pattern.test(part));
}

/** The files of `split` among `paths` (the repo's files), by the card's configs or the layout. */
export function splitFiles(paths: readonly string[], cardData: Record<string, unknown> | null, split: string, configName?: string): SplitFiles {
  const configured = fromConfigs(paths, cardData, split, configName);
  if (configured) return configured;
  const dataFiles = paths.filter((path) => isDataFile(path) && !path.split('/').some((part) => part.startsWith('.'))).sort();
  const named = [...new Set([...KNOWN_SPLITS, split])].filter((name) => dataFiles.some((path) => namesSplit(path, name)));
  if (named.length === 0) {
    return { files: split === 'train' ? dataFiles : [], splits: dataFiles.length ? ['train'] : [], source: 'layout' };
  }
  return { files: dataFiles.filter((path) => namesSplit(path, split)), splits: named, source: 'layout' };
}
