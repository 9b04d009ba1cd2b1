/**
 * Switching a 1v1 video call to audio between call-engine-js 3.3.4 and ours, both ways and both
 * callers: the request (an INVITE, `cmd: "switchToAudio"` and `switch_to_audio_call`) is accepted
 * at once and the peer's camera goes. 3.3.4 writes `call_end: 0` into its request as into every
 * signal; ours read that as a legacy end marker (a hangup of another invitation: ignored) and never
 * answered, so 3.3.4's own timer sent the TIMEOUT at 35 s and the call stayed video. Whole event
 * logs and the wire. 3.3.4's own switchCallMediaType() never settles and it never reports the
 * change, whoever the peer (callEngineQuirks.test.ts). And camera and microphone off and on, each
 * side, seen by the other.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire } from './support/callEngineEvents';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();
const wire = ceWire(() => t.world);
/** Plus the switch marker. */
const sends = () => wire.sends(({ inner }) => [(inner as { switch_to_audio_call?: string }).switch_to_audio_call ?? null]);
const changed = (oldCallType: 1 | 2, newCallType: 1 | 2) => ({ name: 'onCallTypeChanged', payload: { oldCallType, newCallType } });
const TO_AUDIO = 'switch_to_audio_call';

/** A video call between 3.3.4's user and ours, `caller` dialling; both in it, their logs so far taken. */
async function videoCall(caller: 'callEngine' | 'ours') {
  wire.reset();
  const [ceID, oursID] = caller === 'callEngine' ? ['alice', 'bob'] : ['bob', 'alice'];
  const engine = await t.world.callEngine(ceID);
  const ours = await t.world.party('ours', oursID);
  if (ours.kind !== 'ours') throw new Error('unreachable');
  if (caller === 'callEngine') {
    await t.world.act(engine.engine.call({ userID: oursID, type: 2 }));
    await t.world.act(ours.accept(), 2 * S);
  } else {
    await t.world.act(ours.call(ceID, 2));
    await t.world.act(engine.engine.accept(), 2 * S);
  }
  engine.take();
  ours.take();
  expect(sends().map((s) => s.slice(0, 4))).toEqual([[caller === 'callEngine' ? ceID : oursID, caller === 'callEngine' ? oursID : ceID, 1, 'id1'], [caller === 'callEngine' ? oursID : ceID, caller === 'callEngine' ? ceID : oursID, 3, 'id1']]);
  return { engine, ours, ceID, oursID };
}

describe.each(['callEngine', 'ours'] as const)('switching to audio, %s calling', (caller) => {
  it('3.3.4 switchCallMediaType(1) -> ours ACCEPTs at once with the switch markers, its camera off, CALL_TYPE_CHANGED; 3.3.4 sees the camera go; no TIMEOUT at 35 s', async () => {
    const { engine, ours, ceID, oursID } = await videoCall(caller);
    let settled = false;
    engine.engine.switchCallMediaType(1).then(() => (settled = true), () => (settled = true));
    await t.world.advance(40 * S);
    expect(ours.take()).toEqual([changed(2, 1)]);
    expect(ours.calling.getSnapshot().call).toMatchObject({ callType: 1, state: 'inCall', local: { camera: false } });
    expect(engine.take()).toEqual([ce.video(oursID, false)]);
    expect(sends()).toEqual([[ceID, oursID, 1, 'id2', 'switchToAudio', 0, TO_AUDIO], [oursID, ceID, 3, 'id2', 'switchToAudio', null, TO_AUDIO]]);
    expect(settled).toBe(false);
  });

  it('ours switchToAudioCall() -> 3.3.4 ACCEPTs (cmd "switchToAudio", call_end 0, room 0), its camera follows; ours CALL_TYPE_CHANGED', async () => {
    const { engine, ours, ceID, oursID } = await videoCall(caller);
    await t.world.act(ours.calling.switchToAudioCall(), 40 * S);
    expect(ours.take()).toEqual([changed(2, 1)]);
    expect(ours.calling.getSnapshot().call).toMatchObject({ callType: 1, state: 'inCall', local: { camera: false } });
    expect(engine.take()).toEqual([ce.video(oursID, false)]);
    expect(sends()).toEqual([[oursID, ceID, 1, 'id2', 'switchToAudio', null, TO_AUDIO], [ceID, oursID, 3, 'id2', 'switchToAudio', 0, TO_AUDIO]]);
  });
});

describe('camera and microphone with call-engine-js 3.3.4', () => {
  it('in a video call 3.3.4 dialled: its openCamera(), closeMicrophone(), openMicrophone(), closeCamera() reach ours; ours\' closeCamera(), setMicMute(true), openCamera() reach it', async () => {
    const { engine, ours } = await videoCall('callEngine');
    const doc = engine.browser.document;
    const view = doc.createElement('div');
    view.id = 'local-view';
    doc.body.appendChild(view);
    const steps: [() => Promise<unknown>, unknown[]][] = [
      [() => engine.engine.openCamera('local-view'), [ev.video('alice', true)]],
      [() => engine.engine.closeMicrophone(), [ev.audio('alice', false)]],
      [() => engine.engine.openMicrophone(), [ev.audio('alice', true)]],
      [() => engine.engine.closeCamera(), [ev.video('alice', false)]],
    ];
    for (const [step, seen] of steps) {
      await t.world.act(step(), 2 * S);
      expect([ours.take(), engine.take()]).toEqual([seen, []]);
    }
    const back: [() => Promise<unknown>, unknown[]][] = [
      [() => ours.closeCamera(), [ce.video('bob', false)]],
      [() => ours.setMicMute(true), [ce.audio('bob', false)]],
      [() => ours.openCamera(), [ce.video('bob', true)]],
    ];
    for (const [step, seen] of back) {
      await t.world.act(step(), 2 * S);
      expect([engine.take(), ours.take()]).toEqual([seen, []]);
    }
    expect(sends()).toEqual([]);
  });
});
