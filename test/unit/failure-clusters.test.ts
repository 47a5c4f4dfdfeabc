import { describe, expect, it } from 'vitest';
import { clusterFailures, clusterName, tfidf } from '../../src/failures/clusters.js';

const toolError = { reason: 'tool_error', tool: 'get_rate', category: 'finance' };
const keyword = { reason: 'missing_keyword', tool: 'calculator', category: 'math' };

const failures = [
  { group: toolError, text: 'rate service unavailable: HTTP 503 from the exchange API' },
  { group: keyword, text: 'expected the keyword "15678" in the answer, got "15677"' },
  { group: toolError, text: 'invalid currency code XYZ given to the exchange API' },
  { group: toolError, text: 'rate service unavailable: HTTP 503, retry later' },
  { group: keyword, text: 'expected the keyword "42" in the answer, got "41"' },
  { group: toolError, text: 'invalid currency code ABC' },
];

describe('failure clusters', () => {
  it('splits first-level groups by what their texts say (auto); ids by size, then first member', () => {
    const clusters = clusterFailures(failures, 'auto');
    expect(clusters.map((cluster) => cluster.members)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(clusters.map((cluster) => cluster.id)).toEqual([1, 2, 3]);
    expect(clusters[0]!.group).toEqual(toolError);
    expect(clusters[1]!.group).toEqual(keyword);
    expect(clusters[0]!.terms).toEqual(['http', 'rate', 'service']);
    expect(clusterName(clusters[2]!)).toMatch(/^tool_error \/ get_rate \/ finance: .*(currency|invalid)/);
  });

  it('never mixes first-level groups while there are at least as many clusters as groups', () => {
    const two = clusterFailures(failures, 2);
    expect(two.map((cluster) => cluster.members)).toEqual([
      [0, 2, 3, 5],
      [1, 4],
    ]);
    const one = clusterFailures(failures, 1);
    expect(one).toHaveLength(1);
    expect(one[0]!.group.reason).toBe('mixed');
  });

  it('is deterministic and handles one failure or none', () => {
    expect(clusterFailures(failures, 'auto')).toEqual(clusterFailures(failures, 'auto'));
    expect(clusterFailures([failures[0]!], 'auto').map((cluster) => cluster.members)).toEqual([[0]]);
    expect(clusterFailures([], 3)).toEqual([]);
  });

  it('weights TF-IDF vectors to unit length, rare terms above common ones', () => {
    const [vector] = tfidf(['alpha alpha beta', 'beta gamma']);
    const norm = Math.sqrt([...vector!.values()].reduce((sum, weight) => sum + weight * weight, 0));
    expect(norm).toBeCloseTo(1, 10);
    expect(vector!.get('alpha')!).toBeGreaterThan(vector!.get('beta')!);
  });
});
