/**
 * Frames that wait for a commit (the review of 427cc9a, which has the commit uncork every corked socket
 * as it ends, not a turn later): none reaches its client before that commit ran, whether it holds or
 * fails, with write-behind on or off, and the answers to one turn's requests keep their order on the
 * socket. The commit is held by the test (`defer`); the waits for nothing to arrive are real time.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from './support';
import { until } from '../support/until';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('frames waiting for a commit', () => {
  let server: TestServer | null = null;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server?.dispose();
    server = null;
  });

  for (const writeBehindMs of [0, 200]) {
    for (const fails of [false, true]) {
      it(`writeBehindMs ${writeBehindMs}, commit ${fails ? 'fails' : 'holds'}: nothing of the turn reaches a client before the commit runs`, async () => {
        const held: Array<() => void> = [];
        server = await testServer({ defer: (fn) => held.push(fn), sharedDatabase: true, writeBehindMs });
        const s = server;
        const release = () => {
          for (const fn of held.splice(0)) fn();
        };
        const bob = await RawClient.login(s.handle.url, 'bob');
        const alice = await RawClient.login(s.handle.url, 'alice');
        clients.push(bob, alice);
        release();
        await pause(50);
        const db = new Database(s.dbPath);
        if (fails) db.exec("CREATE TRIGGER fail BEFORE INSERT ON bodies BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
        const aliceBefore = alice.frames.length;
        const bobBefore = bob.frames.length;
        // One turn: a stored message for offline carol (opens the commit), one for bob, a read behind them.
        alice.send({ type: 'sendC2C', to: 'carol', payload: 'to carol', onlineUserOnly: false, rid: 1 });
        alice.send({ type: 'sendC2C', to: 'bob', payload: 'to bob', onlineUserOnly: false, rid: 2 });
        alice.send({ type: 'roomMembers', roomID: 7, rid: 3 });
        await until('the frames handled', () => s.handle.metrics().relayed + s.handle.metrics().stored >= 2 && held.length > 0);
        await pause(100); // any uncork that would send them has run by now
        expect(alice.frames.slice(aliceBefore).map((f) => f.type)).toEqual([]);
        expect(bob.frames.slice(bobBefore).map((f) => f.type)).toEqual([]);
        release();
        // Write-behind: bob's copy is held for the window (simulated clock), then written in a commit of its own.
        if (writeBehindMs > 0 && !fails) {
          await pause(50);
          expect(alice.frames.slice(aliceBefore).filter((f) => f.rid === 2)).toEqual([]); // not settled yet
          await s.clock.advance(writeBehindMs + 50);
          await until('the late write', () => held.length > 0);
          await pause(50);
          expect(alice.frames.slice(aliceBefore).filter((f) => f.rid === 2)).toEqual([]); // its commit not run yet
          release();
        }
        await until('the answers', () => alice.frames.slice(aliceBefore).filter((f) => typeof f.rid === 'number').length >= 3);
        const answers = alice.frames.slice(aliceBefore).filter((f) => typeof f.rid === 'number');
        expect(answers.map((f) => f.rid)).toEqual([1, 2, 3]); // in the order asked
        if (fails) {
          expect(answers.slice(0, 1).map((f) => f.type)).toEqual(['error']);
          await pause(100);
          expect(bob.frames.slice(bobBefore).filter((f) => f.type === 'message').length).toBe(0);
        } else {
          expect(answers.slice(0, 2).map((f) => f.type)).toEqual(['ack', 'ack']);
          await until('bob has his copy', () => bob.frames.slice(bobBefore).some((f) => f.type === 'message'));
        }
        if (fails) db.exec('DROP TRIGGER fail');
        db.close();
      });
    }
  }
});
