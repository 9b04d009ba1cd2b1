import { Budget } from '../budget';
import type { Clock } from '../clock';
import type { WebSocketConstructor, WebSocketLike } from './socket';

/**
 * What the server allows this connection (its `loggedIn` says, `limits`): frames a second and its
 * burst (the lower of its per-connection and per-user rates: `--rate`, `--user-rate`), the largest
 * room relay (`--max-relay-bytes`) and the largest frame (`--max-frame-bytes`).
 */
export interface ServerLimits {
  readonly perSecond: number;
  readonly burst: number;
  readonly maxRelayBytes: number;
  readonly maxFrameBytes: number;
}

/** The server's defaults, for a server that does not say (older ones). */
export const SERVER_LIMITS: ServerLimits = { perSecond: 50, burst: 200, maxRelayBytes: 16 * 1024, maxFrameBytes: 64 * 1024 };

/**
 * The server's rate for this connection as this client spends it: every frame its sockets write
 * (requests, receipts, the login; see {@link counted}). Past the server's rate a frame is refused,
 * each refusal a strike, and a connection out of strikes is closed: what may wait (the WebRTC
 * room's relays, see `adapters/webrtc/pacer.ts`) goes only while enough is `left()` for the rest.
 */
export class OutRate extends Budget {
  /** What the server last said of its limits (its defaults until it says). */
  limits = SERVER_LIMITS;

  constructor(clock: Clock) {
    super(clock, SERVER_LIMITS.burst, 1000 / SERVER_LIMITS.perSecond);
  }

  /** The server said its limits at a login (or, an older server, nothing: its defaults); returns {@link OutRate.slower}. */
  learn(limits: ServerLimits | undefined): number {
    this.limits = limits ?? SERVER_LIMITS;
    this.reshape(this.limits.burst, 1000 / this.limits.perSecond);
    return this.slower;
  }

  /** How many times slower than the default the server's rate is (1 at the default or faster). */
  get slower(): number {
    return Math.max(1, SERVER_LIMITS.perSecond / this.limits.perSecond);
  }
}

/** `WS`, its sockets counting every frame they write in `rate`. */
export function counted(WS: WebSocketConstructor, rate: Budget): WebSocketConstructor {
  return function Counted(url: string): WebSocketLike {
    const socket = new WS(url);
    const send = socket.send.bind(socket);
    socket.send = (data: string) => {
      rate.spend();
      send(data);
    };
    return socket;
  } as unknown as WebSocketConstructor;
}
