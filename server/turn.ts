/**
 * TURN credentials handed to the server's users, so that calls connect beyond one network (NATs,
 * firewalls) without a TURN password in the page. The server shares a secret with the TURN
 * server and mints time-limited credentials per user, as the TURN REST API of coturn
 * (`--use-auth-secret --static-auth-secret=<secret>`) and others take them: the username is
 * `<expiry in Unix seconds>:<userID>`, the password base64(HMAC-SHA1(secret, username)). Each
 * `loggedIn` carries a fresh set, and a `ping` asking for `turn` gets another (the client asks once
 * half of its set's lifetime is spent), so a login that lasts for days keeps working credentials.
 */
import { createHmac } from 'node:crypto';
import type { TurnGrant } from '../adapters/ws/protocol';

/** The TURN servers of {@link ServerOptions.turn}. */
export interface TurnOptions {
  /** Their URIs, as a browser takes them: `turn:host:3478?transport=udp`, `turns:host:5349`, `stun:host:3478`. */
  readonly urls: readonly string[];
  /** The secret the TURN server was given (coturn: `--static-auth-secret`). */
  readonly secret: string;
  /** How long a set of credentials works, in seconds (default a day; a call past it may lose its relay). */
  readonly ttlSeconds?: number;
}

/** {@link TurnOptions} checked, with the default applied. */
export type ResolvedTurn = Required<TurnOptions>;

export const TURN_TTL_SECONDS = 86_400;

/**
 * A TURN/STUN URI as browsers parse it (RFC 7064/7065): `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`
 * (and `stuns:`, `turns:`), the host a name or an address (IPv6 in brackets). Chromium's `new RTCPeerConnection`
 * throws on anything else (a port out of range, `?transport=tls`, `user@host`), failing every call of every user.
 */
const URI = /^(?:stuns?|(turns?)):(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?(\?transport=(?:udp|tcp))?$/;

function browserTakes(url: string): boolean {
  const [, turn, port, transport] = URI.exec(url) ?? [];
  return URI.test(url) && (turn !== undefined || transport === undefined) && (port === undefined || (Number(port) >= 1 && Number(port) <= 65_535));
}

/** How the checks name each option: as `startServer` takes it, or as the command line's flags (`server/cli.ts`). */
const OPTION_NAMES = { urls: 'turn.urls', secret: 'turn.secret', ttl: 'turn.ttlSeconds' };
export const FLAG_NAMES = { urls: '--turn-urls', secret: '--turn-secret', ttl: '--turn-ttl' };

/** Checks {@link TurnOptions}; throws a plain error naming what cannot work. */
export function resolveTurn(turn: TurnOptions, names = OPTION_NAMES): ResolvedTurn {
  const ttlSeconds = turn.ttlSeconds ?? TURN_TTL_SECONDS;
  if (turn.urls.length === 0 || turn.urls.length > 8) throw new Error(`${names.urls} must list 1 to 8 TURN/STUN URIs`);
  for (const url of turn.urls) if (!browserTakes(url)) throw new Error(`${names.urls}: ${JSON.stringify(url)} is not a turn:, turns:, stun: or stuns: URI`);
  if (!turn.urls.some((url) => url.startsWith('turn'))) throw new Error(`${names.urls} must name a TURN server (turn: or turns:), not only STUN`);
  if (!turn.secret) throw new Error(`${names.secret} is required (the secret the TURN server was given)`);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 7 * 86_400) throw new Error(`${names.ttl} must be a whole number of seconds from 60 to 604800`);
  return { urls: [...turn.urls], secret: turn.secret, ttlSeconds };
}

/**
 * Credentials for `userID` from `nowMs` (the server's clock) for the TURN servers of `turn`, expiring
 * no later than `untilMs`, the session's userSig (a session ends with it: its relay should not
 * outlive it by up to a `ttlSeconds`), but at least a second from now.
 */
export function turnGrant(turn: ResolvedTurn, userID: string, nowMs: number, untilMs = Infinity): TurnGrant {
  const now = Math.floor(nowMs / 1000);
  const expiry = Math.max(now + 1, Math.min(now + turn.ttlSeconds, Math.floor(untilMs / 1000)));
  const username = `${expiry}:${userID}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { iceServers: [{ urls: [...turn.urls], username, credential }], ttl: expiry - now };
}
