/**
 * The hubs' knobs and `captureEvents` check their arguments (the audit of 2026-12-07): before, a string `'false'` took
 * a user's network up, `{ camera: 'off' }` left the camera on, `createGroup('g', 'bob')` made a group of users `b` and
 * `o`, and `captureEvents(undefined)` failed inside as "Cannot read properties of undefined".
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../../src/index';
import { captureEvents, createMemoryNetwork, SimulatedClock } from '../../../src/testing';

describe('the memory hubs check their knobs\' arguments', () => {
  it('a malformed argument is a TypeError naming the method and what it got, and changes nothing', () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const cases: [() => unknown, RegExp][] = [
      [() => net.im.setReachable('bob', 'false' as never), /^setReachable: reachable must be a boolean \(got "false"\)/],
      [() => net.im.setReachable('', false), /^setReachable: userID must be a non-empty string/],
      [() => net.rooms.setMediaConnected('bob', 0 as never), /^setMediaConnected: connected must be a boolean/],
      [() => net.rooms.setDevices('bob', { camera: 'off' } as never), /^setDevices: camera must be a boolean \(got "off"\)/],
      [() => net.rooms.setDevices('bob', { permission: 'blocked' } as never), /^setDevices: permission must be 'granted' or 'denied'/],
      [() => net.rooms.setDevices('bob', { cam: false } as never), /^setDevices: cam must be one of microphone, camera, permission/],
      [() => net.rooms.setDevices(undefined as never, {}), /^setDevices: userID must be a non-empty string/],
      [() => net.rooms.plugDevice('bob', { deviceId: 'c2', kind: 'camera' } as never), /^plugDevice: device must be/],
      [() => net.rooms.unplugDevice('bob', undefined as never), /^unplugDevice: deviceId must be a string/],
      [() => net.im.createGroup('g', 'bob' as never), /^createGroup: members must be an array of user IDs \(got "bob"\)/],
      [() => net.im.createGroup('', ['bob']), /^createGroup: groupID must be a non-empty string/],
      [() => net.im.createGroup('g', ['bob', 7] as never), /^createGroup: userID must be a non-empty string \(got 7\)/],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
    expect(net.im.members('g')).toEqual([]);
    expect(net.rooms.deviceList('bob').map((d) => d.deviceId)).toEqual(['camera-1', 'mic-1', 'speaker-1']);
    net.rooms.setDevices('bob', { camera: false, permission: 'granted', microphone: undefined });
    net.rooms.plugDevice('bob', { deviceId: 'mic-2', groupId: 'm2', kind: 'audioinput', label: 'USB' });
    net.im.createGroup('g', ['bob', 'carol']);
    net.im.setReachable('bob', false);
    expect(net.rooms.deviceList('bob').map((d) => d.deviceId)).toEqual(['mic-1', 'speaker-1', 'mic-2']);
    expect(net.im.members('g')).toEqual(['bob', 'carol']);
  });

  it('captureEvents(x) with x not a TRTCCalling: InvalidParameterError at once', () => {
    for (const bad of [undefined, null, {}, { on: () => undefined, off: () => undefined }]) {
      expect(() => captureEvents(bad as never)).toThrow(InvalidParameterError);
    }
    expect(() => captureEvents(undefined as never)).toThrow(/^captureEvents: calling must be a TRTCCalling/);
  });
});
