import { describe, expect, it } from 'vitest';
import { closeAll } from './close-all.ts';

describe('closeAll', () => {
  it('runs every step in order even when one throws or hangs, logs each failure, forces the hung one', async () => {
    const ran: string[] = [];
    const logged: string[] = [];
    const failed = await closeAll(
      [
        { name: 'a', run: () => ran.push('a') },
        {
          name: 'b',
          run: () => {
            throw new Error('boom');
          },
        },
        { name: 'c', run: () => new Promise(() => undefined), force: () => ran.push('c forced') },
        { name: 'd', run: async () => ran.push('d') },
      ],
      { warn: (obj) => logged.push(JSON.stringify(obj)) },
      50,
    );
    expect(ran).toEqual(['a', 'c forced', 'd']);
    expect(failed).toEqual(['b', 'c']);
    expect(logged[0]).toContain('boom');
    expect(logged[1]).toContain('c did not close within 50 ms');
  });
});
