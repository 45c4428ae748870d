import fc from 'fast-check';

/** The topics of the model: two price symbols, two temperature sensors, one humidity sensor. */
export const TOPICS = [
  'price.A',
  'price.B',
  'device.d1.temp',
  'device.d2.temp',
  'device.d1.hum',
] as const;
export type Topic = (typeof TOPICS)[number];

/**
 * What a client may subscribe to, in groups whose members overlap. A client holds at most one
 * per group, so each topic reaches it through one subscription: a duplicate is then a bug, not
 * the documented second copy of an overlapping subscription (protocol §9.6).
 */
export const GROUPS = [
  ['price.*', 'price.A'],
  ['device.*.temp', 'device.d2.temp'],
  ['device.d1.hum'],
];
export const SUBSCRIPTIONS = GROUPS.flat();

export const CLIENTS = 3;

/**
 * Most publishes sent into a hung Redis per stall. Off by default: each one is a known
 * counterexample today (answered UNAVAILABLE, stored anyway when Redis resumes), pinned by
 * unavailable-stored.e2e.test.ts; PULSE_PROPERTY_STALL_PUBLISHES=5 puts them back in.
 */
const STALL_PUBLISHES = Number(process.env.PULSE_PROPERTY_STALL_PUBLISHES ?? 0);

/** One step of the world. Ops run one after another; each leaves the world settled. */
export type Op =
  | { op: 'publish'; topic: Topic; count: number }
  | { op: 'subscribe'; client: number; sub: string; history: number }
  /** Stop reading client's socket, publish `burst` messages in chunks, wait `holdMs`, read again. */
  | { op: 'slowRead'; client: number; burst: number; chunk: number; holdMs: number }
  /** Drop the connection (`abrupt`: no close handshake) and resume on a new one. */
  | { op: 'reconnect'; client: number; abrupt: boolean }
  /** WebSocket → SSE with Last-Event-ID, or SSE → WebSocket with since/positions. */
  | { op: 'switchTransport'; client: number }
  /**
   * Redis SIGSTOP for `ms`, with `publishes` sent meanwhile and client `reconnect` (-1: none)
   * reconnecting meanwhile, its subscribes refused until Redis is back (Redis bus only).
   */
  | { op: 'redisStall'; ms: number; publishes: number; reconnect: number }
  /** Redis SIGKILL, restarted empty: every topic starts a new epoch (Redis bus only). */
  | { op: 'redisRestart'; publishes: number }
  /** The gateway closes (drains, or `crash`es) and a new one starts on the same bus. */
  | { op: 'gatewayRestart'; crash: boolean };

const client = fc.integer({ min: 0, max: CLIENTS - 1 });
const topic = fc.constantFrom(...TOPICS);
const subscribe = (c: fc.Arbitrary<number>) =>
  fc.record({
    op: fc.constant('subscribe' as const),
    client: c,
    sub: fc.constantFrom(...SUBSCRIPTIONS),
    history: fc.constantFrom(0, 1, 3, 40, 1000),
  });

export function opsArbitrary(bus: 'memory' | 'redis', maxLength: number): fc.Arbitrary<Op[]> {
  const common: fc.WeightedArbitrary<Op>[] = [
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('publish' as const),
        topic,
        count: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 20, max: 150 })),
      }),
    },
    { weight: 3, arbitrary: subscribe(client) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('slowRead' as const),
        client,
        burst: fc.constantFrom(300, 2500, 4000),
        chunk: fc.constantFrom(100, 1000),
        holdMs: fc.constantFrom(0, 0, 200, 1200),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('reconnect' as const), client, abrupt: fc.boolean() }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('switchTransport' as const), client }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('gatewayRestart' as const), crash: fc.boolean() }),
    },
  ];
  const redis: fc.WeightedArbitrary<Op>[] = [
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('redisStall' as const),
        ms: fc.constantFrom(1000, 2000, 3000),
        publishes: fc.integer({ min: 0, max: STALL_PUBLISHES }),
        reconnect: fc.integer({ min: -1, max: CLIENTS - 1 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('redisRestart' as const),
        publishes: fc.integer({ min: 0, max: 3 }),
      }),
    },
  ];
  // Every client starts with a subscription or two, so what follows has someone to reach.
  const start = fc.tuple(
    ...Array.from({ length: CLIENTS }, (_, c) =>
      fc.array(subscribe(fc.constant(c)), { minLength: 1, maxLength: 2 }),
    ),
  );
  const rest = fc.array(fc.oneof(...common, ...(bus === 'redis' ? redis : [])), {
    minLength: 4,
    maxLength,
  });
  return fc.tuple(start, rest).map(([first, then]) => [...first.flat(), ...then]);
}
