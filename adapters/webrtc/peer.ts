/**
 * One `RTCPeerConnection` towards one remote member, negotiated with the "perfect negotiation"
 * pattern (W3C WebRTC 1.0, section 10.7): the polite side rolls back its own offer when offers
 * cross, the impolite side ignores the other's. Which side is polite is a deterministic rule
 * (the greater userID is polite), so simultaneous offers never deadlock. The impolite side also
 * opens the first negotiation alone, so in the usual case no offers cross at all.
 */

/** What peers send each other over the room's relay. */
export type PeerMessage =
  | { readonly kind: 'sdp'; readonly description: RTCSessionDescriptionInit }
  | { readonly kind: 'ice'; readonly candidate: RTCIceCandidateInit | null };

/** What a {@link Peer} needs from its room. */
export interface PeerHost {
  readonly RTCPeerConnection: typeof RTCPeerConnection;
  /** The connection's ICE servers and policy now (TURN credentials are renewed as they age). */
  config(): RTCConfiguration;
  send(message: PeerMessage): void;
  /** A remote track was added to {@link Peer.stream}. */
  onMedia(): void;
  onState(state: RTCPeerConnectionState): void;
  onError(error: unknown): void;
}

/** Parses a relayed message; `null` for anything that is not one. */
export function parsePeerMessage(data: string): PeerMessage | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== 'object' || value === null || !('kind' in value)) return null;
    if (value.kind === 'sdp' && 'description' in value && typeof value.description === 'object' && value.description !== null)
      return { kind: 'sdp', description: value.description as RTCSessionDescriptionInit };
    if (value.kind === 'ice' && 'candidate' in value)
      return { kind: 'ice', candidate: (value.candidate ?? null) as RTCIceCandidateInit | null };
    return null;
  } catch {
    return null;
  }
}

/** The connection to one remote member, and the media it sends us. */
export class Peer {
  readonly pc: RTCPeerConnection;
  /** What the member sends: one stream holding its audio and video tracks. */
  readonly stream: MediaStream;
  private makingOffer = false;
  private ignoreOffer = false;
  /** The impolite side has opened the first negotiation (seen by the polite side). */
  private opened: boolean;
  private queue: Promise<void> = Promise.resolve();
  /** Messages received and handled so far. */
  private received = 0;
  private handled = 0;
  /** Media arrived: it is told once this many messages are handled (those in hand when it came). */
  private newsAfter: number | null = null;
  private closed = false;
  private trackArrived = false;
  /** Senders made before our capture (see `places`), waiting for its tracks. */
  private readonly places: RTCRtpTransceiver[] = [];
  /**
   * The polite side made before its capture: the kinds it will send, given places by the first
   * offer (the transceivers the offer brings; places made by us now would be left out of it).
   */
  private answerKinds: ReadonlyArray<'audio' | 'video'>;

  /**
   * @param tracks what we send
   * @param places kinds to send that are still being captured: the side that opens makes a
   *   sending transceiver for each now, so its first offer has them; the other side answers that
   *   offer at once, sending on the offer's transceivers of those kinds. {@link attach} puts the
   *   tracks in place, with no new negotiation.
   */
  constructor(
    readonly userID: string,
    readonly polite: boolean,
    private readonly host: PeerHost,
    tracks: readonly MediaStreamTrack[],
    places: ReadonlyArray<'audio' | 'video'> = [],
  ) {
    this.opened = !polite;
    const config = host.config();
    // Relay only with no TURN server (the server has no --turn-urls, iceServers names none): never connects.
    if (config.iceTransportPolicy === 'relay' && !config.iceServers?.some((s) => [s.urls].flat().some((url) => url.startsWith('turn')))) {
      host.onError(new Error(`iceTransportPolicy 'relay' without a TURN server: no media with ${userID}`));
    }
    this.pc = new host.RTCPeerConnection(config);
    this.stream = new MediaStream();
    this.pc.onnegotiationneeded = () => void this.negotiate();
    this.pc.onicecandidate = ({ candidate }) => this.host.send({ kind: 'ice', candidate: candidate ? candidate.toJSON() : null });
    this.pc.ontrack = ({ track }) => this.onTrack(track);
    this.pc.onconnectionstatechange = () => {
      if (!this.closed) this.host.onState(this.pc.connectionState);
    };
    for (const track of tracks) this.pc.addTrack(track);
    this.answerKinds = polite ? places : [];
    if (!polite) for (const kind of places) this.places.push(this.pc.addTransceiver(kind, { direction: 'sendrecv' }));
  }

  /**
   * Our capture is here (`local()` gives its tracks): each track takes the place made for its
   * kind (`replaceTrack`, no new negotiation); a track with none is added (the browser asks to
   * negotiate).
   */
  async attach(local: () => readonly MediaStreamTrack[]): Promise<void> {
    // Answering: the offer being applied brings the places (a track added meanwhile would get
    // a transceiver of its own and a second negotiation). The tracks are read after it: a device
    // switched or lost meanwhile has replaced or removed one.
    if (this.answerKinds.length > 0) await this.queue;
    for (const track of local()) {
      if (this.closed) return;
      const place = this.places.find((t) => t.receiver.track.kind === track.kind && !t.sender.track);
      if (place) await place.sender.replaceTrack(track);
      else if (!this.pc.getSenders().some((s) => s.track === track)) this.pc.addTrack(track);
    }
  }

