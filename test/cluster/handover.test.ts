/**
 * A session handed over to another node (the same client resuming there, README "Running a
 * cluster"): its old node leaves its room quietly and waits for the new node to announce it
 * entering, so the others hear nothing of the move. A client that never enters there (it hung up
 * while it moved: its `roomExit` reached the new node, which had it in no room) leaves at the end of
 * the room grace, as a lost connection does: the others hear it leave and the room can empty. In-process
 * servers on one Redis (a key prefix of their own), their clocks simulated.
 */
import { describe, expect, it } from 'vitest';
import { type RawClient, tencentUserSig, type TestServer } from '../server/support';
import { heardAll, inProcessNodes, until } from './support';

const GRACE_MS = 10_000; // roomGraceMs, the default

describe('cluster: a member handed over to another node', () => {
  const t = inProcessNodes();
  const { node, open, redis } = t;

  async function login(server: TestServer, userID: string, resume?: string) {
    const c = await open(server);
    const reply = await c.request({ type: 'login', userID, userSig: tencentUserSig(userID), protocol: 1, ...(resume ? { resume } : {}) });
    expect(reply.type).toBe('loggedIn');
    return { c, session: reply.session as string };
  }

  /** Alice and Bob in room 7 on node a; Bob's client then resumes its session on node b. */
  async function moved() {
    const [a, b] = [await node('a'), await node('b')];
    const { c: alice } = await login(a, 'alice');
    const { c: bob, session } = await login(a, 'bob');
    await until('bob claimed on a', () => redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'a');
    a.handle.grantRoom(7, ['alice', 'bob']);
    expect(await alice.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    expect(await bob.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    await alice.next((f) => f.type === 'userEntered' && f.userID === 'bob');
    // Node b hears of Bob's entry on node a before his client moves there: heard after he entered on
    // node b, that older news would take him back to node a (applyRemote), and nothing would reach him.
    await until('bob in the room in Redis (published with it)', () => redis.hget(`${t.prefix}:r:7`, 'bob'), (m) => m !== null);
    await heardAll(b);
    const { c: bob2 } = await login(b, 'bob', session);
    await bob.closed; // node a handed the session over
    return { a, b, alice, bob2 };
  }

  const members = async (c: RawClient) => ((await c.request({ type: 'roomMembers', roomID: 7 })).members as { userID: string }[]).map((m) => m.userID);
  const heardLeave = (c: RawClient) => c.frames.some((f) => f.type === 'userLeft' && f.userID === 'bob');

  it('Bob hangs up while he moves (his exit reaches node b, which has him in no room) -> at the end of the room grace Alice hears him leave', async () => {
    const { a, b, alice, bob2 } = await moved();
    expect((await bob2.request({ type: 'roomExit', roomID: 7 })).code).toBe('notInRoom');
    await a.clock.advance(GRACE_MS - 1);
    expect(heardLeave(alice)).toBe(false);
    await a.clock.advance(1);
    await b.clock.advance(GRACE_MS);
    await alice.next((f) => f.type === 'userLeft' && f.userID === 'bob');
    expect(await members(alice)).toEqual(['alice']);
    await until('node b hears it too', () => bob2.request({ type: 'roomMembers', roomID: 7 }), (r) => r.type === 'error' || (r.members as unknown[]).length === 1);
  });

  it('Bob enters the room again on node b -> Alice hears nothing of the move, and nothing after the grace', async () => {
    const { a, alice, bob2 } = await moved();
    expect(await bob2.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    // Node a keeps Bob listed while it waits for node b's announcement, so the member list cannot
    // tell it has arrived; a relay from Alice reaches bob2 only once node a routes to Bob on node b.
    let n = 0;
    await until(
      'node a routes to Bob on node b',
      async () => {
        await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: `probe ${++n}` });
        await bob2.sync();
        return bob2.frames.some((f) => f.type === 'relayed' && f.from === 'alice');
      },
      (heard) => heard,
    );
    await a.clock.advance(GRACE_MS + 1);
    await alice.sync();
    expect(heardLeave(alice)).toBe(false);
    expect(await members(alice)).toEqual(['alice', 'bob']);
  });

  it("Bob enters again on node b, then node b hears his old entry on node a late -> it keeps him there: his relays and Alice's still go", async () => {
    const { b, alice, bob2 } = await moved();
    expect(await bob2.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    // What node a said when Bob entered there, delivered to node b only now (pub/sub late under load).
    await redis.publish(`${t.prefix}:all`, JSON.stringify({ t: 'room', node: 'a', ev: 'enter', roomID: 7, userID: 'bob', audio: true, video: false }));
    await heardAll(b);
    expect(await bob2.request({ type: 'relay', roomID: 7, to: 'alice', data: 'offer' })).toMatchObject({ type: 'ack' });
    await alice.next((f) => f.type === 'relayed' && f.from === 'bob');
    let n = 0;
    await until(
      "Alice's relay reaches bob2",
      async () => {
        await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: `probe ${++n}` });
        await bob2.sync();
        return bob2.frames.some((f) => f.type === 'relayed' && f.from === 'alice');
      },
      (heard) => heard,
    );
  });
});
