/** A topic's position: the pair `(epoch, seq)` of protocol §8. */
export interface Position {
  readonly epoch: string;
  readonly seq: number;
}

/** One publish as the model made it: its payload's unique value tells it apart on delivery. */
export interface PublishRecord {
  readonly value: number;
  readonly topic: string;
  /** `ack` with its seq, `error` with its code, or no reply yet. */
  outcome: { ack: number } | { error: string } | undefined;
}

/**
 * What happened on the bus, as far as the model can know: every publish it made, and per topic
 * and epoch the highest seq anyone saw (an ack read back with its epoch, a read of the bus
 * itself, or a delivery to any client). Seqs are gapless within an epoch, so that highest seq
 * says which messages exist.
 */
export class Truth {
  readonly publishes = new Map<number, PublishRecord>();
  private readonly highest = new Map<string, Map<string, number>>();
  private nextValue = 1;

  publish(topic: string): PublishRecord {
    const record: PublishRecord = { value: this.nextValue++, topic, outcome: undefined };
    this.publishes.set(record.value, record);
    return record;
  }

  saw(topic: string, p: Position): void {
    let epochs = this.highest.get(topic);
    if (!epochs) this.highest.set(topic, (epochs = new Map()));
    if ((epochs.get(p.epoch) ?? 0) < p.seq) epochs.set(p.epoch, p.seq);
  }

  /** The highest seq of `epoch` that existed on `topic`. */
  max(topic: string, epoch: string): number {
    return this.highest.get(topic)?.get(epoch) ?? 0;
  }

  epochs(topic: string): ReadonlyMap<string, number> {
    return this.highest.get(topic) ?? new Map();
  }
}
