/**
 * Failure clusters: failed tasks grouped first by failure reason, tool and category, then by what
 * their texts say (errors, tool observations, judge explanations). Texts become TF-IDF vectors (a
 * dozen lines: tokens, idf, L2 norm) and are clustered agglomeratively with ml-hclust (mljs: average
 * linkage over cosine distances, deterministic, unlike k-means' random starts). Tasks of different
 * first-level groups are kept at a distance above 1, so a cut below 1 never merges them.
 */
import { agnes } from 'ml-hclust';

export interface FailedTask {
  /** The first-level group: reason, tool and category. */
  group: { reason: string; tool: string | null; category: string | null };
  text: string;
}

export interface FailureCluster {
  id: number;
  members: number[];
  /** The most distinctive terms of the members' texts. */
  terms: string[];
  group: FailedTask['group'];
}

/** Cosine distances below this join tasks into one cluster with `--clusters auto`. */
export const AUTO_CUT = 0.8;

const STOP_WORDS = new Set('a an and are as at be by for from has have in is it its not of on or that the this to was were will with no none null true false'.split(' '));

function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z0-9_]{2,}/g) ?? []).filter((token) => !STOP_WORDS.has(token));
}

/** TF-IDF vectors (sparse, L2-normalised) of the texts. */
export function tfidf(texts: readonly string[]): Map<string, number>[] {
  const documents = texts.map(tokens);
  const frequency = new Map<string, number>();
  for (const document of documents) for (const token of new Set(document)) frequency.set(token, (frequency.get(token) ?? 0) + 1);
  return documents.map((document) => {
    const vector = new Map<string, number>();
    for (const token of document) vector.set(token, (vector.get(token) ?? 0) + 1);
    let norm = 0;
    for (const [token, count] of vector) {
      const weight = count * (Math.log((1 + texts.length) / (1 + frequency.get(token)!)) + 1);
      vector.set(token, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [token, weight] of vector) vector.set(token, weight / norm);
    return vector;
  });
}

function cosineDistance(left: Map<string, number>, right: Map<string, number>): number {
  if (!left.size && !right.size) return 0;
  let dot = 0;
  for (const [token, weight] of left) dot += weight * (right.get(token) ?? 0);
  return Math.max(0, 1 - dot);
}

const groupKey = (group: FailedTask['group']) => `${group.reason}\u0000${group.tool ?? ''}\u0000${group.category ?? ''}`;

function topTerms(vectors: readonly Map<string, number>[], members: readonly number[], count: number): string[] {
  const sums = new Map<string, number>();
  for (const member of members) for (const [token, weight] of vectors[member]!) sums.set(token, (sums.get(token) ?? 0) + weight);
  return [...sums.entries()].sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0])).slice(0, count).map(([token]) => token);
}

/** Clusters the failed tasks: `clusters` a number of clusters, or 'auto' (first-level groups split where texts differ). */
export function clusterFailures(tasks: readonly FailedTask[], clusters: number | 'auto'): FailureCluster[] {
  if (!tasks.length) return [];
  const vectors = tfidf(tasks.map((task) => task.text));
  const keys = tasks.map((task) => groupKey(task.group));
  let memberLists: number[][];
  if (tasks.length === 1) {
    memberLists = [[0]];
  } else {
    const matrix = tasks.map((_, row) => tasks.map((__, column) => (row === column ? 0 : (keys[row] === keys[column] ? 0 : 2) + cosineDistance(vectors[row]!, vectors[column]!))));
    const tree = agnes(matrix, { method: 'average', isDistanceMatrix: true });
    const parts = clusters === 'auto' ? tree.cut(AUTO_CUT) : tree.group(Math.min(clusters, tasks.length)).children;
    memberLists = parts.map((part) => (part.isLeaf ? [part.index] : part.indices()));
  }
  // Largest first, then by the first member's position: stable ids for the same input.
  memberLists = memberLists.map((members) => [...members].sort((left, right) => left - right)).sort((left, right) => right.length - left.length || left[0]! - right[0]!);
  return memberLists.map((members, index) => {
    const groups = new Set(members.map((member) => keys[member]));
    const first = tasks[members[0]!]!.group;
    const group = groups.size === 1 ? first : { reason: 'mixed', tool: null, category: null };
    return { id: index + 1, members, terms: topTerms(vectors, members, 3), group };
  });
}

/** A cluster's name without a judge: its group in words and its distinctive terms. */
export function clusterName(cluster: FailureCluster): string {
  const parts = [cluster.group.reason, cluster.group.tool, cluster.group.category].filter((part): part is string => Boolean(part));
  return `${parts.join(' / ')}${cluster.terms.length ? `: ${cluster.terms.join(', ')}` : ''}`;
}