  /**
   * Handles the next message from the member, in order. News of its media waits for the
   * messages already in hand when the description bringing it was applied (the candidates that
   * came right behind it), so that ICE starts checking before the app's work on `USER_ENTER`
   * runs; candidates trickling in later do not hold it back.
   */
  receive(message: PeerMessage): void {
    this.received += 1;
    this.queue = this.queue
      .then(() => this.handle(message))
      .catch((error: unknown) => {
        if (!this.closed) this.host.onError(error);
      })
      .then(() => {
        this.handled += 1;
        if (this.trackArrived && this.newsAfter === null) this.newsAfter = this.received;
        if (this.newsAfter !== null && this.handled >= this.newsAfter) {
          this.newsAfter = null;
          this.mediaNews();
        }
      });
  }

  /**
   * Sends `track` (or nothing, `null`) as our video: on the video sender we have, with no new
   * negotiation while its transceiver already sends; else a new sender (the browser asks to
   * negotiate and `negotiate` does it).
   */
  async setVideo(track: MediaStreamTrack | null): Promise<void> {
    const transceiver = this.pc
      .getTransceivers()
      .find((t) => t.currentDirection !== 'stopped' && (t.sender.track?.kind === 'video' || t.receiver.track.kind === 'video'));
    if (!transceiver) {
      if (track) this.pc.addTrack(track);
      return;
    }
    await transceiver.sender.replaceTrack(track);
    if (track && transceiver.direction !== 'sendrecv' && transceiver.direction !== 'sendonly') transceiver.direction = 'sendrecv';
  }

  /** Restarts ICE (`IceRecovery`), gathering with the TURN credentials of now. */
  restart(): void {
    this.refresh();
    this.pc.restartIce();
  }

  /** The member is gone: close the connection and stop its tracks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }

  private async negotiate(): Promise<void> {
    // The polite side waits for the impolite one to open, so first offers do not cross.
    if (this.closed || !this.opened) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      if (this.pc.localDescription) this.host.send({ kind: 'sdp', description: this.pc.localDescription.toJSON() });
    } catch (error) {
      if (!this.closed) this.host.onError(error);
    } finally {
      this.makingOffer = false;
    }
  }

  private async handle(message: PeerMessage): Promise<void> {
    if (this.closed) return;
    if (message.kind === 'ice') {
      try {
        await this.pc.addIceCandidate(message.candidate ?? undefined);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
      return;
    }
    const { description } = message;
    const collision = description.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    await this.pc.setRemoteDescription(description); // rolls our own offer back on a collision
    if (description.type === 'offer') {
      const firstOffer = !this.opened;
      this.opened = true;
      this.placesInOffer();
      this.refresh(); // an offer restarting ICE: our answer gathers again
      await this.pc.setLocalDescription();
      if (this.pc.localDescription) this.host.send({ kind: 'sdp', description: this.pc.localDescription.toJSON() });
      // Tracks the first offer had no place for need an offer of our own, now that we may make one.
      if (firstOffer && this.pc.getTransceivers().some((t) => t.sender.track && !t.currentDirection)) void this.negotiate();
    }
  }

  /**
   * The connection was made with the TURN credentials of then, which expire: a gathering (an ICE
   * restart's, ours or the member's) takes the fresh ones, or coturn refuses every relay candidate.
   */
  private refresh(): void {
    try {
      this.pc.setConfiguration(this.host.config());
    } catch {
      // A browser refusing the change: the gathering goes on with the set the connection has.
    }
  }

  /**
   * Answering before our capture: each kind we will send takes the offer's transceiver of that
   * kind, sending from the answer on (its track comes with {@link attach}). A kind the offer
   * lacks is added when its track comes, and negotiated then.
   */
  private placesInOffer(): void {
    for (const kind of this.answerKinds) {
      const offered = this.pc
        .getTransceivers()
        .find((t) => t.receiver.track.kind === kind && !t.sender.track && t.direction === 'recvonly' && !this.places.includes(t));
      if (!offered) continue;
      offered.direction = 'sendrecv';
      this.places.push(offered);
    }
    this.answerKinds = [];
  }

  /**
   * A remote track arrived (its description was applied): the member counts as entered now, so
   * that the app's view is in place before the first frame, as with the raw API.
   */
  private onTrack(track: MediaStreamTrack): void {
    if (!this.stream.getTracks().includes(track)) this.stream.addTrack(track);
    // Tracks arrive while a remote description is applied: tell the app once our answer is out,
    // so that its work (views, UI) does not delay the connection.
    this.trackArrived = true;
  }

  private mediaNews(): void {
    if (!this.trackArrived || this.closed) return;
    this.trackArrived = false;
    this.host.onMedia();
  }
}
