/** One server-sent event. */
export interface SseEvent {
  /** The `id:` field of this event, if it had one. */
  readonly id: string | undefined;
  /** `message` unless the event was named (`event: close`). */
  readonly event: string;
  readonly data: string;
}

/**
 * Incremental `text/event-stream` parser (the WHATWG algorithm, minus `retry`): feed it text
 * chunks as they arrive; it calls back per event and per comment line. Lines end in LF, CRLF
 * or CR; a chunk may end anywhere, even between CR and LF.
 */
export class SseParser {
  #buffer = '';
  #id: string | undefined;
  #event = '';
  #data: string[] = [];
  #skipLf = false;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onComment: (text: string) => void = () => {},
  ) {}

  push(chunk: string): void {
    let text = this.#buffer + chunk;
    if (this.#skipLf && text.startsWith('\n')) text = text.slice(1);
    this.#skipLf = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(text.slice(start, i));
      if (c === 13) {
        if (i + 1 === text.length) this.#skipLf = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.#buffer = text.slice(start);
  }

  #line(line: string): void {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return this.onComment(line.slice(1).trimStart());
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        return;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        return;
      case 'event':
        this.#event = value;
        return;
      default:
        return; // `retry` and unknown fields: the client has its own backoff
    }
  }

  #dispatch(): void {
    const id = this.#id;
    const event = this.#event || 'message';
    this.#id = undefined;
    this.#event = '';
    if (this.#data.length === 0) return;
    const data = this.#data.join('\n');
    this.#data = [];
    this.onEvent({ id, event, data });
  }
}
