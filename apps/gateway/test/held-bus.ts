import type { BusMessage } from '../src/bus/bus-message.js';
import type { Bus } from '../src/bus/bus.js';
import { MemoryBus } from '../src/bus/memory-bus.js';

/** A memory bus whose publishes are stored only when the test releases them. */
export class HeldBus implements Bus {
  private readonly inner: MemoryBus;
  private held: (() => void)[] = [];
  holding = true;
  constructor(historySize: number) {
    this.inner = new MemoryBus(historySize);
  }
  publish(topic: string, payload: unknown): Promise<BusMessage> {
    if (!this.holding) return this.inner.publish(topic, payload);
    return new Promise((resolve, reject) =>
      this.held.push(() => this.inner.publish(topic, payload).then(resolve, reject)),
    );
  }
  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }
  get heldCount(): number {
    return this.held.length;
  }
  onMessage = (l: (m: BusMessage) => void) => this.inner.onMessage(l);
  onLoss = () => this.inner.onLoss();
  watch = () => this.inner.watch();
  unwatch = () => this.inner.unwatch();
  recover: Bus['recover'] = (p, r) => this.inner.recover(p, r);
  status = () => this.inner.status();
  close = () => this.inner.close();
}
