/**
 * Calls in a row over the embedded server in real time (the `ws` package's WebSocket, no test
 * harness between the clients and the server), where reads batch frames as the OS delivers
 * them. Waits end on events, never on time; a wait that runs out fails the call it belongs to.
 * Each run's figures are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { type ServerHandle, silentLogger, startServer } from '../../server/index';
import { ev } from '../support/ev';
import { SDKAPPID, SECRET_KEY, tencentUserSig } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';

const CALLS = 50;
/**
 * How long one step of a call may take, in real time: what fails is an event that never comes (a caller left in a call
 * its callee ended). A step takes milliseconds; the bound is wide for a stalled machine, not a speed claim (3 s was
 * one stall away from failing a call that went right).
 */
const STEP_MS = 10_000;

type Logged = { name: string; payload: unknown };

/** Resolves with `p`'s events since the last take once `done(events)` holds; rejects after `ms` of real waiting for I/O. */
function until(p: Party, done: (events: Logged[]) => boolean, ms: number): Promise<Logged[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const events = p.events.log.map(({ name, payload }) => ({ name, payload }));
      if (!done(events)) return false;
      clearTimeout(timer);
      clearInterval(poll);
      resolve(p.take());
      return true;
    };
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`${p.id}: still waiting after ${ms} ms; has ${JSON.stringify(p.events.log.map((e) => e.name))}`));
    }, ms);
    // Events are pushed synchronously by the core; a short poll just notices them.
    const poll = setInterval(check, 1);
    check();
  });
}

const has = (name: string) => (events: Logged[]) => events.some((e) => e.name === name);

describe(`embedded backend in real time, ${CALLS} calls in a row`, () => {
  let server: ServerHandle;
  let dir: string;
  let alice: Party;
  let bob: Party;
  const parties: Party[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-stress-'));
    // 50 calls back to back in a second or two: far above what a person does, so the per-connection
    // and per-user frame rates are opened (the limits have their own tests in test/security/).
    const fast = { perSecond: 10_000, burst: 10_000 };
    server = await startServer({ port: 0, dbPath: join(dir, 'calling.db'), sdkAppId: SDKAPPID, secretKey: SECRET_KEY, logger: silentLogger, rate: fast, limits: { userRate: fast } });
    alice = await user('alice');
    bob = await user('bob');
  });
  afterEach(async () => {
    await Promise.all(parties.splice(0).map((p) => p.calling.destroy()));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function user(userID: string): Promise<Party> {
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: server.url, WebSocket }) }));
    parties.push(p);
    await p.calling.login({ userID, userSig: tencentUserSig(userID) });
    expect(await until(p, has('sdkReady'), 5000)).toEqual([ev.ready()]);
    return p;
  }

  it(`Alice call(), Bob accept() on INVITED, both see each other's USER_ENTER, Alice hangup(): ${CALLS} of ${CALLS}`, async () => {
    bob.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.calling.accept({ inviteID }));
    const failures: string[] = [];
    const started = Date.now();
    for (let i = 0; i < CALLS; i++) {
      try {
        await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
        expect(await until(alice, has('onUserEnter'), STEP_MS)).toEqual([ev.accepted('bob'), ...ev.arrives('bob', false)]);
        expect(await until(bob, has('onUserEnter'), STEP_MS)).toEqual([ev.invited('alice', ['bob'], { callType: 1 }), ...ev.arrives('alice', false)]);
        await alice.calling.hangup();
        expect(await until(alice, has('onCallEnd'), STEP_MS)).toEqual([ev.end('alice', 'hangup')]);
        expect(await until(bob, has('onCallEnd'), STEP_MS)).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
      } catch (error) {
        failures.push(`call ${i + 1}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        await Promise.all([alice.calling.hangup().catch(() => undefined), bob.calling.hangup().catch(() => undefined)]);
        await Promise.all([until(alice, has('onCallEnd'), 35_000).catch(() => []), until(bob, has('onCallEnd'), 35_000).catch(() => [])]);
      }
    }
    console.log(`${CALLS - failures.length}/${CALLS} calls with USER_ENTER on both sides, ${Date.now() - started} ms`);
    expect(failures).toEqual([]);
  }, 120_000);

  it(`Bob accepts, then hangs up as soon as he is in the call: Alice's call ends, ${CALLS} of ${CALLS}`, async () => {
    bob.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.calling.accept({ inviteID }));
    // At once: the moment Bob's call is connected (his ACCEPT sent), before anything more is read.
    bob.calling.subscribe(() => {
      if (bob.calling.getSnapshot().call?.state === 'inCall') void bob.calling.hangup().catch(() => undefined);
    });
    const failures: string[] = [];
    const ends: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      try {
        await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
        const bobEvents = await until(bob, has('onCallEnd'), STEP_MS);
        const hungUp = Date.now();
        const aliceEvents = await until(alice, has('onCallEnd'), STEP_MS);
        ends.push(Date.now() - hungUp);
        expect(bobEvents.at(-1)).toEqual(ev.end('alice', 'hangup'));
        expect(aliceEvents.at(-1)).toEqual(ev.end('alice', 'hangup'));
        // Whatever Alice saw of Bob before he left, she saw him leave (or never saw him come).
        const names = aliceEvents.map((e) => e.name);
        expect(names.includes('onUserEnter')).toBe(names.includes('onUserLeave'));
      } catch (error) {
        failures.push(`call ${i + 1}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        await alice.calling.hangup().catch(() => undefined);
        await until(alice, has('onCallEnd'), 35_000).catch(() => []);
        bob.take();
      }
    }
    ends.sort((a, b) => a - b);
    console.log(`${CALLS - failures.length}/${CALLS} callers ended; after Bob's CALL_END: median ${ends[ends.length >> 1]} ms, max ${ends.at(-1)} ms`);
    expect(failures).toEqual([]);
  }, 240_000);

  it(`Bob accept() then hangup() at once (still entering the room): Alice's call ends, ${CALLS} of ${CALLS}`, async () => {
    bob.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => {
      void bob.calling.accept({ inviteID }).then(() => bob.calling.hangup());
    });
    const failures: string[] = [];
    for (let i = 0; i < CALLS; i++) {
      try {
        await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
        // He was in the room (his enter went out with the accept) before his hangup: Alice sees him come and go,
        // and his REJECT (the ACCEPT goes out only once he is in) changes nothing after that.
        expect(await until(alice, has('onCallEnd'), STEP_MS)).toEqual([
          ev.accepted('bob'),
          ...ev.arrives('bob', false),
          ev.leave('bob'),
          ev.end('alice', 'hangup', 0),
        ]);
        expect(await until(bob, has('onCallEnd'), STEP_MS)).toEqual([ev.invited('alice', ['bob'], { callType: 1 }), ev.end('alice', 'hangup', 0)]);
      } catch (error) {
        failures.push(`call ${i + 1}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        await alice.calling.hangup().catch(() => undefined);
        await until(alice, has('onCallEnd'), 35_000).catch(() => []);
        bob.take();
      }
    }
    console.log(`${CALLS - failures.length}/${CALLS} callers ended after an accept and a hangup in one turn`);
    expect(failures).toEqual([]);
  }, 240_000);
});
