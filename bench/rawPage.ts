/**
 * The raw WebRTC baseline of `npm run bench:call`, bundled into a page of its own: the same
 * media work as a call (both sides capture camera and microphone, one RTCPeerConnection,
 * offer and answer and ICE over a bare WebSocket relay), with no library at all.
 * `rawBench.start()` on the caller's page begins a run; `rawBench.marks` holds its times.
 */

type Message =
  | { kind: 'offer' | 'answer'; sdp: RTCSessionDescriptionInit }
  | { kind: 'ice'; candidate: RTCIceCandidateInit | null }
  | { kind: 'bye' };

const me = new URLSearchParams(location.search).get('id') ?? 'alice';
const other = me === 'alice' ? 'bob' : 'alice';
const ws = new WebSocket(`ws://${location.host}/relay?id=${me}`);
const now = () => performance.timeOrigin + performance.now();
const marks: Record<string, number> = {};
let pc: RTCPeerConnection | null = null;
let local: MediaStream | null = null;
let video: HTMLVideoElement | null = null;

const send = (message: Message) => ws.send(JSON.stringify({ to: other, data: message }));

async function peer(): Promise<RTCPeerConnection> {
  local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const connection = new RTCPeerConnection();
  for (const track of local.getTracks()) connection.addTrack(track, local);
  connection.onicecandidate = ({ candidate }) => send({ kind: 'ice', candidate: candidate ? candidate.toJSON() : null });
  connection.ontrack = ({ track, streams }) => {
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
