/** A small seeded PRNG (mulberry32), so a failing fuzz run can be replayed with its seed. */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }

  text(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) {
      const r = this.next();
      // Mostly JSON-ish punctuation and ASCII, some BMP characters and lone surrogates.
      s +=
        r < 0.3
          ? this.pick(['{', '}', '[', ']', '"', ':', ',', '\\', 'null', 'true', '-', 'e', '.'])
          : r < 0.9
            ? String.fromCharCode(this.int(0x20, 0x7e))
            : String.fromCharCode(this.int(0x80, 0xffff));
    }
    return s;
  }
}
