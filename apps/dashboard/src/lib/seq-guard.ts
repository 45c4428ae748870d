/**
 * The last (epoch, seq) the console applied per topic. The client drops duplicates within one
 * subscription's life; a view that unsubscribes and later subscribes again with `history`
 * gets messages it already applied, and this lets only the newer ones through, so a
 * re-subscription fills the gap it left and nothing is counted twice. A new epoch (the
 * topic's history restarted) starts the numbering over.
 */
export class SeqGuard {
  readonly #last = new Map<string, { epoch: string; seq: number }>();

  /** True when the message is newer than what was applied for its topic (and records it). */
  accept(topic: string, epoch: string, seq: number): boolean {
    const last = this.#last.get(topic);
    if (!last) {
      this.#last.set(topic, { epoch, seq });
      return true;
    }
    if (last.epoch === epoch && seq <= last.seq) return false;
    last.epoch = epoch;
    last.seq = seq;
    return true;
  }

  /** Topics tracked (one entry per topic ever applied: bounded by the topics that exist). */
  get size(): number {
    return this.#last.size;
  }
}
