/**
 * The cluster's login gate (`server/cluster/gate.ts`) keeps "cheapest check first" (README, Security model):
 * a frame's rate (per connection, and per user once logged in) is taken before the gate peeks at it, so a
 * connection over its rate never makes the node verify a userSig nor Redis run a script (each lookup is one
 * Lua script, HINCRBY of the user's epoch); the frames that wait behind a pending lookup are bounded (count
 * and bytes: past it, refused `rateLimited`, a strike), and once the connection is closed they are dropped,
 * their logins never looked up. (Found by the review of 2026-12-04: one valid userSig drove Redis at
 * network speed, a script per login frame whatever the limits.)
 */
import { describe, expect, it } from 'vitest';
import type { Conn } from '../../server/conn';
import { type GateIntake, LoginGate, QUEUE_FRAMES, type Verdict } from '../../server/cluster/gate';
import { resolveOptions, silentLogger } from '../../server/options';
import { SDKAPPID, SECRET_KEY, tencentUserSig } from '../server/support';
import { inProcessNodes } from './support';

describe('login frames over the rate', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  it('a connection that spent its burst sends 5 more logins -> refused (rateLimited) without a Redis lookup', async () => {
    const a = await node('a');
    const mallory = await login(a, 'mallory'); // 1 frame of the connection's 200
    for (let i = 0; i < 199; i++) expect((await mallory.request({ type: 'ping' })).type).toBe('pong');
    const epoch = async () => Number(await redis.hget(`${t.prefix}:d:mallory`, 'epoch'));
    const before = await epoch();
    const userSig = tencentUserSig('mallory');
    for (let i = 0; i < 5; i++) {
      const answer = await mallory.request({ type: 'login', userID: 'mallory', userSig, protocol: 1 });
      expect(answer).toMatchObject({ type: 'error', code: 'rateLimited' });
    }
    // Refused by the rate, cheapest check first: Redis was never asked (each lookup takes an epoch).
    expect(await epoch()).toBe(before);
  });
});

/** A gate whose lookups wait until the test settles them, and what it did. */
function gateWithPendingLookups() {
  const options = resolveOptions({ sdkAppId: SDKAPPID, secretKey: SECRET_KEY, dbPath: ':memory:', logger: silentLogger });
  const lookups: Array<(verdict: Verdict) => void> = [];
  const gate = new LoginGate({
    options,
    logger: silentLogger,
    counts: { refusedLogins: 0 },
    healthy: () => true,
    prepare: () => new Promise<Verdict>((settle) => lookups.push(settle)),
    loggedIn: () => undefined,
  });
  const conn = { closed: false, session: null } as unknown as Conn;
  const seen = { admitted: 0, ran: [] as string[], refused: [] as Array<{ code: string; limit?: string }>, held: 0, replayed: 0 };
  /** `replayed`: the intake of frames that waited (counted as they run). */
  const intakeOf = (replayed: boolean): GateIntake => ({
    admit: () => (seen.admitted++, true),
    run: (data) => {
      if (replayed) seen.replayed++;
      seen.ran.push(JSON.parse(data.toString('utf8')).type as string);
    },
    refuse: (_rid, code, _message, limit) => void seen.refused.push({ code, ...(limit === undefined ? {} : { limit }) }),
    held: () => void (replayed || seen.held++),
    lookedUp: () => undefined,
    get replay() {
      return intakeOf(true);
    },
  });
  const intake = intakeOf(false);
  const send = (frame: object) => gate.gate(conn, Buffer.from(JSON.stringify(frame)), false, intake);
  const login = (rid: number) => send({ type: 'login', rid, userID: 'mallory', userSig: tencentUserSig('mallory'), protocol: 1 });
  return { conn, seen, lookups, send, login, options };
}

/** Lets the settled lookup's handlers run (promise callbacks: microtasks, no real time). */
const flushed = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('frames waiting behind a login lookup', () => {
  it(`at most ${QUEUE_FRAMES} wait; the next is refused (rateLimited, loginQueue) and never looked up`, async () => {
    const g = gateWithPendingLookups();
    g.login(1);
    for (let i = 0; i < QUEUE_FRAMES; i++) g.send({ type: 'ping', rid: 10 + i });
    g.login(99);
    expect({ lookups: g.lookups.length, refused: g.seen.refused }).toEqual({ lookups: 1, refused: [{ code: 'rateLimited', limit: 'loginQueue' }] });
    g.lookups[0]?.({ epoch: 1, held: 0, heldBytes: 0 });
    await flushed();
    // The login ran, then every frame that waited, each through the rate check as it is handed on.
    expect({ ran: g.seen.ran.length, admitted: g.seen.admitted, lookups: g.lookups.length }).toEqual({ ran: 1 + QUEUE_FRAMES, admitted: 1 + QUEUE_FRAMES, lookups: 1 });
  });

  it('each is told taken in (held) once, as it starts waiting, and runs through the intake of frames that waited', async () => {
    const g = gateWithPendingLookups();
    g.login(1);
    for (let i = 0; i < 3; i++) g.send({ type: 'ping', rid: 10 + i });
    expect({ held: g.seen.held, ran: g.seen.ran }).toEqual({ held: 3, ran: [] });
    g.lookups[0]?.({ epoch: 1, held: 0, heldBytes: 0 });
    await flushed();
    // A test stepping one frame at a time counted them as they began to wait: not again as they run.
    expect({ held: g.seen.held, replayed: g.seen.replayed, ran: g.seen.ran }).toEqual({ held: 3, replayed: 3, ran: ['login', 'ping', 'ping', 'ping'] });
  });

  it('their bytes are bounded too: four of the largest frames', () => {
    const g = gateWithPendingLookups();
    g.login(1);
    const big = 'x'.repeat(g.options.limits.maxFrameBytes - 100);
    for (let i = 0; i < 5; i++) g.send({ type: 'sendC2C', rid: 10 + i, to: 'bob', payload: big, onlineUserOnly: false });
    expect(g.seen.refused).toEqual([{ code: 'rateLimited', limit: 'loginQueue' }]);
  });

  it('the connection closes while a lookup is pending -> the logins behind it are never looked up, nothing runs', async () => {
    const g = gateWithPendingLookups();
    g.login(1);
    for (let i = 0; i < 10; i++) g.login(2 + i);
    (g.conn as { closed: boolean }).closed = true;
    g.lookups[0]?.({ epoch: 1, held: 0, heldBytes: 0 });
    await flushed();
    g.login(50); // after the close: dropped as well
    expect({ lookups: g.lookups.length, ran: g.seen.ran, admitted: g.seen.admitted }).toEqual({ lookups: 1, ran: [], admitted: 1 });
  });
});
