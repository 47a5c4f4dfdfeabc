// How many stand-by sandbox processes the pool keeps (src/sandbox/standby.ts): per session slot, never past the
// sessions still to come, never more starting at once than there are cores.
import { describe, expect, it } from 'vitest';
import { StandbyPolicy } from '../../src/sandbox/standby.js';

/** Plays the pool's refill loop: how many stand-bys it would start now. */
function starts(policy: StandbyPolicy, standby: number, warming: number): number {
  let started = 0;
  while (policy.wantsMore(standby + started, warming + started)) started++;
  return started;
}

describe('StandbyPolicy', () => {
  it('keeps one stand-by per session slot, at least one and at most two per core', () => {
    expect(new StandbyPolicy({ size: 4 }, 2).limit).toBe(4);
    expect(new StandbyPolicy({ size: 3 }, 8).limit).toBe(8);
    expect(new StandbyPolicy({ size: 1 }, 2).limit).toBe(2);
    expect(new StandbyPolicy({ size: 1 }, 1).limit).toBe(1);
    expect(new StandbyPolicy({ size: 64 }, 2).limit).toBe(4);
    expect(new StandbyPolicy({ size: 64, standby: 10 }, 2).limit).toBe(10);
  });

  it('starts no more stand-bys at once than there are cores, and the rest once those are ready', () => {
    const policy = new StandbyPolicy({ size: 4 }, 2);
    expect(starts(policy, 0, 0)).toBe(2);
    // Two ready, none starting: two more.
    expect(starts(policy, 2, 0)).toBe(2);
    expect(starts(policy, 4, 0)).toBe(0);
    // A task that found none started its own: that one counts as starting too.
    expect(starts(policy, 0, 1)).toBe(1);
  });

  it('never holds more stand-bys than the sessions still to come', () => {
    const policy = new StandbyPolicy({ size: 4, sessions: 5 }, 4);
    expect(starts(policy, 0, 0)).toBe(4);
    policy.sessionStarted();
    policy.sessionStarted();
    // Three sessions to come, three stand-bys left: none to start.
    expect(starts(policy, 2, 0)).toBe(1);
    policy.sessionStarted();
    policy.sessionStarted();
    policy.sessionStarted();
    expect(starts(policy, 0, 0)).toBe(0);
    policy.sessionStarted();
    expect(starts(policy, 0, 0)).toBe(0);
  });

  it('starts none ahead with standby 0', () => {
    expect(starts(new StandbyPolicy({ size: 2, standby: 0 }, 2), 0, 0)).toBe(0);
  });
});
