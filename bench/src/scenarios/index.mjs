// The scenarios, in the order the issues list them (flow control, Redis scaling, replay, memory, MQTT).
import broadcast from './broadcast.mjs';
import dashboard from './dashboard.mjs';
import devices from './devices.mjs';
import firehose from './firehose.mjs';
import historyIngest from './history-ingest.mjs';
import idle from './idle.mjs';
import ingest from './ingest.mjs';
import memory from './memory.mjs';
import mqtt from './mqtt.mjs';
import redisFanout from './redis-fanout.mjs';
import redisIngest from './redis-ingest.mjs';
import replay from './replay.mjs';
import slowConsumer from './slow-consumer.mjs';

export const SCENARIOS = [
  broadcast,
  dashboard,
  firehose,
  slowConsumer,
  ingest,
  idle,
  redisFanout,
  redisIngest,
  replay,
  memory,
  devices,
  mqtt,
  historyIngest,
];
