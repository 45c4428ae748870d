// The scenarios, in the order the issue lists them.
import broadcast from './broadcast.mjs';
import dashboard from './dashboard.mjs';
import firehose from './firehose.mjs';
import idle from './idle.mjs';
import ingest from './ingest.mjs';
import slowConsumer from './slow-consumer.mjs';

export const SCENARIOS = [broadcast, dashboard, firehose, slowConsumer, ingest, idle];
