/**
 * A receipt that keeps some copies (`except`, the partial receipts of a login's backlog) meets write-behind's held
 * messages (server/writeBehind.ts `Rows`) and the sender's share of each recipient (server/senders.ts): a group
 * message held with three copies, one kept by Bob's receipt while it confirms a later held message of his, the others
 * confirmed. The kept copy alone is written at the window's end, the acks come in their requests' order, and the
 * senders' shares of Bob (`maxBacklogPerSender` 2) count what he keeps until he confirms it: Alice's, a map since her
 * group message and back to one recipient, and Dave's, who sends to Bob alone (one entry), as when both were maps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, tencentUserSig, type Frame, type TestServer } from './support';

const WINDOW = 50;

describe('a held message, a receipt that keeps some of its copies', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const login = async (userID: string) => {
    const client = await RawClient.open(server.handle.url);
    const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID) });
    if (reply.type !== 'loggedIn') throw new Error(`login refused: ${JSON.stringify(reply)}`);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });

  it('the kept copy is written at the window\'s end and counts in the sender\'s share until it is confirmed; the others never reach the store', async () => {
    server = await testServer({ writeBehindMs: WINDOW, offlineTtlMs: 60_000, limits: { maxBacklogPerSender: 2 } });
    server.handle.createGroup('g', ['alice', 'bob', 'carol', 'dave']);
    const [alice, bob, carol, dave] = [await login('alice'), await login('bob'), await login('carol'), await login('dave')];
    const metrics = () => {
      const m = server.handle.metrics();
      return { storedNow: m.storedNow, heldNow: m.heldNow, heldConfirmed: m.heldConfirmed };
    };
    /** A message to `to`, its window run out: the ack, or what refused it. */
    const send = async (from: RawClient, to: string, payload: string): Promise<Frame> => {
      const answer = from.request({ type: 'sendC2C', to, payload, onlineUserOnly: false });
      await from.sync();
      await server.clock.advance(WINDOW);
      return answer;
    };
    const group = alice.request({ type: 'sendGroup', groupID: 'g', payload: 'x', onlineUserOnly: false });
    const single = alice.request({ type: 'sendC2C', to: 'bob', payload: 'y', onlineUserOnly: false });
    const x = await bob.next((f) => f.payload === 'x');
    const y = await bob.next((f) => f.payload === 'y');
    bob.send({ type: 'received', upTo: y.seq, except: [x.seq] });
    await bob.sync();
    for (const c of [carol, dave]) {
      c.send({ type: 'received', upTo: (await c.next((f) => f.payload === 'x')).seq });
      await c.sync();
    }
    expect(metrics()).toEqual({ storedNow: 0, heldNow: 1, heldConfirmed: 3 }); // y gone, x held with Bob's copy alone
    await alice.sync();
    expect(alice.ofType('ack')).toHaveLength(0); // y's ack waits in line behind x's
    await server.clock.advance(WINDOW);
    const acks = [await group, await single];
    expect(alice.ofType('ack').map((a) => a.rid)).toEqual(acks.map((a) => a.rid));
    expect(metrics()).toEqual({ storedNow: 1, heldNow: 0, heldConfirmed: 3 });
    // Alice's share of Bob (a map since x's three copies, back to his alone) is the kept copy: one more, not two.
    const [a1, a2] = [await send(alice, 'bob', 'a1'), await send(alice, 'bob', 'a2')];
    expect([a1.type, a2.type, a2.code]).toEqual(['ack', 'error', 'quotaExceeded']);
    // Dave's share of Bob (his one recipient: one entry) counts what Bob keeps alike.
    const [d1, d2, d3] = [await send(dave, 'bob', 'd1'), await send(dave, 'bob', 'd2'), await send(dave, 'bob', 'd3')];
    expect([d1.type, d2.type, d3.type, d3.code]).toEqual(['ack', 'ack', 'error', 'quotaExceeded']);
    const kept = await bob.next((f) => f.payload === 'd1');
    bob.send({ type: 'received', upTo: (await bob.next((f) => f.payload === 'd2')).seq, except: [x.seq, kept.seq] });
    await bob.sync();
    const [d4, d5] = [await send(dave, 'bob', 'd4'), await send(dave, 'bob', 'd5')];
    expect([d4.type, d5.type]).toEqual(['ack', 'error']);
    expect(server.handle.metrics().limits).toMatchObject({ maxBacklogPerSender: 3 });
    // He confirms everything: neither share holds anything.
    bob.send({ type: 'received', upTo: (await bob.next((f) => f.payload === 'd4')).seq });
    await bob.sync();
    expect(metrics()).toMatchObject({ storedNow: 0 });
    const again = [await send(alice, 'bob', 'a3'), await send(alice, 'bob', 'a4'), await send(dave, 'bob', 'd6'), await send(dave, 'bob', 'd7')];
    expect(again.map((f) => f.type)).toEqual(['ack', 'ack', 'ack', 'ack']);
  });
});
