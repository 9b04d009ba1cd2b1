/**
 * `CallSetup.media`'s `drop` (the command that captured was refused, or found nothing to answer)
 * tells the room to release its capture only when no later command asked for one: releasing
 * then would stop the devices the later call is about to take.
 */
import { describe, expect, it } from 'vitest';
import type { RoomPort } from '../adapters/RoomPort';
import { CallSetup } from '../src/callSetup';

function room(capturesWhileEntering: boolean) {
  const log: string[] = [];
  const port = {
    capturesWhileEntering,
    prepare: async (o: { video: boolean }) => void log.push(o.video ? 'prepare video' : 'prepare audio'),
    unprepare: () => void log.push('unprepare'),
  } as unknown as RoomPort;
  return { log, setup: new CallSetup(port, () => undefined, async () => undefined) };
}

describe('CallSetup: a refused command releases its capture', () => {
  for (const whileEntering of [true, false]) {
    it(`capturesWhileEntering ${whileEntering}: drop() of the last command's media releases; of an earlier one's, nothing`, async () => {
      const { log, setup } = room(whileEntering);
      const first = await setup.media('accept', true, true);
      const second = await setup.media('call', true, false, true);
      first.drop();
      expect(log).toEqual(['prepare video', 'prepare audio']);
      second.drop();
      expect(log).toEqual(['prepare video', 'prepare audio', 'unprepare']);
    });
  }

  it('a command that will not run captures nothing, and its drop() releases nothing', async () => {
    const { log, setup } = room(true);
    (await setup.media('call', false, true, true)).drop();
    expect(log).toEqual([]);
  });
});
