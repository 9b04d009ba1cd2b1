/**
 * Many devices: the answer ledger (`adapters/ws/answerLedger.ts`: which device of a user answered
 * which invitation, and each room's invitations) kept in SQLite beside the messages, so that a
 * restart forgets no answer: a device's decline keeps the user's other devices out of the room
 * after it too (before, the ledger lived in memory only, and after a restart a second device could
 * enter the room its user had declined). Each change is written in the turn's commit; the whole
 * ledger is read back at start, oldest first. Rows older than the offline store's lifetime are
 * dropped then (no invitation they answer can still ring).
 */
import type Database from 'better-sqlite3';
import { AnswerLedger, type LedgerJournal, type Verdict } from '../adapters/ws/answerLedger';
import type { TurnCommit } from './commit';
import type { Session } from './conn';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS answer_verdicts (user_id TEXT NOT NULL, invite_id TEXT NOT NULL, verdict TEXT NOT NULL, at INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (user_id, invite_id));
CREATE TABLE IF NOT EXISTS answer_rooms (room_id INTEGER PRIMARY KEY, invites TEXT NOT NULL, at INTEGER NOT NULL, seq INTEGER NOT NULL);
`;

type Stored = { busy: string[] } | { by: string; passed: boolean };
const encode = (verdict: Verdict<string>): string => JSON.stringify(verdict instanceof Set ? { busy: [...verdict] } : { by: verdict.by, passed: verdict.passed });
const decode = (text: string): Verdict<string> => {
  const stored = JSON.parse(text) as Stored;
  return 'busy' in stored ? new Set(stored.busy) : { by: stored.by, passed: stored.passed };
};

/** The ledger of a server with many devices, read from and written to `db`. */
export function durableAnswers(db: Database.Database, commit: TurnCommit, now: () => number, keepMs: number): AnswerLedger<string> {
  db.exec(SCHEMA);
  const st = {
    verdict: db.prepare<[string, string, string, number, number]>(
      'INSERT INTO answer_verdicts (user_id, invite_id, verdict, at, seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, invite_id) DO UPDATE SET verdict = excluded.verdict, at = excluded.at, seq = excluded.seq',
    ),
    unverdict: db.prepare<[string, string]>('DELETE FROM answer_verdicts WHERE user_id = ? AND invite_id = ?'),
    forget: db.prepare<[string]>('DELETE FROM answer_verdicts WHERE user_id = ?'),
    room: db.prepare<[number, string, number, number]>(
      'INSERT INTO answer_rooms (room_id, invites, at, seq) VALUES (?, ?, ?, ?) ON CONFLICT (room_id) DO UPDATE SET invites = excluded.invites, at = excluded.at, seq = excluded.seq',
    ),
    unroom: db.prepare<[number]>('DELETE FROM answer_rooms WHERE room_id = ?'),
  };
  const oldest = now() - keepMs;
  db.prepare('DELETE FROM answer_verdicts WHERE at < ?').run(oldest);
  db.prepare('DELETE FROM answer_rooms WHERE at < ?').run(oldest);
  let seq = (db.prepare<[], { n: number | null }>('SELECT max(n) AS n FROM (SELECT max(seq) AS n FROM answer_verdicts UNION ALL SELECT max(seq) FROM answer_rooms)').get()?.n ?? 0) + 1;

  const journal: LedgerJournal<string> = {
    verdict(userID, inviteID, verdict) {
      const text = verdict === undefined ? null : encode(verdict); // now: a busy set grows later
      const [at, n] = [now(), seq++];
      commit.write(() => (text === null ? st.unverdict.run(userID, inviteID) : st.verdict.run(userID, inviteID, text, at, n)));
    },
    room(roomID, invites) {
      const text = invites === undefined ? null : JSON.stringify([...invites].map(([id, users]) => [id, [...users]]));
      const [at, n] = [now(), seq++];
      commit.write(() => (text === null ? st.unroom.run(roomID) : st.room.run(roomID, text, at, n)));
    },
    forget: (userID) => commit.write(() => st.forget.run(userID)),
  };
  const ledger = new AnswerLedger<string>(journal);
  const rows = db
    .prepare<[], { user_id: string | null; invite_id: string | null; room_id: number | null; body: string }>(
      `SELECT user_id, invite_id, NULL AS room_id, verdict AS body, seq FROM answer_verdicts
       UNION ALL SELECT NULL, NULL, room_id, invites, seq FROM answer_rooms ORDER BY seq`,
    )
    .all();
  for (const row of rows) {
    if (row.room_id !== null) {
      const invites = JSON.parse(row.body) as [string, string[]][];
      ledger.restore({ roomID: row.room_id, invites: new Map(invites.map(([id, users]) => [id, new Set(users)])) });
    } else if (row.user_id !== null && row.invite_id !== null) ledger.restore({ userID: row.user_id, inviteID: row.invite_id, verdict: decode(row.body) });
  }
  return ledger;
}

/** A session's name in the answer ledger: its device (the empty name for a login that named none). */
export const deviceOf = (session: Session): string => session.device ?? '';
