// React: the store plugs straight into useSyncExternalStore. Type-checked in CI (npm test).
import { useSyncExternalStore } from 'react';
import type { CallingSnapshot, TRTCCalling } from 'headless-calling';

export function useCalling(calling: TRTCCalling): CallingSnapshot {
  return useSyncExternalStore(calling.subscribe, calling.getSnapshot);
}

export function CallBar({ calling }: { calling: TRTCCalling }) {
  const { line, call } = useCalling(calling);
  if (!call) return <p>{line === 'idle' ? 'Ready to call' : line}</p>;
  const others = call.participants.map((p) => `${p.userID}${p.video ? '' : ' (camera off)'}`);
  return (
    <div>
      <p>
        {call.state} · {others.join(', ') || call.sponsor}
      </p>
      {call.state === 'ringing' ? (
        <button onClick={() => void calling.accept()}>Accept</button>
      ) : (
        <button onClick={() => void calling.hangup()}>Hang up</button>
      )}
      <button onClick={() => void calling.setMicMute(!call.local.micMuted)}>{call.local.micMuted ? 'Unmute' : 'Mute'}</button>
    </div>
  );
}
