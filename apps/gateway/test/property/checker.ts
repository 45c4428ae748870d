import { describe as line, type Baseline, type ClientEvent } from './events.js';
import type { Position, Truth } from './truth.js';

/** A broken promise, with what the client saw of the topic. */
export interface Violation {
  readonly client: number;
  readonly topic: string;
  readonly what: string;
}

interface TopicState {
  /** The client's position: last received, or where its subscription started. */
  last: Position | undefined;
  /** A signal received since `last` that excuses a gap. */
  cover: 'CONFLATED' | 'recovered:false' | 'EPOCH_CHANGED' | 'LOST' | undefined;
  /** After `recovered: false`: the one message that must come first (the latest value). */
  latest: Position | undefined;
  /** The replay of the current subscription ends here; CONFLATED cannot excuse gaps in it. */
  replayTo: Position | undefined;
  /** Its subscription's `subscribed` has arrived on the current connection. */
  live: boolean;
  sub: string;
}

/**
 * The invariant, per client and topic, over everything the client received across reconnects
 * and transports: within an epoch seqs strictly increase (no duplicate, no reordering), and
 * every seq that existed but did not arrive is covered by an explicit signal received in
 * between — `notice CONFLATED` (live updates only, never a replay), `subscribed` with
 * `recovered: false` for a resume spanning it (then the latest value comes first), or `notice
 * EPOCH_CHANGED` (or a resume saying `recovered: false`) for the tail of an old epoch, or
 * `notice LOST` for messages the bus lost before this gateway got them. A replay
 * asked with `history: h` is the last min(h, held) messages ending at the topic's seq at
 * subscribe time; `recovered` is true exactly when every listed topic's missed messages are
 * still held. At the end the client holds the latest message of every topic it watches.
 */
export function check(
  client: number,
  events: readonly ClientEvent[],
  truth: Truth,
  historySize: number,
  finals: ReadonlyMap<string, Position>,
): Violation[] {
  const out: Violation[] = [];
  const states = new Map<string, TopicState>();
  const notes = new Map<string, Extract<ClientEvent, { k: 'subscribe' }>>();
  const fail = (topic: string, what: string) => out.push({ client, topic, what });
  const recoverable = (b: Baseline) =>
    b.resumeFrom !== undefined &&
    b.bus !== undefined &&
    b.bus.epoch === b.resumeFrom.epoch &&
    b.resumeFrom.seq <= b.bus.seq &&
    b.bus.seq - b.resumeFrom.seq <= historySize;

  for (const e of events) {
    switch (e.k) {
      case 'open':
        break;
      case 'subscribe':
        notes.set(e.sub, e);
        for (const b of e.topics) {
          const from =
            b.resumeFrom ??
            (b.bus && b.bus.seq > 0
              ? { epoch: b.bus.epoch, seq: b.bus.seq - b.replay }
              : undefined);
          states.set(b.topic, {
            last: from,
            cover: undefined,
            latest: undefined,
            replayTo: b.bus,
            live: false,
            sub: e.sub,
          });
        }
        break;
      case 'subscribed': {
        const note = notes.get(e.sub);
        if (!note) {
          fail(e.sub, `subscribed for ${e.sub} that was not asked for`);
          break;
        }
        const resumed = note.topics.filter((b) => b.resumeFrom);
        if (resumed.length > 0) {
          const expected = resumed.every(recoverable);
          if (e.recovered !== expected)
            fail(
              resumed[0]!.topic,
              `subscribed ${e.sub} said recovered=${e.recovered}, but the model says ${expected}`,
            );
        }
        for (const b of note.topics) {
          const st = states.get(b.topic)!;
          st.live = true;
          if (e.recovered === false && b.resumeFrom && !recoverable(b)) {
            st.cover = 'recovered:false';
            st.latest = b.bus && b.bus.seq > 0 ? b.bus : undefined;
          }
        }
        break;
      }
      case 'refused': {
        for (const b of notes.get(e.sub)?.topics ?? []) states.delete(b.topic);
        break;
      }
      case 'conflated':
        for (const st of states.values()) if (st.live) st.cover ??= 'CONFLATED';
        break;
      case 'epochChanged': {
        const st = states.get(e.topic);
        if (!st?.live) fail(e.topic, 'EPOCH_CHANGED for a topic not subscribed');
        else {
          if (st.last?.epoch !== e.epoch || st.last.seq !== e.seq)
            fail(
              e.topic,
              `EPOCH_CHANGED says the last sent of the old epoch was ${e.epoch}#${e.seq}, the client last got ${pos(st.last)}`,
            );
          st.cover ??= 'EPOCH_CHANGED';
        }
        break;
      }
      case 'lost': {
        // The bus lost messages after `seq` that no history holds: told before the next one.
        const st = states.get(e.topic);
        if (!st?.live) fail(e.topic, 'LOST for a topic not subscribed');
        else st.cover ??= 'LOST';
        break;
      }
      case 'close':
        for (const st of states.values()) st.live = false;
        break;
      case 'msg': {
        const st = states.get(e.topic);
        if (!st?.live) {
          fail(
            e.topic,
            `${e.epoch}#${e.seq} arrived without a live subscription (before subscribed?)`,
          );
          break;
        }
        const at = { epoch: e.epoch, seq: e.seq };
        if (st.latest) {
          if (st.latest.epoch !== e.epoch || st.latest.seq !== e.seq)
            fail(
              e.topic,
              `after recovered=false the latest ${pos(st.latest)} must come first, got ${pos(at)}`,
            );
        } else if (!st.last) {
          if (e.seq !== 1 && !st.cover)
            fail(
              e.topic,
              `first message ${pos(at)} of a topic that held nothing at subscribe time: seqs 1..${e.seq - 1} missing without a signal`,
            );
        } else if (st.last.epoch === e.epoch) {
          if (e.seq <= st.last.seq)
            fail(e.topic, `${pos(at)} after ${pos(st.last)}: duplicate or out of order`);
          else if (e.seq > st.last.seq + 1 && !excused(st))
            fail(
              e.topic,
              `seqs ${st.last.seq + 1}..${e.seq - 1} of ${e.epoch} missing without a signal${st.cover ? ` (only ${st.cover}, which cannot excuse a replay)` : ''}`,
            );
        } else {
          const tail = truth.max(e.topic, st.last.epoch);
          if (!st.cover && (tail > st.last.seq || e.seq !== 1))
            fail(
              e.topic,
              `epoch changed ${pos(st.last)} → ${pos(at)} without a signal` +
                (tail > st.last.seq
                  ? `: old epoch held up to #${tail}`
                  : `: new epoch starts at #${e.seq}`),
            );
        }
        st.last = at;
        st.cover = undefined;
        st.latest = undefined;
        break;
      }
    }
  }
  for (const [topic, st] of states) {
    const final = finals.get(topic);
    if (!st.live || !final) continue;
    if (st.last?.epoch !== final.epoch || st.last.seq !== final.seq)
      fail(topic, `never caught up: last got ${pos(st.last)}, the topic ends at ${pos(final)}`);
  }
  return out;
}

