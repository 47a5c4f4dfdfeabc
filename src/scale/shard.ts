// Sharded runs (`--shard I/N`): which tasks a shard takes, by a stable hash of what identifies a task.
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';

/** One shard of N, 1-based as written on the command line and in metadata.json. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** `--shard 2/8` -> {index: 2, count: 8}; anything else is one line naming the flag. */
export function parseShard(text: string | undefined, flag = '--shard'): ShardSpec | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count || count > 10_000) {
    throw new InputError(`${flag} ${text}: give I/N with 1 <= I <= N (e.g. 2/8)`);
  }
  return { index, count };
}

/**
 * The shard (1-based) a task belongs to among `count`: the first 8 bytes of sha256 over the task's
 * uid (agent type and id) and its repeat, modulo count. It depends only on the task itself, so every
 * machine given the same flags agrees, whatever the order of the dataset.
 */
export function shardOf(testCaseUid: string, repeat: number, count: number): number {
  const digest = createHash('sha256').update(`${testCaseUid}\u0000${repeat}`).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count)) + 1;
}

/**
 * Whether the task is this shard's (every task is when there is no shard). A run keeps all rollouts
 * of a task (--repeats) in one shard, so its per-task statistics (pass@k) need no other shard.
 */
export function inShard(shard: ShardSpec | undefined, testCaseUid: string, repeat = 0): boolean {
  return !shard || shard.count === 1 || shardOf(testCaseUid, repeat, shard.count) === shard.index;
}
