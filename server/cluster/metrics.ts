/** The numbers of one cluster node for the server's `/metrics` (`ClusterNode.metrics`). */
export interface ClusterMetrics {
  readonly node: string;
  /** 1 when Redis answers. */
  readonly redisUp: number;
  readonly clusterRooms: number;
  /**
   * Per-user entries this node keeps (session epochs, stream positions): they go with
   * the user's session here, so they follow the users here now, not every user ever seen.
   */
  readonly userEntries: number;
  /** What senders with a session here hold in the streams, as this node learned it (entries: they go with those sessions). */
  readonly heldEntries: number;
  /** Users whose stream refused copies of this node (its quotas): those copies wait here and are offered again. */
  readonly strandedUsers: number;
  /**
   * Commands sent to Redis and not answered yet, on both of the node's connections: a stalled Redis shows here, and
   * a test waits for 0 (with {@link ClusterMetrics.rejoining}) before it calls the cluster quiet.
   */
  readonly redisWaiting: number;
  /** 1 while the node is behind Redis after losing it: its subscription or its catch-up (`rejoin.ts`) not done yet. */
  readonly rejoining: number;
  /** Users whose copies are moving between this node's store and their streams now. */
  readonly moving: number;
  /** Copies moved to a stream (for a user elsewhere or offline), and moved in from one. */
  readonly forwarded: number;
  readonly drained: number;
  /** Stream entries this node parked (asked Redis to): refused for their senders' sake, out of their recipient's count. */
  readonly parked: number;
  /** Recounts of this node's store after copies moved (each reads every count from SQLite: its cost grows with the copies stored). */
  readonly recounts: number;
  /** ... of them, those that found its counts off what it stores (copies or bytes in all): a drift the moves' counting missed (none known). */
  readonly recountsOff: number;
  /** Frames published to other nodes, and received from them. */
  readonly published: number;
  readonly received: number;
  /** Sessions kicked or handed over because their user logged in on another node. */
  readonly takeovers: number;
  /** Logins refused because Redis was unreachable. */
  readonly refusedLogins: number;
  /** Catch-ups done after losing Redis (`rejoin.ts`): what was missed read again, what was not said said again. */
  readonly catchUps: number;
  /** Refusals decided again once this node had heard every change Redis had (an enter before its room's grant, say). */
  readonly rechecks: number;
  /** Replicated changes Redis refused for good (a script error): made on this node, never on the others. */
  readonly sharesDropped: number;
}
