/**
 * destroy() tells the CALL_END of a call whose hangup() resolved, and its listeners run inside destroy(): a clean-up
 * hangup() there resolves (destroyCallEndListener.test.ts), every other method is refused as destroyed, and no
 * command of theirs reaches the line. The review of 5bec072 found login() resolving { code: 0 }, reject() resolving,
 * openCamera() refused as "the call is ending" and a logout() of the listener's driving the teardown: the commands
 * were still open while the listeners ran.
 */
import { describe, expect, it } from 'vitest';
import type { TRTCCalling } from '../../src/index';
import { memoryUsers } from '../support/world';

const S = 1000;

const methods: Record<string, (c: TRTCCalling) => Promise<unknown>> = {
  login: (c) => c.login({ userID: 'alice', userSig: 'sig-alice' }),
  logout: (c) => c.logout(),
  reject: (c) => c.reject(),
  accept: (c) => c.accept(),
  openCamera: (c) => c.openCamera(),
  closeCamera: (c) => c.closeCamera(),
  setMicMute: (c) => c.setMicMute(true),
  call: (c) => c.call({ userID: 'carol', type: 1 }),
  groupCall: (c) => c.groupCall({ userIDList: ['carol'], type: 1 }),
  switchToAudioCall: (c) => c.switchToAudioCall(),
  inviteUser: (c) => c.inviteUser({ userIDList: ['carol'] }),
};

describe('methods other than hangup() called by a CALL_END listener inside destroy()', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  for (const [name, run] of Object.entries(methods)) {
    it(`${name}() -> InvalidStateError "${name}: destroyed"; destroy() resolves, Carol hears nothing`, async () => {
      await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
      await t.world.advance(S);
      await t.bob.calling.accept();
      await t.world.advance(S);
      let outcome: Promise<string> = Promise.resolve('listener not run');
      t.alice.calling.on('onCallEnd', () => {
        outcome = run(t.alice.calling).then(
          (v) => `resolved ${JSON.stringify(v)}`,
          (e: unknown) => `rejected ${(e as Error).message}`,
        );
      });
      await t.alice.calling.hangup();
      const done = t.alice.calling.destroy();
      await t.world.advance(10 * S);
      await done;
      expect(await outcome).toBe(`rejected ${name}: destroyed`);
      expect(t.carol.take()).toEqual([]);
    });
  }
});
