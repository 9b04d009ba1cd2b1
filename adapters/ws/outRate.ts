import type { Clock } from '../clock';
import type { WebSocketConstructor, WebSocketLike } from './socket';

/** The server's default rate for a connection: frames a second, and its burst (`--rate`, `--burst`). */
export const SERVER_RATE = { perSecond: 50, burst: 200 } as const;

/**
 * The server's rate for this connection as this client spends it: every frame its sockets write
 * (requests, receipts, the login). Past the server's rate a frame is refused, each refusal a
 * strike, and a connection out of strikes is closed: what may wait (the WebRTC room's relays, see
 * `adapters/webrtc/pacer.ts`) goes only while enough is {@link OutRate.spare} for the rest.
 */
export class OutRate {
  private tokens: number = SERVER_RATE.burst;
  private at: number;

  constructor(private readonly clock: Clock) {
    this.at = clock.now();
  }

  /** A frame went. */
  spend(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** What is left of the server's burst now, as far as this client's frames tell. */
  spare(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(SERVER_RATE.burst, this.tokens + (Math.max(0, now - this.at) * SERVER_RATE.perSecond) / 1000);
    this.at = now;
  }
}

/** `WS`, its sockets counting every frame they write in `rate`. */
export function counted(WS: WebSocketConstructor, rate: OutRate): WebSocketConstructor {
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
