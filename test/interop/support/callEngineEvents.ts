/**
 * The events of call-engine-js 3.3.4 (its `TUICallEvent`s, payloads as it emits them: `callId`,
 * a numeric `callRole`, 1 caller and 2 callee, `chatGroupID`) and a compact view of the wire for
 * the tests that run it (callEngine*.test.ts). Its messages do not fit {@link WireRecorder}'s
 * builders (a `call_end: 0` in every signal, accepts with `cmd: ""` and room 0, keys sorted), so
 * these tests read each message as a tuple: `[from, to, actionType, inviteID label, data.cmd,
 * call_end]`, and more fields where a test asks for them.
 */
import { expect } from 'vitest';
import { HANGUP_SUFFIX } from '../../../adapters/signalingCodec';
import type { CallEngineParty } from './callEngineParty';
import type { Ev, InteropWorld, Party } from './interopWorld';
import type { TuiParty } from './tuiParty';

const e = (name: string, payload: unknown): Ev => ({ name, payload });
type Role = 1 | 2;
type Type = 1 | 2;

/** What the engine adds to most call events. */
const call = (role: Role, type: Type = 2, chatGroupID = '', strRoomID = '') => ({ roomID: expect.any(Number), strRoomID, callMediaType: type, callRole: role, callId: expect.any(String), chatGroupID });

/** Options of a call's events: its media type (2), IM group ('' for none) and string room ('' for none). */
export interface CeCall { readonly type?: Type; readonly group?: string; readonly strRoom?: string }

export const ce = {
  /** An incoming call: `onCallReceived` then `onInvited`, the same payload. */
  invited: (callerId: string, calleeIdList: string[], o: CeCall = {}): Ev[] => {
    const p = { callerId, calleeIdList, chatGroupID: o.group ?? '', callMediaType: o.type ?? 2, userData: '', roomID: expect.any(Number), strRoomID: o.strRoom ?? '', callId: expect.any(String), callRole: 2 };
    return [e('onCallReceived', p), e('onInvited', p)];
  },
  begin: (role: Role, o: CeCall = {}) => e('onCallBegin', call(role, o.type, o.group, o.strRoom)),
  join: (userID: string) => e('onUserJoin', { userID }),
  leave: (userID: string) => e('onUserLeave', { userID }),
  accepted: (userID: string) => e('onUserAccept', { userID }),
  rejected: (userID: string) => e('onUserReject', { userID }),
  busy: (userID: string) => e('onUserLineBusy', { userID }),
  noResponse: (userIDList: string[]) => e('onUserNoResponse', { userIDList }),
  audio: (userID: string, isAudioAvailable: boolean) => e('onUserAudioAvailable', { userID, isAudioAvailable }),
  video: (userID: string, isVideoAvailable: boolean) => e('onUserVideoAvailable', { userID, isVideoAvailable }),
  roster: (userIDList: string[]) => e('onGroupCallInviteeListUpdate', { userIDList }),
  /** A call that never connected ends: `onCallNotConnected`, then its twins `onCallCancelled` and `onCallingCancel`. */
  notConnected: (userID: string, role: Role, o: CeCall = {}): Ev[] => {
    const { callId, roomID, strRoomID, callMediaType, callRole, chatGroupID } = call(role, o.type, o.group, o.strRoom);
    const p = { userID, callId, roomID, strRoomID, callMediaType, callRole, reason: 0, chatGroupID };
    return [e('onCallNotConnected', p), e('onCallCancelled', p), e('onCallingCancel', p)];
  },
  /** `userID` is '' and `reason` 0 whoever hung up. */
  end: (role: Role, totalTime: number | unknown, o: CeCall = {}) => {
    const { roomID, strRoomID, callMediaType, callRole, callId, chatGroupID } = call(role, o.type, o.group, o.strRoom);
    return e('onCallEnd', { roomID, strRoomID, callMediaType, callRole, callId, totalTime, reason: 0, userID: '', chatGroupID });
  },
};

/** An envelope and its av_call data, parsed. */
export interface CeMessage {
  readonly env: { readonly actionType: number; readonly inviteID: string; readonly inviteeList: string[]; readonly groupID: string; readonly data: string };
  readonly inner: { readonly call_end?: number; readonly line_busy?: string; readonly room_id?: number; readonly data: { readonly cmd: string; readonly message?: string; readonly userIDs?: string[] } };
}

/**
 * The wire of the world `world()`, taken as it grows. Invite IDs read `id1`, `id2` ... in order of
 * first appearance (ours `id1-hangup` for its hangup filed under a call). `datas` keeps every
 * av_call data string as sent, for byte-for-byte comparisons.
 */
export function ceWire(world: () => InteropWorld) {
  const labels = new Map<string, string>();
  const datas: string[] = [];
  const label = (id: string): string => {
    if (id.endsWith(HANGUP_SUFFIX)) return `${label(id.slice(0, -HANGUP_SUFFIX.length))}${HANGUP_SUFFIX}`;
    if (!labels.has(id)) labels.set(id, `id${labels.size + 1}`);
    return labels.get(id) ?? id;
  };
  return {
    datas,
    /** Forget the labels and data of an earlier test. */
    reset(): void {
      labels.clear();
      datas.length = 0;
    },
    /** `[from, to, actionType, label, cmd, call_end, ...more(message)]` of each message since the last look. */
    sends(more?: (m: CeMessage) => unknown[]): unknown[][] {
      return world().im.log.splice(0).map((sent) => {
        const env = JSON.parse(sent.payload.data) as CeMessage['env'];
        const inner = JSON.parse(env.data) as CeMessage['inner'];
        datas.push(env.data);
        return [sent.from, sent.to, env.actionType, label(env.inviteID), inner.data.cmd, inner.call_end ?? null, ...(more?.({ env, inner }) ?? [])];
      });
    },
  };
}

/** Any party of the world, driven by the same five verbs (each kind's own API underneath). */
export interface Dialler {
  readonly id: string;
  readonly kind: 'ours' | 'official' | 'tui' | 'callEngine';
  take(): Ev[];
  groupCall(userIDList: string[], type: 1 | 2, groupID: string): Promise<unknown>;
  accept(): Promise<unknown>;
  reject(): Promise<unknown>;
  hangup(): Promise<unknown>;
}

export function dialler(p: Party | TuiParty | CallEngineParty): Dialler {
  const base = { id: p.id, kind: p.kind, take: () => p.take() };
  if (p.kind === 'ours' || p.kind === 'official')
    return { ...base, groupCall: (list, type, groupID) => p.groupCall(list, type, groupID), accept: () => p.accept(), reject: () => p.reject(), hangup: () => p.hangup() };
  const engine = p.engine;
  return {
    ...base,
    groupCall: (userIDList, type, groupID) => engine.groupCall({ userIDList, type, groupID }),
    accept: () => engine.accept(),
    reject: () => engine.reject(),
    hangup: () => engine.hangup(),
  };
}
