import { Budget } from '../budget';
import type { Clock } from '../clock';
import type { WebSocketConstructor, WebSocketLike } from './socket';

/** The server's default rate for a connection: frames a second, and its burst (`--rate`, `--burst`). */
export const SERVER_RATE = { perSecond: 50, burst: 200 } as const;

/**
 * The server's rate for this connection as this client spends it: every frame its sockets write
 * (requests, receipts, the login; see {@link counted}). Past the server's rate a frame is refused,
 * each refusal a strike, and a connection out of strikes is closed: what may wait (the WebRTC
 * room's relays, see `adapters/webrtc/pacer.ts`) goes only while enough is `left()` for the rest.
 */
export const outRate = (clock: Clock): Budget => new Budget(clock, SERVER_RATE.burst, 1000 / SERVER_RATE.perSecond);

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
