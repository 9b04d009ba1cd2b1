/**
 * A revocation that lands late must not outlive the session it was made for. Node a kicks tab 1 for a
 * newer login on node b, and its writes stall (a Redis that runs what two connections send in either
 * order, or a command that timed out and runs later); the newer session logs out meanwhile (node b frees
 * what its session superseded). When node a's revocation lands then, carol has no session anywhere: on
 * one node her old userSig logs in again (nobody to protect), and so it must on any node. Before, the late
 * revocation stood, and the old userSig was refused `sessionSuperseded` for as long as the key lived (7 days).
 */
import { describe, expect, it } from 'vitest';
import { carolLogin, heldKick, SIGS } from './kicks';
import { heardAll, inProcessNodes } from './support';

describe('cluster: a late revocation after the newer session ended', () => {
  const t = inProcessNodes();

  it("node a's writes stall as it kicks tab 1; tab 2 logs out on node b; they land: tab 1's userSig logs in through node b", async () => {
    const { pa, a, b, tab1, tab2 } = await heldKick(t);
    await heardAll(a); // a later turn of node a's: its revocation went out (into the proxy)
    expect((await tab2.request({ type: 'logout' })).type).toBe('ack');

    pa.release();
    expect(await tab1.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' }); // told once node a's revocation was answered
    const again = await t.open(b);
    const answer = await again.request(carolLogin(SIGS.old));
    expect(answer.type === 'error' ? answer.code : answer.type).toBe('loggedIn');
  });
});
