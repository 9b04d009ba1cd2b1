/**
 * What a member publishes, when the server refuses to pass it on: a `roomPublish` refused
 * (`rateLimited`, its room notices past the sender's fan-out budget) leaves the server, and so the
 * other members, with what they had; the client must not take it as told. Asking again tells it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../../src/index';
import { ev } from '../../support/ev';
import { makeEmbeddedWorld, SDKAPPID, type EmbeddedWorld } from '../../support/embeddedWorld';
import { party, type Party } from '../../support/world';

const S = 1000;

describe('a refused roomPublish', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    // Three room notices at once, one more a second: a few quick camera toggles are refused.
    world = makeEmbeddedWorld({ server: { limits: { fanout: { perSecond: 1, burst: 3 }, maxGroupMembers: 3 } } });
  });
  afterEach(() => world.dispose());

  async function join(userID: string): Promise<Party> {
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
    await p.calling.login({ userID, userSig: world.userSig(userID) });
    await world.settle();
    p.take();
    return p;
  }

  /** Alice video-calls Bob and he accepts; `ms` pass after the accept (5 s: the budget full again). */
  async function inCall(ms: number): Promise<{ alice: Party; bob: Party }> {
    const alice = await join('alice');
    const bob = await join('bob');
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(ms);
    return { alice, bob };
  }

  it("Bob's camera change refused (rateLimited), then asked again -> this time the server and Alice hear it", async () => {
    const { alice, bob } = await inCall(S);
    alice.take();
    bob.take();
    // Toggle without letting time pass until the server refuses one.
    let camera = true;
    let refused: 'closeCamera' | 'openCamera' | null = null;
    for (let i = 0; i < 10 && refused === null; i++) {
      const method = camera ? 'closeCamera' : 'openCamera';
      try {
        await bob.calling[method]();
        camera = !camera;
      } catch {
        refused = method;
      }
    }
    expect(refused).not.toBeNull();
    await world.advance(5 * S); // the budget refills
    alice.take();
    const asked = refused ?? 'closeCamera';
    // The machine took a refused camera change as the camera off: ask for what was refused, or close it.
    await bob.calling[asked]();
    await world.advance(S);
    const want = asked === 'openCamera';
    expect(alice.take()).toEqual([ev.video('bob', want)]);
  });

  it("Bob's openCamera() refused (rateLimited), then setMicMute(true) -> Alice hears the microphone, and no camera: the refused change is taken as the camera off", async () => {
    const { alice, bob } = await inCall(5 * S); // the budget full again: three notices
    await bob.calling.closeCamera();
    await bob.calling.openCamera();
    await bob.calling.closeCamera();
    await expect(bob.calling.openCamera()).rejects.toThrow(/rateLimited/);
    await world.advance(5 * S);
    alice.take();
    await bob.calling.setMicMute(true);
    await world.advance(S);
    expect(alice.take()).toEqual([ev.audio('bob', false)]);
    expect(bob.calling.getSnapshot().call?.local).toMatchObject({ camera: false, micMuted: true });
  });

  it("the room port alone: Bob's camera on and announced; a mute refused, then setCamera(true) refused too -> his next accepted publish says video off (as the call takes a refused camera change)", async () => {
    const alice = world.backend();
    await alice.im.login('alice', world.userSig('alice'));
    const bob = world.backend();
    await bob.im.login('bob', world.userSig('bob'));
    const seen: string[] = [];
    alice.room.onEvent((e) => {
      if (e.type === 'videoAvailable' || e.type === 'audioAvailable') seen.push(`${e.type} ${e.userID} ${e.available}`);
    });
    (await world.server()).grantRoom(8, ['alice', 'bob']);
    const as = (userID: string) => ({ userID, video: true, audioMuted: false });
    await Promise.all([alice.room.enter(8, as('alice')), world.settle()]);
    await Promise.all([bob.room.enter(8, as('bob')), world.settle()]);
    await world.advance(5 * S);
    const run = (p: Promise<void>) => Promise.all([p, world.settle()]).then(() => 'ok', (e: unknown) => String(e));
    for (let i = 0; i < 10; i++) if ((await run(bob.room.setMicMuted(i % 2 === 0))) !== 'ok') break;
    expect(await run(bob.room.setCamera(true))).toMatch(/rateLimited/);
    await world.advance(5 * S);
    seen.length = 0;
    const muted = await run(bob.room.setMicMuted(false));
    const unmuted = muted === 'ok' ? await run(bob.room.setMicMuted(true)) : muted;
    expect([muted, unmuted]).toContain('ok');
    expect(seen.filter((x) => x.startsWith('videoAvailable'))).toEqual(['videoAvailable bob false']);
  });

  it("Bob's camera on; mute toggles use up the budget and openCamera() is refused -> his call says the camera is off, and once his next change is taken Alice sees it off too", async () => {
    const { alice, bob } = await inCall(5 * S);
    let muted = false;
    for (let i = 0; i < 10; i++) {
      try {
        await bob.calling.setMicMute(!muted);
        muted = !muted;
      } catch {
        break;
      }
    }
    await expect(bob.calling.openCamera()).rejects.toThrow(/rateLimited/);
    await world.advance(5 * S);
    await bob.calling.setMicMute(!muted);
    await world.advance(S);
    const aliceSees = alice.calling.getSnapshot().call?.participants.find((p) => p.userID === 'bob')?.video;
    expect({ bobsCall: bob.calling.getSnapshot().call?.local.camera, aliceSees }).toEqual({ bobsCall: false, aliceSees: false });
  });
});
