/**
 * The device check before a call: a camera preview, a microphone level meter and pickers for
 * both, on the page's own getUserMedia/enumerateDevices. The devices picked are the ones calls
 * capture: {@link DeviceCheck.environment} is given to `webrtcBackend` and adds the chosen
 * device IDs to the library's capture requests.
 */
import { browserEnvironment, type MediaEnvironment } from 'headless-calling/embedded';
import { el } from './dom';
import { describeError } from './words';

type Kind = 'videoinput' | 'audioinput';

/** Where the page remembers the check (done, and the devices picked) across reloads. */
const STORAGE_KEY = 'headless-calling-demo.devices';

interface Remembered {
  readonly checked?: boolean;
  readonly videoinput?: string;
  readonly audioinput?: string;
}

function recall(): Remembered {
  try {
    return JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? '{}') as Remembered;
  } catch {
    return {};
  }
}

/** The check's panel and the devices chosen in it. */
export class DeviceCheck {
  private stream: MediaStream | null = null;
  private audio: AudioContext | null = null;
  private frame = 0;
  private readonly chosen: Partial<Record<Kind, string>>;
  /** The user was through the check before (in this browser): it does not open by itself again. */
  readonly checkedBefore: boolean;
  private readonly video = el('video', { testid: 'device-preview' });
  private readonly meter = el('div', { className: 'meter', testid: 'mic-level' });
  private readonly bar = el('div', { className: 'bar' });
  private readonly cameras = el('select', { testid: 'camera-select' });
  private readonly mics = el('select', { testid: 'mic-select' });
  private readonly problem = el('p', { className: 'error hidden', testid: 'devices-error' });
  private generation = 0;

  constructor(
    private readonly host: HTMLElement,
    /** Called when the user is done with the check. */
    private readonly onDone: () => void,
  ) {
    const remembered = recall();
    this.checkedBefore = remembered.checked === true;
    this.chosen = {
      ...(remembered.videoinput ? { videoinput: remembered.videoinput } : {}),
      ...(remembered.audioinput ? { audioinput: remembered.audioinput } : {}),
    };
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.autoplay = true;
    this.meter.append(this.bar);
    this.meter.dataset.level = '0';
    const done = el('button', { className: 'primary', text: 'Looks good', testid: 'devices-done' });
    done.type = 'button';
    done.addEventListener('click', () => {
      this.remember();
      this.onDone();
    });
    const pick = (label: string, select: HTMLSelectElement, kind: Kind) => {
      select.addEventListener('change', () => {
        this.chosen[kind] = select.value;
        this.remember();
        void this.open();
      });
      const l = el('label', { text: label });
      return el('div', { className: 'picker' }, l, select);
    };
    host.replaceChildren(
      el('h2', { text: 'Camera and microphone' }),
      el('div', { className: 'preview' }, this.video, this.meter),
      el('div', { className: 'pickers' }, pick('Camera', this.cameras, 'videoinput'), pick('Microphone', this.mics, 'audioinput')),
      this.problem,
      done,
    );
  }

  /** Whether the preview runs now. */
  get isOpen(): boolean {
    return this.stream !== null;
  }

  /** Starts (or restarts, after a pick) the preview and the meter, and lists the devices. */
  async open(): Promise<void> {
    const generation = ++this.generation;
    this.release();
    this.problem.classList.add('hidden');
    const devices = globalThis.navigator?.mediaDevices;
    if (!devices?.getUserMedia) {
      this.fail(describeError({ code: 60006 }));
      return;
    }
    let stream: MediaStream;
    try {
      stream = await devices.getUserMedia(this.constrain({ audio: true, video: true }));
    } catch (error) {
      if (generation === this.generation) this.fail(describeError({ code: nameOf(error) === 'NotAllowedError' ? 60005 : 60004 }));
      return;
    }
    if (generation !== this.generation) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    this.stream = stream;
    this.video.srcObject = stream;
    this.meterOn(stream);
    await this.list(devices, stream);
  }

  /** Stops the preview (before a call captures the devices itself). */
  close(): void {
    this.generation++;
    this.release();
  }

  /** The browser APIs for `webrtcBackend({ environment })`: captures use the chosen devices. */
  environment(): () => MediaEnvironment {
    return () => {
      const devices = globalThis.navigator?.mediaDevices;
      // The browser's own (its Permissions API too, so call() fails before it invites anyone when
      // the devices are blocked for the page), with the devices chosen here.
      return {
        ...browserEnvironment(),
        ...(devices?.getUserMedia
          ? {
              mediaDevices: {
                getUserMedia: (c?: MediaStreamConstraints) => devices.getUserMedia(this.constrain(c ?? {})),
                // The lists and hot-plug, for getCameras() / switchDevice() / DEVICED_UPDATED.
                enumerateDevices: () => devices.enumerateDevices(),
                addEventListener: devices.addEventListener.bind(devices),
                removeEventListener: devices.removeEventListener.bind(devices),
              },
            }
          : {}),
      };
    };
  }

  private remember(): void {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify({ checked: true, ...this.chosen }));
    } catch {
      // storage refused (private mode): the check simply opens again next time
    }
  }

  private constrain(c: MediaStreamConstraints): MediaStreamConstraints {
    const add = (want: MediaStreamConstraints['audio'], id: string | undefined) =>
      want === true && id ? { deviceId: { exact: id } } : want;
    return { ...c, audio: add(c.audio, this.chosen.audioinput), video: add(c.video, this.chosen.videoinput) };
  }

  private async list(devices: MediaDevices, stream: MediaStream): Promise<void> {
    const all = await devices.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
    const inUse = (kind: 'audio' | 'video') => stream.getTracks().find((t) => t.kind === kind)?.getSettings().deviceId;
    const fill = (select: HTMLSelectElement, kind: Kind, current: string | undefined) => {
      const found = all.filter((d) => d.kind === kind);
      select.replaceChildren(...found.map((d, i) => new Option(d.label || `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${i + 1}`, d.deviceId)));
      if (current) select.value = current;
      select.disabled = found.length < 2;
    };
    fill(this.cameras, 'videoinput', this.chosen.videoinput ?? inUse('video'));
    fill(this.mics, 'audioinput', this.chosen.audioinput ?? inUse('audio'));
  }

  private meterOn(stream: MediaStream): void {
    const Ctx = globalThis.AudioContext;
    if (!Ctx || stream.getAudioTracks().length === 0) return;
    const audio = new Ctx();
    this.audio = audio;
    const analyser = audio.createAnalyser();
    analyser.fftSize = 512;
    audio.createMediaStreamSource(stream).connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    const tick = () => {
      analyser.getByteTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
      const level = Math.min(1, peak / 64);
      this.bar.style.width = `${Math.round(level * 100)}%`;
      this.meter.dataset.level = level.toFixed(2);
      this.frame = requestAnimationFrame(tick);
    };
    void audio.resume().catch(() => undefined);
    tick();
  }

  private release(): void {
    cancelAnimationFrame(this.frame);
    void this.audio?.close().catch(() => undefined);
    this.audio = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.video.srcObject = null;
    this.meter.dataset.level = '0';
    this.bar.style.width = '0%';
  }

  private fail(text: string): void {
    this.problem.textContent = text;
    this.problem.classList.remove('hidden');
  }
}

const nameOf = (error: unknown) => (typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '');
