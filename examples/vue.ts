// Vue: a shallowRef replaced on every change (the snapshot is immutable). Type-checked in CI.
import { onUnmounted, shallowRef, type ShallowRef } from 'vue';
import type { CallingSnapshot, TRTCCalling } from 'headless-calling';

export function useCalling(calling: TRTCCalling): ShallowRef<CallingSnapshot> {
  const snapshot = shallowRef(calling.getSnapshot());
  const stop = calling.subscribe(() => {
    snapshot.value = calling.getSnapshot();
  });
  onUnmounted(stop);
  return snapshot;
}
