// Community Solid Server 7.2.0 as the baseline for `pnpm bench:solid`: installed on demand into
// bench/.cache/css-7.2.0/ and started as its own Node process (so its pid and RSS are the server's
// alone), in memory, with a public read/write root and the default notification channels.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CSS_VERSION = '7.2.0';

export interface CssOptions {
  /** Folder CSS is installed into. @defaultValue bench/.cache/css-7.2.0 */
  cacheDir?: string;
  /** CSS's --loggingLevel. @defaultValue 'warn' */
  logLevel?: string;
  /** How long to wait for the first HTTP answer. @defaultValue 120_000 ms */
  startTimeoutMs?: number;
}

export interface CssServer {
  /** With a trailing slash, e.g. http://127.0.0.1:41234/ */
  baseUrl: string;
  pid: number;
  /** VmRSS of the CSS process itself. */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

const defaultCacheDir = fileURLToPath(new URL(`./.cache/css-${CSS_VERSION}/`, import.meta.url));

/**
 * CSS's config/default.json with two parts swapped, as in reference/solid.md: the root container
 * is created with a public read/write ACL (initialize-root) instead of the setup page, and
 * `Authorization: WebID <iri>` is accepted (debug-auth-header) instead of Solid-OIDC. Everything
 * else is the default: in-memory backend, WAC, http/notifications/all.json (WebSocketChannel2023,
 * WebhookChannel2023, StreamingHTTPChannel2023).
 */
const CONFIG_IMPORTS = [
  'app/init/initialize-root.json',
  'app/main/default.json',
  'app/variables/default.json',
  'http/handler/default.json',
  'http/middleware/default.json',
  'http/notifications/all.json',
  'http/server-factory/http.json',
  'http/static/default.json',
  'identity/access/public.json',
  'identity/email/default.json',
  'identity/handler/default.json',
  'identity/oidc/default.json',
  'identity/ownership/token.json',
  'identity/pod/static.json',
  'ldp/authentication/debug-auth-header.json',
  'ldp/authorization/webacl.json',
  'ldp/handler/default.json',
  'ldp/metadata-parser/default.json',
  'ldp/metadata-writer/default.json',
  'ldp/modes/default.json',
  'storage/backend/memory.json',
  'storage/key-value/resource-store.json',
  'storage/location/root.json',
  'storage/middleware/default.json',
  'util/auxiliary/acl.json',
  'util/identifiers/suffix.json',
  'util/index/default.json',
  'util/logging/winston.json',
  'util/representation-conversion/default.json',
  'util/resource-locker/memory.json',
  'util/variables/default.json',
];

/**
 * Preloaded into CSS. CSS listens on every interface and has no option for a host; a world-
 * writable server has no business there, so bare `listen(port)` calls get 127.0.0.1. And CSS exits
 * when the IPC channel to the bench closes, so it never outlives the bench, even one killed with
 * SIGKILL.
 */
const PRELOAD = `'use strict';
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};
process.on('disconnect', () => process.exit(0));
`;

/** Installs CSS if needed, starts it on a free loopback port and waits until it answers HTTP. */
export async function startCss(options: CssOptions = {}): Promise<CssServer> {
  const cacheDir = options.cacheDir ?? defaultCacheDir;
  await installCss(cacheDir);
  const files = await writeRunFiles(cacheDir);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}/`;
  const serverJs = join(cacheDir, 'node_modules/@solid/community-server/bin/server.js');
  const child = spawn(
    process.execPath,
    [
      '--require',
      files.preload,
      serverJs,
      ...['--config', files.config, '--port', String(port), '--baseUrl', baseUrl],
      ...['--loggingLevel', options.logLevel ?? 'warn'],
    ],
    // CSS's log lines go to our stderr, so stdout keeps only the figures; fd 3 is the IPC channel.
    { stdio: ['ignore', 2, 2, 'ipc'] },
  );
  // Neither the process nor the channel keeps the bench alive; the bench's exit closes the channel.
  child.unref();
  child.channel?.unref();
  try {
    await waitForHttp(child, baseUrl, options.startTimeoutMs ?? 120_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    baseUrl,
    pid: child.pid as number,
    rssBytes: () => rssBytes(child.pid as number),
    stop: () => stopChild(child),
  };
}

/** npm install into the cache folder once; a marker file says the install completed. */
async function installCss(cacheDir: string) {
  const marker = join(cacheDir, `.installed-${CSS_VERSION}`);
  if (existsSync(marker)) return;
  await mkdir(cacheDir, { recursive: true });
  // Its own package.json, or npm would walk up and install into the monorepo root.
  await writeFile(
    join(cacheDir, 'package.json'),
    '{ "name": "css-bench-cache", "private": true }\n',
  );
  console.error(
    `installing @solid/community-server@${CSS_VERSION} into ${cacheDir} (about a minute)…`,
  );
  const npm = spawn(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--omit=dev',
      '--prefix',
      cacheDir,
      `@solid/community-server@${CSS_VERSION}`,
    ],
    { cwd: cacheDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  npm.stdout.on('data', (data) => (output += data));
  npm.stderr.on('data', (data) => (output += data));
  const [code] = (await once(npm, 'close')) as [number | null];
  if (code !== 0) {
    throw new Error(
      `npm install @solid/community-server@${CSS_VERSION} in ${cacheDir} failed (exit ${code}):\n${errorLines(output)}`,
    );
  }
  await writeFile(marker, `${new Date().toISOString()}\n`);
}

/** npm's error lines without the stack frames, which bury the reason. */
function errorLines(output: string) {
  const lines = output.split('\n').filter((line) => line.trim() && !/^npm error\s+at /.test(line));
  return lines.slice(-12).join('\n');
}

async function writeRunFiles(cacheDir: string) {
  const config = join(cacheDir, 'bench-config.json');
  const preload = join(cacheDir, 'bench-preload.cjs');
  const configJson = {
    '@context':
      'https://linkedsoftwaredependencies.org/bundles/npm/@solid/community-server/^7.0.0/components/context.jsonld',
    import: CONFIG_IMPORTS.map((part) => `css:config/${part}`),
  };
  await writeFile(config, `${JSON.stringify(configJson, null, 2)}\n`);
  await writeFile(preload, PRELOAD);
  return { config, preload };
}

/** A port free a moment ago; CSS takes seconds to bind it, but nothing else here is racing. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

/** Polls GET / until CSS answers at all (any status); CSS loads its components for seconds first. */
async function waitForHttp(child: ChildProcess, baseUrl: string, timeoutMs: number) {
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `CSS exited (${signal ?? code}) before answering`));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) throw new Error(exit);
    try {
      const response = await fetch(baseUrl, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`CSS did not answer on ${baseUrl} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // CSS finalizes its initializers on SIGTERM; it has nothing to save here, so do not wait long.
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}
