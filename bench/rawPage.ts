/**
 * The raw WebRTC baseline of `npm run bench:call`, bundled into a page of its own: the same
 * media work as a call (both sides capture camera and microphone, one RTCPeerConnection,
 * offer and answer and ICE over a bare WebSocket relay, the other side's video shown and its
 * sound played), with no library at all. `rawBench.start()` on the caller's page begins a run;
 * `rawBench.marks` holds its times. `?silent=1` plays no sound (the baseline before 2026-12-07,
 * which did less than a call and than the library's pages: they play each member's sound through
 * a hidden `<audio>`, as trtc-calling-js does).
 */

type Message =
  | { kind: 'offer' | 'answer'; sdp: RTCSessionDescriptionInit }
  | { kind: 'ice'; candidate: RTCIceCandidateInit | null }
  | { kind: 'bye' };

const params = new URLSearchParams(location.search);
const me = params.get('id') ?? 'alice';
const silent = params.get('silent') === '1';
const other = me === 'alice' ? 'bob' : 'alice';
const ws = new WebSocket(`ws://${location.host}/relay?id=${me}`);
const now = () => performance.timeOrigin + performance.now();
const marks: Record<string, number> = {};
let pc: RTCPeerConnection | null = null;
let local: MediaStream | null = null;
let video: HTMLVideoElement | null = null;
let sound: HTMLAudioElement | null = null;

const send = (message: Message) => ws.send(JSON.stringify({ to: other, data: message }));

async function peer(): Promise<RTCPeerConnection> {
  local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const connection = new RTCPeerConnection();
  for (const track of local.getTracks()) connection.addTrack(track, local);
  connection.onicecandidate = ({ candidate }) => send({ kind: 'ice', candidate: candidate ? candidate.toJSON() : null });
  connection.ontrack = ({ track, streams }) => {
    if (track.kind === 'audio' && !silent) {
      // As the library's pages play a member's sound: a hidden <audio> of its stream.
      sound = document.createElement('audio');
      sound.autoplay = true;
      sound.hidden = true;
      sound.srcObject = streams[0] ?? new MediaStream([track]);
      document.body.appendChild(sound);
      void sound.play().catch(() => undefined);
    }
    if (track.kind !== 'video') return;
    const element = document.createElement('video');
    element.autoplay = true;
    element.muted = true;
    element.playsInline = true;
    element.srcObject = streams[0] ?? new MediaStream([track]);
    document.body.appendChild(element);
    video = element;
    element.requestVideoFrameCallback(() => {
      marks.frame ??= now();
    });
  };
  pc = connection;
  return connection;
}

async function start(): Promise<void> {
  marks.start = now();
  const connection = await peer();
  await connection.setLocalDescription(await connection.createOffer());
  send({ kind: 'offer', sdp: connection.localDescription!.toJSON() });
}

function stop(): void {
  pc?.close();
  pc = null;
  for (const track of local?.getTracks() ?? []) track.stop();
  local = null;
  video?.remove();
  video = null;
  sound?.remove();
  sound = null;
  for (const key of Object.keys(marks)) delete marks[key];
}

let queue: Promise<void> = Promise.resolve();
ws.onmessage = (event) => {
  const message = JSON.parse(String(event.data)) as Message;
  queue = queue.then(async () => {
    if (message.kind === 'offer') {
      const connection = await peer();
      await connection.setRemoteDescription(message.sdp);
      await connection.setLocalDescription(await connection.createAnswer());
      send({ kind: 'answer', sdp: connection.localDescription!.toJSON() });
    } else if (message.kind === 'answer') await pc?.setRemoteDescription(message.sdp);
    else if (message.kind === 'ice') await pc?.addIceCandidate(message.candidate ?? undefined);
    else stop();
  });
};

const ready = new Promise<void>((resolve) => (ws.onopen = () => resolve()));
(globalThis as unknown as { rawBench: unknown }).rawBench = { start, stop, marks, ready, bye: () => send({ kind: 'bye' }) };
export {};