/** CONFLATED excuses skipped live updates only, never messages a replay had to deliver. */
function excused(st: TopicState): boolean {
  if (!st.cover) return false;
  if (st.cover !== 'CONFLATED') return true;
  const r = st.replayTo;
  return !(r && st.last && r.epoch === st.last.epoch && st.last.seq + 1 <= r.seq);
}

function pos(p: Position | undefined): string {
  return p ? `${p.epoch}#${p.seq}` : '(nothing)';
}

/**
 * A readable report of one violation: what existed of the topic per epoch, what the client
 * received (as runs), and the client's log of this topic with every signal and connection event.
 */
export function report(v: Violation, events: readonly ClientEvent[], truth: Truth): string {
  const existed = [...truth.epochs(v.topic)].map(([e, max]) => `${e}: 1..${max}`).join(', ');
  const received = runs(
    events.filter(
      (e): e is Extract<ClientEvent, { k: 'msg' }> => e.k === 'msg' && e.topic === v.topic,
    ),
  );
  const log: string[] = [];
  let run: Extract<ClientEvent, { k: 'msg' }>[] = [];
  const flush = () => {
    if (run.length > 0) log.push(`  ${run[0]!.topic} ${runs(run)}`);
    run = [];
  };
  for (const e of events) {
    if (e.k === 'msg') {
      if (e.topic === v.topic) run.push(e);
      continue;
    }
    if (e.k === 'subscribe' && !e.topics.some((b) => b.topic === v.topic)) continue;
    if (e.k === 'epochChanged' && e.topic !== v.topic) continue;
    flush();
    log.push(`  ${line(e)}`);
  }
  flush();
  return [
    `client ${v.client}, ${v.topic}: ${v.what}`,
    `  existed:  ${existed || '(nothing)'}`,
    `  received: ${received || '(nothing)'}`,
    `  log:`,
    ...log.map((l) => `  ${l}`),
  ].join('\n');
}

/** `e1#1-4,6,9-12 | e2#1-3` */
function runs(msgs: readonly { epoch: string; seq: number }[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < msgs.length) {
    const epoch = msgs[i]!.epoch;
    const seqs: string[] = [];
    while (i < msgs.length && msgs[i]!.epoch === epoch) {
      const start = msgs[i]!.seq;
      let end = start;
      while (i + 1 < msgs.length && msgs[i + 1]!.epoch === epoch && msgs[i + 1]!.seq === end + 1) {
        i += 1;
        end += 1;
      }
      seqs.push(start === end ? `${start}` : `${start}-${end}`);
      i += 1;
    }
    parts.push(`${epoch}#${seqs.join(',')}`);
  }
  return parts.join(' | ');
}

/**
 * What was published against what arrived, over every client: a publish answered with an error
 * was not stored (protocol §10), so it is never delivered; an acked one arrives with the seq its
 * ack named; and one (topic, epoch, seq) is one message for everybody.
 */
export function checkPublishes(logs: readonly (readonly ClientEvent[])[], truth: Truth): string[] {
  const out = new Set<string>();
  const byPosition = new Map<string, number>();
  for (const [client, events] of logs.entries()) {
    for (const e of events) {
      if (e.k !== 'msg') continue;
      const record = truth.publishes.get(e.value);
      const at = `${e.topic} ${e.epoch}#${e.seq}`;
      if (!record || record.topic !== e.topic)
        out.add(
          `client ${client}: ${at} carries value ${e.value}, which was never published to ${e.topic}`,
        );
      else if (record.outcome && 'error' in record.outcome)
        out.add(
          `publish of value ${e.value} to ${e.topic} was answered ${record.outcome.error} (nothing stored), yet client ${client} received it as ${at}`,
        );
      else if (record.outcome && record.outcome.ack !== e.seq)
        out.add(
          `publish of value ${e.value} was acked as seq ${record.outcome.ack}, client ${client} received it as ${at}`,
        );
      const seen = byPosition.get(at);
      if (seen !== undefined && seen !== e.value)
        out.add(`${at} carried value ${seen} to one client and ${e.value} to client ${client}`);
      byPosition.set(at, e.value);
    }
  }
  return [...out];
}
