/**
 * The server closes while a recount of its store is under way (a slice at a time since 2026-12-07, `server/recount.ts`):
 * no step of it runs once the store is closed. The review of the cluster's recount pace (2026-12-06 night) found a
 * recount run on a closed store: a step left on the clock would do the same, every time a server closed mid-pass.
 */
import { afterEach, expect, it } from 'vitest';
import { testServer, type TestServer } from './support';

let server: TestServer;
afterEach(() => server.dispose());

it('a server starts (its start asks for a recount, not run yet on its clock), closes, its clock moves on -> no step of it reads the closed store', async () => {
  server = await testServer();
  await server.handle.close();
  await server.clock.advance(60_000);
  expect(server.logs.filter((l) => l.level !== 'info')).toEqual([]);
});
