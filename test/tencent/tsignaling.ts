/**
 * TSignaling 1.0.8's receive filter (spec/wire-protocol.md 1.5), as a predicate: would
 * Tencent's client process this envelope, or drop it silently? `known` says whether the
 * receiver has the invite in its invite map (a member of that call).
 */
type Envelope = { actionType: number; groupID?: string; inviteeList?: string[]; data?: string };

/** TSignaling's generic isEmpty: null, undefined, "", 0, [] and {} are empty. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

export function tsignalingProcesses(payload: string, self: string, known = true): boolean {
  const env = JSON.parse(payload) as Envelope;
  const group = !isEmpty(env.groupID);
  switch (env.actionType) {
    case 1:
      return !group || (env.inviteeList ?? []).includes(self);
    case 2:
    case 3:
    case 4:
      return !group || known;
    case 5: {
      let data: { room_id?: unknown; call_end?: unknown };
      try {
        data = JSON.parse(env.data ?? '') as typeof data;
      } catch {
        return false; // TSignaling's JSON.parse throws: the notice is lost
      }
      const callEnd = typeof data.call_end === 'number' ? data.call_end : undefined;
      if (isEmpty(data.room_id) && callEnd !== undefined && callEnd > 0) return false;
      if (group && (callEnd === 0 || isEmpty(data.room_id))) return false;
      return !group || known;
    }
    default:
      return false;
  }
}
