/**
 * "Bad parameters reject with InvalidParameterError (code
 * -1202) and change nothing" (README, API). A parameter object that cannot be read (a getter that throws,
 * a revoked Proxy, a Proxy from a state library whose traps throw) reaches valibot's safeParse, which lets
 * the exception through: the method rejects (or the constructor throws) with the bare Error, no code, no
 * reason, no `instanceof CallingError`.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, TRTCCalling } from '../../src/index';
import { memoryUsers } from '../support/world';

const S = 1000;
const unreadable = () => {
  const { proxy, revoke } = Proxy.revocable({ userID: 'bob', type: 1 }, {});
  revoke(); // e.g. a reactive store's proxy of a component that has gone
  return proxy;
};
const throwingGetter = () => ({
  get userID(): string {
    throw new Error('store detached');
  },
  type: 1,
});

describe('parameters that cannot be read are bad parameters', () => {
  const t = memoryUsers('alice', 'bob');

  it('call() with a revoked Proxy or a throwing getter -> InvalidParameterError, nothing sent', async () => {
    await expect(t.alice.calling.call(unreadable() as never)).rejects.toBeInstanceOf(InvalidParameterError); // it failed: TypeError
    await expect(t.alice.calling.call(throwingGetter() as never)).rejects.toBeInstanceOf(InvalidParameterError); // it failed: Error
    await t.world.advance(S);
    expect(t.bob.take()).toEqual([]);
    expect(t.alice.calling.getSnapshot().line).toBe('idle');
  });

  it('groupCall(), accept(), reject(), login(), inviteUser(), joinInGroupCall(), startRemoteView() likewise', async () => {
    const c = t.alice.calling;
    for (const attempt of [
      () => c.groupCall(unreadable() as never),
      () => c.accept(unreadable() as never),
      () => c.reject(unreadable() as never),
      () => c.login(unreadable() as never),
      () => c.inviteUser(unreadable() as never),
      () => c.joinInGroupCall(unreadable() as never),
      () => c.startRemoteView(unreadable() as never),
    ])
      await expect(attempt()).rejects.toBeInstanceOf(InvalidParameterError);
  });

  it('new TRTCCalling() with unreadable options -> InvalidParameterError', () => {
    const backend = t.world.net.backend();
    expect(() => new TRTCCalling(unreadable() as never)).toThrow(InvalidParameterError); // it failed: TypeError
    expect(() => new TRTCCalling({ SDKAppID: 1400000001, backend, config: unreadable() } as never)).toThrow(InvalidParameterError);
  });
});
