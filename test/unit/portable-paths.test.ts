import { describe, expect, it } from 'vitest';
import { withHomeFolder, withoutHomeFolder } from '../../src/eval/portable-paths.js';

describe('portable paths', () => {
  it('writes the home folder as ~ wherever a path starts with it, and reads it back', () => {
    const saved = withoutHomeFolder(
      { outputDir: '/home/ana/out', list: ['/home/ana', 'local:/home/ana/out/results.json', '--flag=/home/ana/x'], other: '/data/home/ana/x', near: '/home/anabel/x', count: 3 },
      '/home/ana',
    );
    expect(saved).toEqual({ outputDir: '~/out', list: ['~', 'local:~/out/results.json', '--flag=~/x'], other: '/data/home/ana/x', near: '/home/anabel/x', count: 3 });
    expect(withHomeFolder(saved, '/home/ana')).toEqual({ outputDir: '/home/ana/out', list: ['/home/ana', 'local:/home/ana/out/results.json', '--flag=/home/ana/x'], other: '/data/home/ana/x', near: '/home/anabel/x', count: 3 });
  });

  it('leaves everything as it is when home is /', () => {
    expect(withoutHomeFolder({ path: '/x' }, '/')).toEqual({ path: '/x' });
  });
});
