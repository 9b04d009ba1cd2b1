/**
 * A revocation that lands late must not outlive the session it was made for, also once the user logged in
 * again. Node a kicks tab 1 for a newer login on node b, and its writes stall; tab 2 logs out, then tab 3
 * logs in on node b (it superseded nobody: tab 2's session had ended). When node a's revocation lands then,
 * on one node tab 1's userSig would be an ordinary one (nothing was revoked since carol's sessions all
 * ended), so its login goes through and kicks tab 3, as a second login does. Before, tab 3's claim took
 * away the directory's `ended` mark, the late revocation stood, and tab 1's userSig was refused
 * `sessionSuperseded` for as long as tab 3 lived (kickLateRevocation.test.ts covers the landing before tab 3).
 */
import { describe, expect, it } from 'vitest';
import { carolLogin, heldKick, SIGS } from './kicks';
import { heardAll, inProcessNodes } from './support';

describe('cluster: a late revocation after the next login', () => {
  const t = inProcessNodes();
  const { open, redis } = t;

  it("node a's writes stall as it kicks tab 1; tab 2 logs out and tab 3 logs in on node b; they land: tab 1's userSig logs in and kicks tab 3, as on one node", async () => {
    const { pa, a, b, tab1, first, tab2 } = await heldKick(t);
    await heardAll(a); // a later turn of node a's: its revocation went out (into the proxy)
    expect((await tab2.request({ type: 'logout' })).type).toBe('ack');
    const tab3 = await open(b);
    expect((await tab3.request(carolLogin(SIGS.third))).type).toBe('loggedIn');

    pa.release();
    expect(await tab1.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' }); // told once node a's revocation was answered
    expect(await redis.hexists(`${t.prefix}:s:carol`, String(first.session))).toBe(1); // its token is refused all the same
    const again = await open(b);
    const answer = await again.request(carolLogin(SIGS.old));
    expect(answer.type === 'error' ? answer.code : answer.type).toBe('loggedIn');
    expect(await tab3.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
  });
});
