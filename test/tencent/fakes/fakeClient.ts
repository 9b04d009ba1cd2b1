/**
 * The fake TRTC client: trtc-js-sdk's `Client` (and `RtcError`), the parts the room port uses
 * working against the fake room server (fakeTrtc.ts), the rest refusing.
 */
import type {
  Client,
  ClientConfig,
  ClientEventMap,
  ErrorCode,
  JoinOptions,
  LocalAudioStatsMap,
  LocalStream,
  LocalVideoStatsMap,
  RemoteAudioStatsMap,
  RemoteMutedState,
  RemoteStream,
  RemoteVideoStatsMap,
  RtcError,
  TransportStats,
} from 'trtc-js-sdk';
import { FakeLocalStream, FakeRemoteStream } from './fakeStreams';
import type { FakeTrtcCloud } from './fakeTrtc';

/** trtc-js-sdk's `RtcError`. */
export class FakeRtcError extends Error implements RtcError {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  getCode<K extends keyof ErrorCode>(): ErrorCode[K] {
    return this.code as ErrorCode[K];
  }
}

type Handler<K extends keyof ClientEventMap> = (event: ClientEventMap[K]) => void;
type AnyHandler = { readonly event: keyof ClientEventMap; readonly handler: (event: never) => void };

const unsupported = (what: string): never => {
  throw new Error(`the fake TRTC client does not support ${what}`);
};

/** trtc-js-sdk's `Client`, the parts the room port uses working, the rest refusing. */
export class FakeClient implements Client {
  room: number | string | null = null;
  destroyed = false;
  readonly userId: string;
  #handlers: AnyHandler[] = [];

  constructor(
    private readonly cloud: FakeTrtcCloud,
    readonly config: ClientConfig,
  ) {
    this.userId = config.userId;
  }

  async join(options: JoinOptions): Promise<void> {
    // trtc-js-sdk 4.15's checks: a numeric roomId must be an integer in 1..4294967294; with
    // `useStringRoomId` (v4.3+) a string of 1-64 of the characters TRTC allows. TRTC keeps the two
    // kinds apart: the string room "123" is not the numeric room 123 (the fake room server's keys).
    const roomId: unknown = options?.roomId;
    if (this.config.useStringRoomId) {
      if (typeof roomId !== 'string' || !/^[A-Za-z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/.test(roomId)) {
        throw new FakeRtcError(0x1000, `roomId must be a string of 1-64 allowed characters, got ${String(roomId)}`);
      }
    } else if (typeof roomId !== 'number' || !/^[1-9]\d*$/.test(String(roomId)) || roomId >= 4294967295) {
      throw new FakeRtcError(0x1000, `roomId must be an integer in [1, 4294967295), got ${String(roomId)}`);
    }
    if (this.destroyed || this.room !== null) throw new FakeRtcError(0x1001, 'already in a room');
    await this.cloud.join(this, roomId);
  }
  async leave(): Promise<void> {
    await this.cloud.leave(this);
  }
  destroy(): void {
    this.destroyed = true;
  }
  async publish(localStream: LocalStream): Promise<void> {
    if (!(localStream instanceof FakeLocalStream)) return unsupported('foreign streams');
    await this.cloud.publish(this, localStream);
  }
  async unpublish(_localStream: LocalStream): Promise<void> {
    await this.cloud.unpublish(this);
  }
  async subscribe(remoteStream: RemoteStream, _options?: { audio?: boolean; video?: boolean }): Promise<void> {
    if (!(remoteStream instanceof FakeRemoteStream)) return unsupported('foreign streams');
    await this.cloud.subscribe(this, remoteStream);
  }
  async unsubscribe(_remoteStream: RemoteStream): Promise<void> {}
  on<K extends keyof ClientEventMap>(event: K, handler: Handler<K>): void {
    this.#handlers.push({ event, handler });
  }
  off<K extends keyof ClientEventMap>(event: K, handler: Handler<K>): void;
  off(event: '*'): void;
  off(event: string, handler?: unknown): void {
    this.#handlers = this.#handlers.filter((h) => !(event === '*' || (h.event === event && h.handler === handler)));
  }
  getRemoteMutedState(): RemoteMutedState[] {
    return this.cloud.mutedState(this);
  }
  /** @internal Delivers a client event to its handlers (nothing once destroyed). */
  fire<K extends keyof ClientEventMap>(event: K, payload: ClientEventMap[K]): void {
    if (this.destroyed) return;
    for (const h of [...this.#handlers]) if (h.event === event) (h.handler as Handler<K>)(payload);
  }

  setProxyServer(_proxy: Parameters<Client['setProxyServer']>[0]): void {}
  setTurnServer(_config: Parameters<Client['setTurnServer']>[0]): void {}
  async switchRole(): Promise<void> {}
  sendSEIMessage(): void {}
  async getTransportStats(): Promise<TransportStats> {
    return { rtt: 0, downlinksRTT: {} };
  }
  async getLocalAudioStats(): Promise<LocalAudioStatsMap> {
    return {};
  }
  async getLocalVideoStats(): Promise<LocalVideoStatsMap> {
    return {};
  }
  async getRemoteAudioStats(): Promise<RemoteAudioStatsMap> {
    return {};
  }
  async getRemoteVideoStats(): Promise<RemoteVideoStatsMap> {
    return {};
  }
  startMixTranscode = async (): Promise<void> => unsupported('startMixTranscode');
  stopMixTranscode = async (): Promise<void> => unsupported('stopMixTranscode');
  startPublishCDNStream = async (): Promise<void> => unsupported('startPublishCDNStream');
  stopPublishCDNStream = async (): Promise<void> => unsupported('stopPublishCDNStream');
  enableAudioVolumeEvaluation(interval = 2000): void {
    this.cloud.evaluateVolume(this, interval);
  }
  async enableSmallStream(): Promise<void> {}
  async disableSmallStream(): Promise<void> {}
  setSmallStreamProfile(): void {}
  async setRemoteVideoStreamType(): Promise<void> {}
  callExperimentalAPI = async (): Promise<never> => unsupported('callExperimentalAPI');
}
