/** The media a demo page's peer connections received (cluster.e2e.test.ts: the media goes on while the nodes change). */
import type { DemoUser } from './demoPage';

/** Runs in the page before its scripts: every RTCPeerConnection made is kept on `globalThis.__pcs`. */
export function keepPeerConnections(): void {
  const w = globalThis as unknown as { __pcs: RTCPeerConnection[]; RTCPeerConnection: typeof RTCPeerConnection };
  const Native = w.RTCPeerConnection;
  w.__pcs = [];
  w.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__pcs.push(this);
    }
  };
}

/** A video's size, as a page plays it. */
export type Size = { readonly width: number; readonly height: number };

/** Bytes of media the page's peer connections have received so far. */
export function received(user: DemoUser): Promise<number> {
  return user.page.evaluate(async () => {
    let bytes = 0;
    for (const pc of (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      (await pc.getStats()).forEach((s: { type: string; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp') bytes += s.bytesReceived ?? 0;
      });
    }
    return bytes;
  });
}
