/**
 * The phase probe of `npm run bench:call`: a script run in every page before its own, which
 * notes when the browser does each step of a call setup, the same way on the library's pages
 * and on the raw baseline's, without touching either: `getUserMedia` asked and answered, a
 * peer connection made, `negotiationneeded`, offer and answer asked for and set on each side, a
 * sender's track replaced, ICE and DTLS connected, and every
 * WebSocket frame sent and received (by its `type`; relayed SDP by what it carries).
 * `globalThis.benchProbe` holds `[label, ms]` pairs (`performance.timeOrigin` based). Bundled
 * by bench/call.ts and given to each page as an init script. With `globalThis.benchCameraMs` set
 * before it (`--camera-ms`), each `getUserMedia` answers that much later on every page.
 */

{
  const g = globalThis as unknown as { benchProbe: Array<[string, number]> };
  const noted: Array<[string, number]> = [];
  g.benchProbe = noted;
  const note = (label: string) => {
    if (noted.length < 2000) noted.push([label, performance.timeOrigin + performance.now()]);
  };

  const devices = navigator.mediaDevices;
  // `--camera-ms <n>`: every capture takes n ms more, as a real camera takes to start.
  const cameraMs = (globalThis as unknown as { benchCameraMs?: number }).benchCameraMs ?? 0;
  if (devices?.getUserMedia) {
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      note('getUserMedia asked');
      if (cameraMs > 0) await new Promise((resolve) => setTimeout(resolve, cameraMs));
      const stream = await getUserMedia(constraints);
      note('getUserMedia answered');
      return stream;
    };
  }

  const Native = globalThis.RTCPeerConnection;
  if (Native) {
    const proto = Native.prototype;
    const setLocal = proto.setLocalDescription;
    const setRemote = proto.setRemoteDescription;
    proto.setLocalDescription = async function (this: RTCPeerConnection, ...args: Parameters<RTCPeerConnection['setLocalDescription']>) {
      note(`local ${args[0]?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer')} asked`);
      await setLocal.apply(this, args);
      note(`local ${this.localDescription?.type ?? '?'} set`);
    } as RTCPeerConnection['setLocalDescription'];
    proto.setRemoteDescription = async function (this: RTCPeerConnection, ...args: Parameters<RTCPeerConnection['setRemoteDescription']>) {
      note(`remote ${args[0]?.type ?? '?'} arrives`);
      await setRemote.apply(this, args);
      note(`remote ${args[0]?.type ?? '?'} set`);
    } as RTCPeerConnection['setRemoteDescription'];
    const Sender = globalThis.RTCRtpSender;
    const replaceTrack = Sender.prototype.replaceTrack;
    Sender.prototype.replaceTrack = async function (this: RTCRtpSender, track: MediaStreamTrack | null) {
      await replaceTrack.call(this, track);
      note(`${track?.kind ?? 'no'} track replaced`);
    };
    class Probed extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        note('peer connection made');
        this.addEventListener('icecandidate', (e) => note(e.candidate ? 'ICE candidate' : 'ICE gathered'));
        this.addEventListener('iceconnectionstatechange', () => note(`ICE ${this.iceConnectionState}`));
        this.addEventListener('connectionstatechange', () => note(`DTLS ${this.connectionState}`));
        this.addEventListener('track', (e) => note(`${e.track.kind} track`));
        this.addEventListener('negotiationneeded', () => note('negotiationneeded'));
      }
    }
    globalThis.RTCPeerConnection = Probed;
  }

  const what = (text: unknown): string => {
    if (typeof text !== 'string') return 'binary';
    try {
      const frame = JSON.parse(text) as { type?: string; data?: unknown; kind?: string; description?: { type?: string } };
      // The raw relay: `{ to, data: { kind } }` out, `{ kind }` in.
      const inner = frame.type === 'relay' || frame.type === 'relayed' ? frame.data : frame.type === undefined ? (frame.data ?? frame) : undefined;
      if (inner !== undefined) {
        const body = (typeof inner === 'string' ? JSON.parse(inner) : inner) as { kind?: string; sdp?: { type?: string }; description?: { type?: string }; candidate?: unknown };
        const sdp = body.description?.type ?? body.sdp?.type;
        const kind = sdp ?? (body.kind === 'ice' ? (body.candidate ? 'ice' : 'ice end') : (body.kind ?? '?'));
        return `${frame.type ?? 'relay'} ${kind}`;
      }
      return frame.type ?? '?';
    } catch {
      return 'text';
    }
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
    note(`ws> ${what(data)}`);
    send.call(this, data);
  };
  const NativeWs = WebSocket;
  class ProbedWs extends NativeWs {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => note(`ws< ${what(e.data)}`));
    }
  }
  globalThis.WebSocket = ProbedWs;
}
export {};
