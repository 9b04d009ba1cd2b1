/** What the page says, in plain words: errors and how calls ended. */
import { clockText } from './dom';

const MEDIA: Record<number, string> = {
  60003: 'No microphone found. Plug one in, then try again.',
  60004: 'No camera found. Plug one in, or make an audio call.',
  60005: 'Camera and microphone are blocked. Allow them for this site (the camera icon in the address bar), then try again.',
  60006: 'This browser cannot use a camera and microphone here: they need https, or http://localhost.',
};

/** The code of an error, when it has one. */
export function codeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = Number(error.code);
  return Number.isFinite(code) ? code : undefined;
}

/**
 * An error as a sentence a person can act on. The library's messages begin with the method
 * (`call: cannot call yourself`, `new TRTCCalling: config: ...`): only the reason is kept, so no prefix is ever
 * doubled; so is a parameter's path that the reason names again (`groupCall: userIDList: userIDList must not
 * repeat a user`), while one that says where (`config: unknown key ...`, `userIDList.0: userID must ...`) stays.
 */
export function describeError(error: unknown): string {
  const code = codeOf(error);
  if (code !== undefined && MEDIA[code]) return MEDIA[code];
  const message = error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'msg' in error ? String(error.msg) : String(error);
  const reason = message.replace(/^(?:new )?[a-zA-Z]+: /, '');
  const path = /^([a-zA-Z]+): ([\s\S]*)$/.exec(reason);
  return sentence(path?.[2]?.startsWith(`${path[1]} `) ? path[2] : reason);
}

/** Capitalized, with a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return '';
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/** What the page knows about a call when its CALL_END arrives. */
export interface EndContext {
  readonly reason: string;
  /** Connected seconds. */
  readonly callEnd: number;
  /** The local user clicked hang up (or cancel). */
  readonly byMe: boolean;
  /** Who left last, if someone did. */
  readonly leftLast: string | null;
  /** Why the server signed this page out (`KICKED_OUT`'s reason), when it did. */
  readonly kicked?: string | null;
}

/** Why the server signed this page out, from `KICKED_OUT`'s reason. */
export function kickedInWords(reason: string): string {
  switch (reason) {
    case 'multipleAccount':
      return 'You signed in somewhere else, so this tab was signed out.';
    case 'userSigExpired':
      return 'Your sign-in expired, so this tab was signed out. Sign in again.';
    case 'closedByServer':
      return 'The server closed this tab\'s connection, so it was signed out. Sign in again.';
    default:
      // Another refusal of the userSig: on the demo server, one signed before it restarted (its demo key is new).
      return `The server no longer accepts this tab's sign-in (${reason}), so it was signed out. Sign in again.`;
  }
}

/** How a call ended, when nothing more precise (a decline, a busy line, ...) was said about it. */
export function endedInWords(end: EndContext): string {
  const duration = end.callEnd > 0 ? ` · ${clockText(end.callEnd * 1000)}` : '';
  switch (end.reason) {
    case 'hangup':
      return (end.byMe ? 'You hung up' : `${end.leftLast ?? 'The others'} hung up`) + duration;
    case 'cancelled':
      return 'You cancelled the call';
    case 'rejected':
      return 'Declined';
    case 'busy':
      return 'Busy';
    case 'noResponse':
      return 'No answer';
    case 'timeout':
      return 'Nobody answered in time';
    case 'kickedOut':
      return end.kicked && end.kicked !== 'multipleAccount' ? 'Signed out by the server: the call ended' : 'You signed in somewhere else: this tab was signed out';
    case 'answeredElsewhere':
      return 'Answered on another device';
    case 'error':
      // A member whose media stayed lost past the call's grace (USER_LEAVE, then CALL_END error); a
      // call that never connected (devices refused while answering) lost nobody.
      return (end.leftLast && end.callEnd > 0 ? `Lost the connection to ${end.leftLast}` : 'The call failed') + duration;
    default:
      return `The call failed${duration}`;
  }
}
