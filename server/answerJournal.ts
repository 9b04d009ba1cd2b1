/**
 * Many devices: the answer ledger (`adapters/ws/answerLedger.ts`: which device of a user answered
 * which invitation, and each room's invitations) kept in SQLite beside the messages, so that a
 * restart forgets no answer: a device's decline keeps the user's other devices out of the room
 * after it too (before, the ledger lived in memory only, and after a restart a second device could
 * enter the room its user had declined). Each change is written in the turn's commit; the rooms
 * are read back at start, oldest first, and a user's answers when the ledger recalls them (a
 * device of theirs answers or enters again: the ledger forgets a user in memory once their last
 * session ends, and the rows stay, so the end of a resume grace forgets no more than a restart).
 * Rows older than the offline store's lifetime are dropped, at start and hourly, but those of a call
 * still going on: a room's row while its grant lives, and the answers to the invitations filed in the
 * rooms kept (a call past a week lost them to the hourly expiry while memory held them, and a restart
 * then let a device into the room its user had declined).
 *
 * Beside each answer that went to its caller, the message it went in (`said`, {@link saidAnswers}): the user's
 * other devices are handed it live, and one that logs in as a new session (back past the resume grace, or after a
 * restart) is handed it then, so that it stops ringing as a live one does (before 2026-12-06 it rang on).
 */
