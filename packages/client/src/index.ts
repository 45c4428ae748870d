export { PulseClient } from './client.js';
export type { PublishOptions } from './client.js';
export type {
  AuthenticatedEvent,
  ClientStats,
  LatencyEvent,
  PulseClientEvents,
  ResumedEvent,
} from './events.js';
export type { PulseClientOptions, TokenSource } from './options.js';
export { fullJitterBackoff } from './backoff.js';
export { keyMaker } from './publish-retry.js';
export type { Backoff, FullJitterOptions } from './backoff.js';
export type { Clock } from './clock.js';
export { PulseError } from './errors.js';
export type { PulseErrorCode } from './errors.js';
export type { ConnectionStatus, StatusEvent } from './status.js';
export type { MessageHandler, SubscribeOptions } from './subscriptions.js';
export { ReadyState } from './socket.js';
export { SseSocket } from './sse-socket.js';
export type { FetchLike } from './sse-socket.js';
export type { TransportName } from './transport.js';
export type {
  SocketCloseEvent,
  SocketConstructor,
  SocketLike,
  SocketMessageEvent,
} from './socket.js';
