/**
 * Checks of the memory network's knobs, set by tests (ours and our users'): a value out of range is a
 * `RangeError` naming it, never a delay or a rate read as something else (a `NaN` or negative latency
 * ran as 0 ms, an `Infinity` one never delivered, a string `'20'` ran as 0: a test that passed for the
 * wrong reason).
 */

/** A delay in ms: a finite number >= 0. */
export function checkDelay(name: string, ms: unknown): number {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return ms;
  throw new RangeError(`${name} must be a finite number of ms >= 0 (got ${describe(ms)})`);
}

/** A chance: a number in 0..1. */
export function checkRate(name: string, rate: unknown): number {
  if (typeof rate === 'number' && rate >= 0 && rate <= 1) return rate;
  throw new RangeError(`${name} must be a number in 0..1 (got ${describe(rate)})`);
}

/** A seed: an integer. */
export function checkSeed(seed: unknown): number {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed;
  throw new RangeError(`seed must be an integer (got ${describe(seed)})`);
}

/**
 * A value as an error message names it: a string quoted, a function or a class by its name. `String()` of a class
 * is its source: `createMemoryNetwork({ clock: SimulatedClock })`, the mistake the README names, printed 80 lines.
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `${/^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function'} ${value.name || '(anonymous)'}`;
  return String(value);
}
const describe = shown;

/**
 * A fault rule of `net.im.addRule`: `match` a function, `action` one of `'drop'`, `'duplicate'`, `'refuse'` or
 * `{ delay }` (a delay as {@link checkDelay}), `times` a positive integer if given. A typo (`'Drop'`) or a
 * `{ delay: -5 }` delivered the message at once before 2026-12-07, as if there were no rule.
 */
export function checkRule<R extends { readonly match: unknown; readonly action: unknown; readonly times?: unknown }>(rule: R): R {
  if (typeof rule !== 'object' || rule === null) throw new TypeError(`addRule: rule must be an object { match, action, times? } (got ${describe(rule)})`);
  if (typeof rule.match !== 'function') throw new TypeError(`addRule: match must be a function of the message (got ${describe(rule.match)})`);
  const { action, times } = rule;
  const named = action === 'drop' || action === 'duplicate' || action === 'refuse';
  if (!named && (typeof action !== 'object' || action === null)) {
    throw new TypeError(`addRule: action must be 'drop', 'duplicate', 'refuse' or { delay } (got ${describe(action)})`);
  }
  if (!named) checkDelay('addRule: action.delay', (action as { delay?: unknown }).delay);
  if (times !== undefined && !(typeof times === 'number' && Number.isInteger(times) && times > 0)) {
    throw new RangeError(`addRule: times must be a positive integer, or left out for every match (got ${describe(times)})`);
  }
  return rule;
}

const NETWORK_KEYS = ['clock', 'latency', 'roomLatency', 'verifyUserSig', 'multiDevice', 'offlineTtlMs', 'logLimit'];
const isFn = (value: unknown): boolean => typeof value === 'function';

/**
 * The options of `createMemoryNetwork` (their numbers are checked where they are used): an object of known keys, a
 * `clock` with `now`, `setTimeout` and `clearTimeout`, a `verifyUserSig` function, a boolean `multiDevice`. A key
 * misspelt (`latancy: 0`) ran with the default before 2026-12-07, and a clock passed as its class (`SimulatedClock`,
 * not `new SimulatedClock()`) failed as `options.clock.now is not a function`.
 */
export function checkNetworkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`createMemoryNetwork: options must be an object (got ${describe(options)})`);
  const record = options as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !NETWORK_KEYS.includes(key));
  if (unknown.length > 0) throw new TypeError(`createMemoryNetwork: unknown option ${unknown.join(', ')} (known: ${NETWORK_KEYS.join(', ')})`);
  const { clock, verifyUserSig, multiDevice } = record;
  if (clock !== undefined && !(typeof clock === 'object' && clock !== null && ['now', 'setTimeout', 'clearTimeout'].every((k) => isFn((clock as Record<string, unknown>)[k])))) {
    throw new TypeError(`createMemoryNetwork: clock must be a Clock (now, setTimeout, clearTimeout), e.g. new SimulatedClock() (got ${describe(clock)})`);
  }
  if (verifyUserSig !== undefined && !isFn(verifyUserSig)) throw new TypeError(`createMemoryNetwork: verifyUserSig must be a function (got ${describe(verifyUserSig)})`);
  if (multiDevice !== undefined && typeof multiDevice !== 'boolean') throw new TypeError(`createMemoryNetwork: multiDevice must be a boolean (got ${describe(multiDevice)})`);
}

