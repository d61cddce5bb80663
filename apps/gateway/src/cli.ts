#!/usr/bin/env node
import { ConfigError, parseCommandLine, redactConfig, usage } from '@gw/config';
import { startGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { onShutdownSignal } from './shutdown.js';
import { startStandaloneWorker } from './standalone-worker.js';
import { SystemdNotifier } from './systemd-notify.js';
import { runTestClient } from './test-client.js';
import { versionLine } from './version.js';

async function main(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === 'demo') {
    const { runDemo } = await import('./demo.js');
    return runDemo();
  }
  if (subcommand === 'test-client') return testClient(rest);
  if (subcommand === 'worker') return worker(rest);
  return serve(argv);
}

/** `notify-gateway worker [OPTIONS] [CONFIG_FILE]`: webhook deliveries only. */
async function worker(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv, process.env);
  if (command.kind !== 'run') return serve(argv);
  const logger = createLogger(command.config.logLevel, command.config.noAnsi);
  const systemd = new SystemdNotifier({ logger });
  const running = await startStandaloneWorker(command.config, logger);
  logger.info(`${versionLine} delivering webhooks`);
  await systemd.ready('delivering webhooks');
  await onShutdownSignal(logger);
  await systemd.stopping();
  await running.close();
  return 0;
}

async function serve(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv, process.env);
  switch (command.kind) {
    case 'help':
      console.log(usage);
      return 0;
    case 'version':
      console.log(versionLine);
      return 0;
    case 'dump-config':
      console.log(JSON.stringify(redactConfig(command.config), null, 2));
      return 0;
    case 'run': {
      const logger = createLogger(command.config.logLevel, command.config.noAnsi);
      const systemd = new SystemdNotifier({ logger });
      const gateway = await startGateway(command.config, logger);
      logger.info({ url: gateway.url }, `${versionLine} listening`);
      await systemd.ready(`listening on ${gateway.url}`);
      await onShutdownSignal(logger);
      await systemd.stopping();
      await gateway.close();
      return 0;
    }
  }
}

async function testClient(args: string[]): Promise<number> {
  const [url, username, password] = args;
  if (url === undefined || username === undefined || password === undefined) {
    console.error('usage: notify-gateway test-client <nextcloud-url> <username> <password>');
    return 2;
  }
  await runTestClient({ url, username, password });
  return 0;
}

// `pnpm gateway -- <args>` passes the `--` on; it is not the end-of-options marker here.
const args = process.argv.slice(2);
main(args[0] === '--' ? args.slice(1) : args).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A configuration mistake is the user's to fix: one line, no stack trace.
    if (err instanceof ConfigError) console.error(`notify-gateway: ${err.message}`);
    else console.error(`notify-gateway: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
