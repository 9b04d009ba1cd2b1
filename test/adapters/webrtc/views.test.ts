/**
 * The WebRTC room's views (`VideoViews`) over a fake document: one `<video>` per element id, removed
 * by element, or without one wherever the user's video plays (trtc-calling-js's stop methods need only
 * the user).
 */
import { describe, expect, it } from 'vitest';
import { VideoViews } from '../../../adapters/webrtc/views';

class FakeVideo {
  autoplay = false;
  playsInline = false;
  muted = false;
  srcObject: unknown = null;
  dataset: Record<string, string> = {};
  style: Record<string, string> = {};
  constructor(private readonly removed: (v: FakeVideo) => void) {}
  play = async () => undefined;
  remove = () => this.removed(this);
}

function page(ids: readonly string[]) {
  const shown = new Map<string, FakeVideo[]>();
  const doc = {
    createElement: () => new FakeVideo((v) => {
      for (const list of shown.values()) list.splice(list.indexOf(v) >>> 0, list.includes(v) ? 1 : 0);
    }),
    getElementById: (id: string) =>
      ids.includes(id) ? { ownerDocument: doc, appendChild: (v: FakeVideo) => void (shown.get(id) ?? shown.set(id, []).get(id))?.push(v) } : null,
  };
  const playing = () => [...shown].filter(([, list]) => list.length > 0).map(([id, list]) => `${id}:${list.map((v) => v.dataset.userId).join(',')}`);
  return { views: new VideoViews(() => doc as unknown as Document, () => 'alice'), playing };
}

const stream = {} as MediaStream;

describe('VideoViews', () => {
  it('stopped by element: only that element; stopped without one: every view of that user, or every local view', () => {
    const { views, playing } = page(['me', 'me-too', 'bob-1', 'bob-2', 'carol']);
    views.startLocal('me', stream);
    views.startLocal('me-too', stream);
    views.show('bob-1', stream, 'bob');
    views.show('bob-2', stream, 'bob');
    views.show('carol', stream, 'carol');
    views.hide('bob-1', 'bob');
    expect(playing()).toEqual(['me:alice', 'me-too:alice', 'bob-2:bob', 'carol:carol']);
    views.hideAllOf('bob');
    expect(playing()).toEqual(['me:alice', 'me-too:alice', 'carol:carol']);
    views.stopLocal(undefined);
    expect(playing()).toEqual(['carol:carol']);
  });

  it('a local view asked for before the capture and stopped without an element never shows', () => {
    const { views, playing } = page(['me']);
    views.startLocal('me', null);
    views.stopLocal(undefined);
    views.captured(stream);
    expect(playing()).toEqual([]);
  });

  it('an id naming no element is refused as a parameter (-1202) where the video would show now', () => {
    const { views } = page(['me']);
    for (const start of [() => views.show('nowhere', stream, 'bob'), () => views.startLocal('nowhere', stream)]) {
      expect(start).toThrow(expect.objectContaining({ name: 'RoomPortError', code: -1202, reason: 'invalidParameter', message: 'no element with id "nowhere"' }));
    }
  });

  it('a local view asked for before the capture, its element mounted before the capture (a ringing dialog rendered after INVITED), shows', () => {
    const ids: string[] = [];
    const { views, playing } = page(ids);
    views.startLocal('me', null);
    ids.push('me');
    views.captured(stream);
    expect(playing()).toEqual(['me:alice']);
  });

  it('local views asked for before the capture, one element gone by the capture -> that one skipped, nothing thrown; the others show', () => {
    const ids = ['me', 'me-too'];
    const { views, playing } = page(ids);
    views.startLocal('me', null);
    views.startLocal('me-too', null);
    ids.splice(ids.indexOf('me'), 1);
    views.captured(stream);
    expect(playing()).toEqual(['me-too:alice']);
  });
});
