/** A scripted socket for WsConnection tests: what the client writes is kept, frames are delivered at once. */
import type { WebSocketLike } from '../../../adapters/ws/socket';

/** A socket that delivers a queued frame while one is being written (no real browser does; nested handlers must still keep order). */
export class SyncSocket implements WebSocketLike {
  static last: SyncSocket;
  readyState = 1;
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { readonly data: unknown }) => void) | null = null;
  onclose: ((e: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  readonly sent: string[] = [];
  onNextSend: string[] = [];
  constructor(_url: string) {
    SyncSocket.last = this;
    queueMicrotask(() => this.onopen?.({}));
  }
  send(data: string): void {
    this.sent.push(data);
    for (const frame of this.onNextSend.splice(0)) this.onmessage?.({ data: frame });
  }
  close(): void {
    this.readyState = 3;
  }
  deliver(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}