/** The options of `net.backend()`: a boolean `multiDevice`, a non-empty string `deviceID`, nothing else. */
export function checkBackendOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`MemoryNetwork.backend: options must be an object (got ${describe(options)})`);
  const record = options as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => key !== 'multiDevice' && key !== 'deviceID');
  if (unknown.length > 0) throw new TypeError(`MemoryNetwork.backend: unknown option ${unknown.join(', ')} (known: multiDevice, deviceID)`);
  if (record.multiDevice !== undefined && typeof record.multiDevice !== 'boolean') throw new TypeError(`MemoryNetwork.backend: multiDevice must be a boolean (got ${describe(record.multiDevice)})`);
  if (record.deviceID !== undefined && (typeof record.deviceID !== 'string' || record.deviceID === '')) {
    throw new TypeError(`MemoryNetwork.backend: deviceID must be a non-empty string (got ${describe(record.deviceID)})`);
  }
}

/** A user ID given to a knob of the hubs: a non-empty string (an empty or non-string one set a user nobody is). */
export function checkUser(method: string, userID: unknown): string {
  if (typeof userID === 'string' && userID !== '') return userID;
  throw new TypeError(`${method}: userID must be a non-empty string (got ${describe(userID)})`);
}

/** A user and an on/off switch (`setReachable`, `setMediaConnected`): a string `'false'` read as true before 2026-12-07. */
export function checkSwitch(method: string, name: string, userID: unknown, on: unknown): boolean {
  checkUser(method, userID);
  if (typeof on === 'boolean') return on;
  throw new TypeError(`${method}: ${name} must be a boolean (got ${describe(on)})`);
}

/** `setDevices(userID, { microphone?, camera?, permission? })`: `{ camera: 'off' }` left the camera on before 2026-12-07. */
export function checkDevices(userID: unknown, devices: unknown): void {
  checkUser('setDevices', userID);
  if (typeof devices !== 'object' || devices === null) throw new TypeError(`setDevices: devices must be an object (got ${describe(devices)})`);
  for (const [key, value] of Object.entries(devices)) {
    if (key === 'microphone' || key === 'camera' ? value !== undefined && typeof value !== 'boolean' : key !== 'permission') {
      throw new TypeError(`setDevices: ${key} must be ${key === 'microphone' || key === 'camera' ? 'a boolean' : 'one of microphone, camera, permission'} (got ${describe(value)})`);
    }
    if (key === 'permission' && value !== undefined && value !== 'granted' && value !== 'denied') throw new TypeError(`setDevices: permission must be 'granted' or 'denied' (got ${describe(value)})`);
  }
}

/** `plugDevice(userID, { deviceId, groupId, kind, label })`: each a string, `kind` a media device kind, `deviceId` non-empty. */
export function checkDeviceInfo(userID: unknown, device: unknown): void {
  checkUser('plugDevice', userID);
  const d = (typeof device === 'object' && device !== null ? device : {}) as Record<string, unknown>;
  const ok = typeof d.deviceId === 'string' && d.deviceId !== '' && typeof d.groupId === 'string' && typeof d.label === 'string' && ['videoinput', 'audioinput', 'audiooutput'].includes(d.kind as string);
  if (!ok) throw new TypeError(`plugDevice: device must be { deviceId (non-empty), groupId, kind ('videoinput', 'audioinput' or 'audiooutput'), label }, all strings (got ${JSON.stringify(device) ?? describe(device)})`);
}

/** `createGroup(groupID, members)`: a string `'bob'` as members made the group of users `b` and `o` before 2026-12-07. */
export function checkGroup(groupID: unknown, members: unknown): readonly string[] {
  if (typeof groupID !== 'string' || groupID === '') throw new TypeError(`createGroup: groupID must be a non-empty string (got ${describe(groupID)})`);
  if (!Array.isArray(members)) throw new TypeError(`createGroup: members must be an array of user IDs (got ${describe(members)})`);
  for (const member of members) checkUser('createGroup', member);
  return members as readonly string[];
}

const FAULT_KEYS = ['latency', 'jitter', 'dropRate', 'duplicateRate', 'reorderRate', 'seed'];

/** `net.im.setFaults(faults)`: an object of known keys (their values are checked by the hub). `{ droprate: 0.5 }` dropped nothing before 2026-12-07. */
export function checkFaults<F extends object>(faults: F): F {
  if (typeof faults !== 'object' || faults === null) throw new TypeError(`setFaults: faults must be an object (got ${describe(faults)})`);
  const unknown = Object.keys(faults).filter((key) => !FAULT_KEYS.includes(key));
  if (unknown.length > 0) throw new TypeError(`setFaults: unknown knob ${unknown.join(', ')} (known: ${FAULT_KEYS.join(', ')})`);
  return faults;
}
