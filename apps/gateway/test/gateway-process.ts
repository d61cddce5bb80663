// A gateway in a process of its own, for tests that kill -9 it. The configuration and the test
// overrides come as JSON in GATEWAY_CONFIG and GATEWAY_OVERRIDES; prints `ready` once listening.
import pino from 'pino';
import { startGateway } from '../src/gateway.js';

const config = JSON.parse(process.env.GATEWAY_CONFIG ?? '{}');
const overrides = JSON.parse(process.env.GATEWAY_OVERRIDES ?? '{}');
await startGateway(config, pino({ level: 'silent' }), overrides);
process.stdout.write('ready\n');
