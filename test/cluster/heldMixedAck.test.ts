/**
 * Review (held copies moved from memory): a group message with a recipient connected to the sender's node and one with
 * no session there. Before the change the copy for the absent one made the message stored at once (`allHanded` false),
 * and the ack came after the turn's commit and the move. Now the message is held: the ack also waits for the connected
 * recipient's receipt, or, without it, for the window's end. Node a's clock never moves here: the window never ends.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, until } from './support';

describe('review: a group message, one recipient here (no receipt yet), one with no session here', () => {
  const t = inProcessNodes();

  it('Alice -> team (Vic on node a, Bob nowhere) -> acked once the move to Bob\'s stream is done, not only at the window\'s end', async () => {
    const a = await t.node('a', { writeBehindMs: 200 });
    await t.node('b', { writeBehindMs: 200 });
    const alice = await t.login(a, 'alice');
    const vic = await t.login(a, 'vic');
    a.handle.createGroup('team', ['alice', 'vic', 'bob']);
    alice.send({ type: 'sendGroup', groupID: 'team', payload: 'hi', onlineUserOnly: false, rid: 70 });
    await vic.next((f) => f.type === 'message'); // handed to Vic, who has not confirmed it yet
    await until('in Bob\'s stream', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 1);
    await movesDone(a);
    // Before: acked here (stored, moved). Now: held until Vic's receipt or the window's end (200 ms of a's clock).
    const acked = await until('Alice acked', () => alice.frames.some((f) => f.rid === 70), (ok) => ok, 3000).catch(() => false);
    expect(acked).toBe(true);
  });
});