import type Database from 'better-sqlite3';
import { AnswerLedger, INVITATION_KEY, type LedgerJournal, type Verdict } from '../adapters/ws/answerLedger';
import type { TurnCommit } from './commit';
import type { Session } from './session';
import type { ResolvedOptions } from './options';
import type { Body } from './store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS answer_verdicts (user_id TEXT NOT NULL, invite_id TEXT NOT NULL, verdict TEXT NOT NULL, at INTEGER NOT NULL, seq INTEGER NOT NULL, said TEXT, PRIMARY KEY (user_id, invite_id));
CREATE TABLE IF NOT EXISTS answer_rooms (room_id INTEGER PRIMARY KEY, invites TEXT NOT NULL, at INTEGER NOT NULL, seq INTEGER NOT NULL);
`;

const encode = (verdict: Verdict<string>): string => JSON.stringify(verdict instanceof Set ? { busy: [...verdict] } : { by: verdict.by, passed: verdict.passed });
const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((s) => typeof s === 'string');
/** What a row holds, or undefined when it does not read (another version's format, a hand edit): that row is dropped. */
function decode(text: string): Verdict<string> | undefined {
  const stored = parse(text) as { busy?: unknown; by?: unknown; passed?: unknown } | null;
  if (typeof stored !== 'object' || stored === null) return undefined;
  if (strings(stored.busy)) return new Set(stored.busy);
  return typeof stored.by === 'string' && typeof stored.passed === 'boolean' ? { by: stored.by, passed: stored.passed } : undefined;
}
/**
 * A room's invitations, or undefined when they do not read. Rows from before an invitation's key
 * named its inviter (the inviteID alone, before 2026-12-05) do not: who invited is not known, and
 * taking such a key for any inviter's would let one inviter's answer settle another's invitation.
 */
function decodeRoom(text: string): Map<string, ReadonlySet<string>> | undefined {
  const stored = parse(text);
  if (!Array.isArray(stored) || !stored.every((e) => Array.isArray(e) && typeof e[0] === 'string' && INVITATION_KEY.test(e[0]) && strings(e[1]))) return undefined;
  return new Map((stored as [string, string[]][]).map(([id, users]) => [id, new Set(users)]));
}
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** How often the rows past the offline store's lifetime go while the server runs (a scan of the table). */
const EXPIRE_EVERY_MS = 3_600_000;

/**
 * The ledger of a server with many devices, read from and written to `db`. A row that does not
 * read is dropped with a warning: it costs the answer it held, not the server's start (the ledger
 * only narrows who may enter a room; refusing to start over one row would stop every call).
 */
export function durableAnswers(
  db: Database.Database,
  commit: TurnCommit,
  options: Pick<ResolvedOptions, 'clock' | 'offlineTtlMs' | 'logger'>,
  /** The rooms remembered: the server's bound on room grants (see {@link AnswerLedger}). */
  maxRooms = AnswerLedger.ROOMS,
  /** True while `roomID`'s grant lives (its call may go on past the lifetime): its row is kept at start. */
  live: (roomID: number) => boolean = () => false,
): AnswerLedger<string> {
  const now = () => options.clock.now();
  db.exec(SCHEMA);
  // A journal from before the answers' messages were kept (2026-12-06) has no column for them.
  if (db.prepare("SELECT 1 FROM pragma_table_info('answer_verdicts') WHERE name = 'said'").get() === undefined) db.exec('ALTER TABLE answer_verdicts ADD COLUMN said TEXT');
  const st = {
    verdict: db.prepare<[string, string, string, number, number]>(
      'INSERT INTO answer_verdicts (user_id, invite_id, verdict, at, seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, invite_id) DO UPDATE SET verdict = excluded.verdict, at = excluded.at, seq = excluded.seq',
    ),
    unverdict: db.prepare<[string, string]>('DELETE FROM answer_verdicts WHERE user_id = ? AND invite_id = ?'),
    // Every row of the user: the expiry leaves those of the lifetime, of calls still going on, and those past it since it last ran (with an answer, at most hourly): answers to no invitation a room files, which decide nothing.
    recall: db.prepare<[string], { invite_id: string; verdict: string }>('SELECT invite_id, verdict FROM answer_verdicts WHERE user_id = ? ORDER BY seq'),
    // A user's keys alone, for the answers a new invitation clears (`cleared`): the primary key's prefix, no row read.
    keys: db.prepare<[string], string>('SELECT invite_id FROM answer_verdicts WHERE user_id = ?').pluck(),
    room: db.prepare<[number, string, number, number]>(
      'INSERT INTO answer_rooms (room_id, invites, at, seq) VALUES (?, ?, ?, ?) ON CONFLICT (room_id) DO UPDATE SET invites = excluded.invites, at = excluded.at, seq = excluded.seq',
    ),
    unroom: db.prepare<[number]>('DELETE FROM answer_rooms WHERE room_id = ?'),
    old: db.prepare<[number], { id: number; invite_id: string }>('SELECT rowid AS id, invite_id FROM answer_verdicts WHERE at < ?'),
    drop: db.prepare<[number]>('DELETE FROM answer_verdicts WHERE rowid = ?'),
  };
  /**
   * The answers older than `before` go, but those to an invitation a room of the ledger files (its call goes on):
   * the ledger's index is asked of each (reading every room's invitations back from their rows took 0.4 s at
   * 100,000 rooms), inside one transaction (the turn's commit, or the start's: a commit each, a start after a
   * long stop took 12.6 s for 200,000 of them, 46 s for 20,000 with `--fsync`).
   */
  const expire = (before: number) => {
    for (const row of st.old.all(before)) if (!ledger.filed(row.invite_id)) st.drop.run(row.id);
  };
  const oldest = now() - options.offlineTtlMs;
  const oldRooms = db.prepare<[number], number>('SELECT room_id FROM answer_rooms WHERE at < ?').pluck();
  db.transaction(() => {
    for (const id of oldRooms.all(oldest)) if (!live(id)) st.unroom.run(id);
  })();
  let seq = (db.prepare<[], { n: number | null }>('SELECT max(n) AS n FROM (SELECT max(seq) AS n FROM answer_verdicts UNION ALL SELECT max(seq) FROM answer_rooms)').get()?.n ?? 0) + 1;

  let expired = now();
  // Verdicts written this turn and not yet committed, by user: a user recalled meanwhile finds them.
  const queued = new Map<string, Map<string, { readonly text: string | null }>>();
  // The answers of each user cleared this turn and not yet committed (the keys of each invitation's earlier ones): a
  // user recalled meanwhile does not find them. Her writes queued later this turn are in `queued`, and win.
  const clearing = new Map<string, ReadonlySet<string>[]>();
  const journal: LedgerJournal<string> = {
    verdict(userID, inviteID, verdict) {
      const write = { text: verdict === undefined ? null : encode(verdict) }; // now: a busy set grows later
      const [at, n] = [now(), seq++];
      // The rows of users who never came back (not recalled past the lifetime anyway) go now and then,
      // not only at start: forget keeps a user's rows, so a server running for months would keep them all.
      if (at - expired >= EXPIRE_EVERY_MS) {
        expired = at;
        commit.write(() => expire(at - options.offlineTtlMs));
      }
      const mine = queued.get(userID) ?? new Map<string, { readonly text: string | null }>();
      mine.delete(inviteID);
      mine.set(inviteID, write);
      queued.set(userID, mine);
      commit.write(() => {
        if (mine.get(inviteID) === write) mine.delete(inviteID);
        if (mine.size === 0 && queued.get(userID) === mine) queued.delete(userID);
        if (write.text === null) st.unverdict.run(userID, inviteID);
        else st.verdict.run(userID, inviteID, write.text, at, n);
      });
    },
    cleared(userID, keys) {
      // What this turn wrote of hers goes as any answer does (at most her writes of the turn); what is committed, at
      // the commit: one look-up of her keys, and a delete for each that is cleared. Not a delete per key whether or
      // not a row has it: most invitees never answered, and an invitation into a room of 97 earlier ones naming 97
      // users cost 9,400 statements, 20 to 30 ms of the server's thread for one frame (2026-12-06).
      for (const [inviteID, write] of [...(queued.get(userID) ?? [])]) if (write.text !== null && keys.has(inviteID)) journal.verdict(userID, inviteID, undefined);
      const mine = clearing.get(userID) ?? [];
      mine.push(keys);
      clearing.set(userID, mine);
      commit.write(() => {
        const at = mine.indexOf(keys);
        if (at >= 0) mine.splice(at, 1);
        if (mine.length === 0 && clearing.get(userID) === mine) clearing.delete(userID);
        for (const inviteID of st.keys.all(userID)) if (keys.has(inviteID)) st.unverdict.run(userID, inviteID);
      });
    },
    room(roomID, invites) {
      const text = invites === undefined ? null : JSON.stringify([...invites].map(([id, users]) => [id, [...users]]));
      const [at, n] = [now(), seq++];
      commit.write(() => (text === null ? st.unroom.run(roomID) : st.room.run(roomID, text, at, n)));
    },
    recall(userID) {
      const found = new Map<string, Verdict<string>>();
      const add = (inviteID: string, text: string | null) => {
        const verdict = text === null ? undefined : decode(text);
        found.delete(inviteID);
        if (verdict) found.set(inviteID, verdict); // rows that do not read went at start; none is written since
      };
      const gone = clearing.get(userID) ?? [];
      for (const row of st.recall.all(userID)) if (!gone.some((keys) => keys.has(row.invite_id))) add(row.invite_id, row.verdict);
      for (const [inviteID, write] of queued.get(userID) ?? []) add(inviteID, write.text);
      return found;
    },
  };
  const ledger = new AnswerLedger<string>(journal, Math.max(AnswerLedger.ROOMS, maxRooms));
  // Rooms are read back now, oldest first; a user's verdicts when the ledger recalls them. Rows
  // that do not read are dropped now, so that one does not cost a recall later.
  let dropped = 0;
  for (const row of db.prepare<[], { room_id: number; invites: string }>('SELECT room_id, invites FROM answer_rooms ORDER BY seq').all()) {
    const invites = decodeRoom(row.invites);
    if (invites) ledger.restore(row.room_id, invites);
    else dropped += st.unroom.run(row.room_id).changes;
  }
  for (const row of db.prepare<[], { user_id: string; invite_id: string; verdict: string }>('SELECT user_id, invite_id, verdict FROM answer_verdicts').all()) {
    if (!decode(row.verdict) || !INVITATION_KEY.test(row.invite_id)) dropped += st.unverdict.run(row.user_id, row.invite_id).changes;
  }
  if (dropped > 0) options.logger.warn('answer rows that do not read were dropped', { rows: dropped });
  db.transaction(() => expire(oldest))();
  return ledger;
}

/** An answer one device of a user sent, as the user's other devices were handed it live. */
export interface SaidAnswer {
  /** The invitation it answers (`invitationKey`). */
  readonly key: string;
  /** The device that sent it. */
  readonly by: string;
  readonly body: Body;
}

/** The messages of the answers that went, kept beside their verdicts (see the header). */
export interface SaidAnswers {
  /** `userID`'s answer to the invitation `key` went in `body`: kept with its verdict, in the turn's commit. */
  keep(userID: string, key: string, body: Body): void;
  /** The answers of `userID`'s devices the journal holds (as committed), oldest first. */
  of(userID: string): SaidAnswer[];
}

/**
 * An answer's message larger than this as stored (JSON) is not kept (an answer's payload takes a few hundred bytes): a user's
 * rows stay small, at most {@link AnswerLedger.PER_USER} of them and those of calls going on.
 */
export const SAID_MAX_BYTES = 8 * 1024;

/**
 * The messages of answers, in the rows of the journal {@link durableAnswers} made on `db` (a message goes with its
 * verdict: cleared by a newer invitation, trimmed, expired). A row that does not read is passed over. Only an answer
 * to an invitation a room of the ledger files (`filed`) is kept: no other is ever handed (`Mailer.recallAnswers`), and
 * kept, any user's answers to invitations nobody made stored 32 messages of 8 KiB each for a week (review of 82c211e).
 */
export function saidAnswers(db: Database.Database, commit: TurnCommit, filed: (key: string) => boolean): SaidAnswers {
  const keep = db.prepare<[string, string, string]>('UPDATE answer_verdicts SET said = ? WHERE user_id = ? AND invite_id = ?');
  const of = db.prepare<[string], { invite_id: string; verdict: string; said: string }>('SELECT invite_id, verdict, said FROM answer_verdicts WHERE user_id = ? AND said IS NOT NULL ORDER BY seq');
  return {
    keep(userID, key, body) {
      if (!filed(key)) return;
      // The bound holds as stored: 8 KiB of control characters escape to 48 KiB (the payload alone was measured).
      const text = JSON.stringify(body);
      if (Buffer.byteLength(text) > SAID_MAX_BYTES) return;
      // After the verdict's own write, queued in this turn by the ledger as the answer passed.
      commit.write(() => keep.run(text, userID, key));
    },
    of(userID) {
      return of.all(userID).flatMap((row) => {
        const verdict = decode(row.verdict);
        const body = decodeBody(row.said);
        return verdict !== undefined && !(verdict instanceof Set) && body !== undefined ? [{ key: row.invite_id, by: verdict.by, body }] : [];
      });
    },
  };
}

/** A kept answer's message, or undefined when it does not read. */
function decodeBody(text: string): Body | undefined {
  const b = parse(text) as Partial<Record<keyof Body, unknown>> | null;
  if (typeof b !== 'object' || b === null) return undefined;
  const call = b.call as { inviteID?: unknown; roomID?: unknown } | null | undefined;
  const callReads = call === null || (typeof call === 'object' && typeof call.inviteID === 'string' && typeof call.roomID === 'number');
  const fields = typeof b.id === 'number' && typeof b.msgID === 'string' && typeof b.from === 'string' && typeof b.payload === 'string';
  const times = typeof b.sentAt === 'number' && typeof b.expiresAt === 'number' && (b.groupID === null || typeof b.groupID === 'string');
  return fields && times && callReads ? (b as Body) : undefined;
}

/** A session's name in the answer ledger: its device (the empty name for a login that named none). */
export const deviceOf = (session: Session): string => session.device ?? '';
