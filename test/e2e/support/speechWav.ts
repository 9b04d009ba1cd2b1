/**
 * A speech-like WAV for Chromium's fake microphone (`--use-file-for-fake-audio-capture`), made
 * in code at test time: "syllables" of a voiced tone (a 160 Hz fundamental with harmonics,
 * amplitude-modulated at 5 Hz) in bursts of 0.6 s with 0.6 s of silence between them.
 * Chromium loops the file. 48 kHz, mono, 16-bit PCM.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RATE = 48_000;

/** The samples, -1..1: `seconds` long, speaking in the first 0.6 s of every 1.2 s. */
export function speechSamples(seconds = 4.8): Float32Array {
  const samples = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < samples.length; i++) {
    const t = i / RATE;
    const inBurst = t % 1.2 < 0.6;
    if (!inBurst) continue;
    const syllable = 0.55 + 0.45 * Math.sin(2 * Math.PI * 5 * t); // 5 syllables a second
    const voice = Math.sin(2 * Math.PI * 160 * t) + 0.5 * Math.sin(2 * Math.PI * 320 * t) + 0.25 * Math.sin(2 * Math.PI * 480 * t);
    samples[i] = 0.45 * syllable * (voice / 1.75);
  }
  return samples;
}

/** The samples as a 16-bit PCM WAV file. */
export function wav(samples: Float32Array): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // PCM chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28); // bytes a second
  header.writeUInt16LE(2, 32); // bytes a frame
  header.writeUInt16LE(16, 34); // bits a sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Writes the speech WAV to a fresh temporary directory; returns its path. */
export function writeSpeechWav(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hc-speech-')), 'speech.wav');
  writeFileSync(path, wav(speechSamples()));
  return path;
}
