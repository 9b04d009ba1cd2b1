/**
 * Before a login is handled on a node, the node that holds the user (another live node, as the
 * directory names it) is asked for the user's buckets as they are now: a node writes them to Redis
 * only once one is down to half, so without asking, a user who spent less than half on one node got
 * a fresh burst on the next. One pub/sub round trip (`budgets?`, answered `budgets` on the asking
 * node's channel), only for a login that moves the user; unanswered within `askMs` (the server's
 * `budgetAskMs`, 250 ms by default: the holder gone, Redis away), what Redis holds is all there is.
 */
import type { ClusterBudgets, StoredBudgets } from './budgets';

export class BudgetAsks {
  private next = 0;
  private readonly pending = new Map<number, (stored: StoredBudgets | null) => void>();

  constructor(
    private readonly node: string,
    private readonly budgets: ClusterBudgets,
    private readonly now: () => number,
    private readonly publish: (node: string, frame: object) => void,
    private readonly askMs: number,
  ) {}

  /** Asks `holder` for `user`'s buckets; null when it has none, or did not answer in time. */
  ask(holder: string, user: string): Promise<StoredBudgets | null> {
    const id = ++this.next;
    return new Promise((resolve) => {
      // Real time, not the injected clock: a pub/sub round trip runs on the network's.
      const timer = setTimeout(() => answered(null), this.askMs);
      timer.unref();
      const answered = (stored: StoredBudgets | null) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(stored);
      };
      this.pending.set(id, answered);
      this.publish(holder, { t: 'budgets?', user, node: this.node, id });
    });
  }

  /** A `budgets?` or `budgets` frame from another node (anything malformed is ignored). */
  receive(msg: Record<string, unknown>): void {
    if (typeof msg.id !== 'number') return;
    if (msg.t === 'budgets?') {
      if (typeof msg.user === 'string' && typeof msg.node === 'string') this.publish(msg.node, { t: 'budgets', id: msg.id, b: this.budgets.peek(msg.user, this.now()) });
      return;
    }
    this.pending.get(msg.id)?.(isStored(msg.b) ? msg.b : null);
  }
}

function isStored(x: unknown): x is StoredBudgets {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string');
}
