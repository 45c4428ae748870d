/** The public connection status. */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** Emitted on every status change, and on every new reconnect attempt. */
export interface StatusEvent {
  readonly status: ConnectionStatus;
  readonly previous: ConnectionStatus;
  /** Reconnect attempts since the last successful connection (0 while connected). */
  readonly attempt: number;
  /** Only with `reconnecting`: the delay before this attempt starts. */
  readonly nextRetryInMs?: number;
  /** The close code of the socket that went away, when there was one. */
  readonly closeCode?: number;
  readonly closeReason?: string;
}

/** What happened to the connection; `transition` turns it into the next status. */
export type ConnectionInput =
  /** `connect()` (or a lazy first subscribe/publish). */
  | { readonly type: 'connect' }
  /** The server's `welcome` arrived: the connection is usable. */
  | { readonly type: 'welcome' }
  /** The socket went away (or never came up) and a retry is scheduled. */
  | {
      readonly type: 'lost';
      readonly attempt: number;
      readonly nextRetryInMs: number;
      readonly closeCode?: number;
      readonly closeReason?: string;
    }
  /** `close()`, or a close code that says not to reconnect. */
  | { readonly type: 'stop'; readonly closeCode?: number; readonly closeReason?: string };

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** The initial state: nothing attempted yet. */
export const initialStatus: StatusEvent = {
  status: 'disconnected',
  previous: 'disconnected',
  attempt: 0,
};

/**
 * The status machine: returns the next event, or undefined when nothing a user could see
 * changed (a second `connect()` while connected).
 */
export function transition(current: StatusEvent, input: ConnectionInput): StatusEvent | undefined {
  const previous = current.status;
  switch (input.type) {
    case 'connect':
      switch (previous) {
        case 'disconnected':
          return { status: 'connecting', previous, attempt: 0 };
        case 'connecting':
        case 'connected':
        case 'reconnecting':
          return undefined;
        default:
          return assertNever(previous);
      }
    case 'welcome':
      return previous === 'connected' ? undefined : { status: 'connected', previous, attempt: 0 };
    case 'lost':
      return {
        status: 'reconnecting',
        previous,
        attempt: input.attempt,
        nextRetryInMs: input.nextRetryInMs,
        ...closeFields(input),
      };
    case 'stop':
      if (previous === 'disconnected') return undefined;
      return { status: 'disconnected', previous, attempt: 0, ...closeFields(input) };
    default:
      return assertNever(input);
  }
}

function closeFields(input: { closeCode?: number; closeReason?: string }): Partial<StatusEvent> {
  return {
    ...(input.closeCode !== undefined && { closeCode: input.closeCode }),
    ...(input.closeReason !== undefined &&
      input.closeReason !== '' && { closeReason: input.closeReason }),
  };
}
