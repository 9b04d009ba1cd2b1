/**
 * The `im` actor over a port (`imBridge`): every message is taken (its receipt may go) even when the
 * app's `onDropped` throws, both as it comes and when messages held during a login are passed on.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { imBridge, toPortError } from '../../adapters/bridges';
import type { ImMessage, ImPort } from '../../adapters/ImPort';

/** A port whose login the test finishes, and which delivers what the test gives it. */
function fakePort() {
  let deliver = (_m: ImMessage): void => undefined;
  let finish = (): void => undefined;
  const port = {
    login: () =>
      new Promise<void>((resolve) => {
        finish = resolve;
      }),
    logout: async () => undefined,
    onMessage: (listener: (m: ImMessage) => void) => {
      deliver = listener;
      return () => undefined;
    },
    onKickedOut: () => () => undefined,
    onConnectionChange: () => () => undefined,
  } as unknown as ImPort;
  return { port, deliver: (m: ImMessage) => deliver(m), finish: () => finish() };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('imBridge: receipts whatever the app throws', () => {
  it('three messages that are no signal arrive during a login, the first onDropped throws: all three are taken once the login is done', async () => {
    const { port, deliver, finish } = fakePort();
    const taken: string[] = [];
    let drops = 0;
    const onDropped = () => {
      if (++drops === 1) throw new Error('app bug in onDropped');
    };
    const actor = createActor(imBridge(port, { clock: { now: () => 0 }, onDropped })).start();
    actor.send({ type: 'im.login', userID: 'bob', userSig: 'sig' });
    for (const payload of ['junk 1', 'junk 2', 'junk 3']) deliver({ from: 'mallory', payload, sentAt: 0, defer: () => () => taken.push(payload) } as ImMessage);
    expect(taken).toEqual([]); // held while the login is under way
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const told: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void told.push(args[1]);
    try {
      finish();
      await flush();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      console.error = original;
      process.off('unhandledRejection', onUnhandled);
    }
    expect({ drops, taken }).toEqual({ drops: 3, taken: ['junk 1', 'junk 2', 'junk 3'] });
    // The app's error still shows, on the console: an unhandled rejection (before 2026-12-06) ended a Node app's process.
    expect(told.map(String)).toEqual(['Error: app bug in onDropped']);
    expect(unhandled).toEqual([]);
    actor.stop();
  });
});

describe('toPortError: what a port rejected with, as the machines carry it', () => {
  it('keeps the code and message, and the error itself as its cause (the public CallingError.cause); 65535 without a code', () => {
    const refusal = Object.assign(new Error('userSig has expired (userSigExpired)'), { code: 70001, serverCode: 'userSigExpired' });
    const error = toPortError(refusal);
    expect(error).toEqual({ code: 70001, message: 'userSig has expired (userSigExpired)', cause: refusal });
    expect(error.cause).toBe(refusal);
    expect(toPortError('socket gone')).toEqual({ code: 65535, message: 'socket gone', cause: 'socket gone' });
  });
});
