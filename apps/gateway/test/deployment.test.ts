// The deployment files (infra/, docker-compose.yml) checked for what a user would hit first: paths
// that do not exist, ports and health paths that do not match the gateway, a root container, a
// proxy location that drifted from the documented snippet. No Docker engine is needed; the image's
// build steps themselves are exercised by infra/check-image.sh.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '@gw/config';
import fastify, { type FastifyInstance } from 'fastify';
import { parseDocument } from 'yaml';
import { healthRoutes } from '../src/health-routes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const run = promisify(execFile);

interface Instruction {
  /** 1 for the first FROM's stage, 2 for the next, ... */
  stage: number;
  keyword: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped, as Docker reads them. */
function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = 0;
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, '');
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    const [keyword = '', args = ''] = whole.split(/\s+(.*)/s);
    if (keyword.toUpperCase() === 'FROM') stage++;
    instructions.push({ stage, keyword: keyword.toUpperCase(), args: args.trim() });
  }
  return instructions;
}

/** The `KEY=value` settings of one section of a systemd unit, in order. */
function unitSection(text: string, section: string): [string, string][] {
  const settings: [string, string][] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]\s*$/.exec(line);
    if (header) current = header[1] ?? '';
    else if (current === section && /^[A-Za-z]+=/.test(line)) {
      const at = line.indexOf('=');
      settings.push([line.slice(0, at), line.slice(at + 1)]);
    }
  }
  return settings;
}

/** Compose's `${NAME:-default}` with nothing set in the environment. */
function withComposeDefaults(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  network_mode?: string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const composeDocument = parseDocument(read('docker-compose.yml'));
const compose = composeDocument.toJS() as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no ${name} service`);
  return found;
};
const dockerfile = dockerfileInstructions(read('infra/Dockerfile'));
const finalStage = Math.max(...dockerfile.map((instruction) => instruction.stage));
const runtime = (keyword: string) =>
  dockerfile.filter((i) => i.stage === finalStage && i.keyword === keyword);
const gatewayPackage = JSON.parse(read('apps/gateway/package.json')) as {
  name: string;
  bin: Record<string, string>;
};
const gatewayBin = posix.normalize(gatewayPackage.bin['notify-gateway'] ?? '');

/** The gateway's configuration from `env` alone. */
function configFrom(env: NodeJS.ProcessEnv) {
  // An empty cwd, so no .env file of the developer's leaks in.
  const cwd = mkdtempSync(join(tmpdir(), 'deployment-'));
  try {
    return loadConfig({ argv: [], env, cwd });
  } finally {
    rmSync(cwd, { recursive: true });
  }
}

const defaultPort = configFrom({
  DATABASE_URL: 'postgres://localhost/nextcloud',
  REDIS_URL: 'redis://localhost',
  NEXTCLOUD_URL: 'http://localhost/',
}).port;

/** The configuration the compose gateway service starts with. */
function composeGatewayConfig() {
  const environment = Object.entries(service('gateway').environment ?? {}).map(([name, value]) => [
    name,
    withComposeDefaults(String(value)),
  ]);
  return configFrom(Object.fromEntries(environment));
}

/** The loopback URL a healthcheck command's JavaScript fetches. */
function healthcheckUrl(command: string[]): URL {
  const match = /fetch\('(http:\/\/127\.0\.0\.1:\d+\/[^']*)'\)/.exec(command.join(' '));
  assert.ok(match?.[1], `no fetch('http://127.0.0.1:<port>/...') in ${command.join(' ')}`);
  return new URL(match[1]);
}

describe('docker-compose.yml', () => {
  it('parses as YAML without errors or warnings', () => {
    assert.deepEqual(composeDocument.errors, []);
    assert.deepEqual(composeDocument.warnings, []);
    for (const [name, definition] of Object.entries(compose.services)) {
      assert.ok(definition.image ?? definition.build, `${name} has neither image nor build`);
    }
  });

  it('builds from and mounts only paths that exist, and declares its named volumes', () => {
    for (const [name, definition] of Object.entries(compose.services)) {
      if (definition.build) {
        const context = resolve(root, definition.build.context);
        assert.ok(existsSync(context), `${name}: build context ${definition.build.context}`);
        const file = definition.build.dockerfile ?? 'Dockerfile';
        assert.ok(existsSync(resolve(context, file)), `${name}: dockerfile ${file}`);
      }
      for (const volume of definition.volumes ?? []) {
        const [source = ''] = volume.split(':');
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(resolve(root, source)), `${name}: mounted ${source}`);
        } else {
          assert.ok(compose.volumes && source in compose.volumes, `${name}: volume ${source}`);
        }
      }
      for (const dependency of Object.keys(definition.depends_on ?? {})) {
        assert.ok(dependency in compose.services, `${name} depends on unknown ${dependency}`);
      }
    }
  });

  it('builds the gateway from infra/Dockerfile with the repository as context', () => {
    assert.deepEqual(service('gateway').build, { context: '.', dockerfile: 'infra/Dockerfile' });
  });

  it("gives the gateway a valid configuration, and checks health on the gateway's port", () => {
    const config = composeGatewayConfig();
    const url = healthcheckUrl(service('gateway').healthcheck?.test ?? []);
    assert.equal(Number(url.port), config.port);
    assert.equal(url.pathname, '/livez');
    const exposed = runtime('EXPOSE').flatMap((i) => i.args.split(/\s+/).map(Number));
    assert.ok(exposed.includes(config.port), `EXPOSE ${exposed} lacks ${config.port}`);
    assert.ok(
      config.metricsPort !== undefined && exposed.includes(config.metricsPort),
      `EXPOSE ${exposed} lacks METRICS_PORT ${config.metricsPort}`,
    );
  });

  it('proxies /push/ with the unchanged nginx snippet, to where the gateway listens', () => {
    const mounts = service('nginx').volumes ?? [];
    const snippetMount = mounts.find((volume) =>
      volume.startsWith('./infra/nginx/notify-gateway.conf:'),
    );
    assert.ok(snippetMount, 'nginx does not mount infra/nginx/notify-gateway.conf');
    const snippetPath = snippetMount.split(':')[1];
    const serverMount = mounts.find((volume) => volume.startsWith('./infra/nginx/compose.conf:'));
    assert.equal(serverMount?.split(':')[1], '/etc/nginx/conf.d/default.conf');

    const server = read('infra/nginx/compose.conf');
    assert.match(server, new RegExp(`^\\s*include ${snippetPath};`, 'm'));
    assert.doesNotMatch(server, /location[^{]*\/push/, 'compose.conf has a /push location itself');

    // In the shared network namespace the snippet's 127.0.0.1 is the gateway's container.
    const snippet = read('infra/nginx/notify-gateway.conf');
    const upstream = /proxy_pass http:\/\/127\.0\.0\.1:(\d+)\/;/.exec(snippet);
    assert.equal(Number(upstream?.[1]), composeGatewayConfig().port);
    assert.equal(composeGatewayConfig().port, defaultPort);
    assert.equal(service('gateway').network_mode, 'service:nextcloud');
    assert.equal(service('nginx').network_mode, 'service:nextcloud');
    const listen = /^\s*listen (\d+);/m.exec(server)?.[1];
    assert.ok(
      service('nextcloud').ports?.some((port) => port.endsWith(`:${listen}`)),
      `nextcloud does not publish nginx's port ${listen}`,
    );
  });

  it("links Nextcloud's WebDAV responses to the gateway's storage description, at its public URL", () => {
    const solid = composeGatewayConfig().solid;
    assert.ok(solid, 'the compose gateway has Solid on (its database is PostgreSQL)');
    const server = read('infra/nginx/compose.conf');
    const link = /~\^\/remote\\\.php\/dav\/files\/ '<([^>]+)>; rel="([^"]+)"'/.exec(server);
    assert.equal(link?.[1], `${solid.publicUrl}.well-known/solid`);
    assert.equal(link?.[2], 'http://www.w3.org/ns/solid/terms#storageDescription');
    assert.match(server, /^\s*add_header Link \$solid_storage_description always;/m);
    // Topics must be the WebDAV URLs browsers see, through nginx, not Apache's internal address.
    const listen = /^\s*listen (\d+);/m.exec(server)?.[1];
    assert.equal(new URL(solid.nextcloudUrl).port, listen);
  });

  it('makes Nextcloud trust the loopback addresses nginx and the gateway come from', () => {
    const proxies = (service('nextcloud').environment?.TRUSTED_PROXIES ?? '').split(/\s+/);
    assert.ok(proxies.includes('127.0.0.1') && proxies.includes('::1'), proxies.join(' '));
    const gatewayHost = new URL(composeGatewayConfig().nextcloudUrl).hostname;
    const domains = (service('nextcloud').environment?.NEXTCLOUD_TRUSTED_DOMAINS ?? '').split(
      /\s+/,
    );
    assert.ok(domains.includes(gatewayHost), `${gatewayHost} is not a trusted domain`);
  });
});

describe('infra/Dockerfile', () => {
  let gateway: FastifyInstance;
  let port: number;

  before(async () => {
    gateway = fastify();
    await gateway.register(healthRoutes, {
      ingest: { state: 'subscribed' },
      database: { ping: async () => {} },
      shuttingDown: () => false,
    });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
    const address = gateway.server.address();
    assert.ok(address !== null && typeof address === 'object');
    port = address.port;
  });
  after(async () => {
    await gateway.close();
  });

  /** Runs the HEALTHCHECK's exec-form command as Docker would, with PORT set. */
  async function healthcheck(withPort: number) {
    const [instruction] = runtime('HEALTHCHECK');
    const json = /\bCMD\s+(\[.*\])$/.exec(instruction?.args ?? '')?.[1];
    assert.ok(json, 'HEALTHCHECK has no exec-form CMD');
    const [program, ...args] = JSON.parse(json) as string[];
    assert.equal(program, 'node', 'the image has node, and no curl or wget');
    try {
      await run(process.execPath, args, { env: { PORT: String(withPort) }, timeout: 10_000 });
      return 0;
    } catch (err) {
      return (err as { code: number }).code;
    }
  }

  it("has a HEALTHCHECK that passes against the gateway's /livez and fails when nothing answers", async () => {
    assert.equal(await healthcheck(port), 0);
    await gateway.close();
    assert.equal(await healthcheck(port), 1);
  });

  it('runs as a user other than root', () => {
    const users = runtime('USER').map((i) => i.args);
    assert.ok(users.length > 0, 'the runtime stage has no USER');
    assert.ok(!['root', '0'].includes(users.at(-1) ?? ''), `USER ${users.at(-1)}`);
  });

  it("starts the gateway package's bin from the tree pnpm deploy produces", () => {
    const [entrypoint] = runtime('ENTRYPOINT');
    const [program, script] = JSON.parse(entrypoint?.args ?? '[]') as string[];
    assert.equal(program, 'node');
    const copy = runtime('COPY').find((i) => i.args.startsWith('--from=build '));
    const [, from = '', to = ''] = copy?.args.split(/\s+/) ?? [];
    assert.equal(script, posix.join(to, gatewayBin));

    const build = dockerfile.filter((i) => i.stage !== finalStage);
    const workdir = build.find((i) => i.keyword === 'WORKDIR')?.args ?? '';
    const deploy = build.find((i) => i.keyword === 'RUN' && i.args.startsWith('pnpm deploy'));
    assert.ok(deploy, 'the build stage has no pnpm deploy');
    assert.match(deploy.args, new RegExp(`--filter ${gatewayPackage.name} --prod`));
    const target = deploy.args.split(/\s+/).at(-1) ?? '';
    assert.equal(posix.resolve(workdir, target), from);
  });
});

describe('infra/systemd/notify-gateway.service', () => {
  const service = unitSection(read('infra/systemd/notify-gateway.service'), 'Service');
  const value = (key: string) => service.filter(([name]) => name === key).map(([, v]) => v);

  it('is Type=notify and accepts READY=1 from the systemd-notify child', () => {
    assert.deepEqual(value('Type'), ['notify']);
    assert.deepEqual(value('NotifyAccess'), ['all']);
  });

  it("starts the gateway's bin with Nextcloud's config.php, on the default port", () => {
    const [execStart = ''] = value('ExecStart');
    const [program, script = '', configFile = ''] = execStart.split(/\s+/);
    assert.match(program ?? '', /\/node$/);
    assert.ok(script.endsWith(`/apps/gateway/${gatewayBin}`), script);
    assert.match(configFile, /\/config\.php$/);
    assert.ok(value('Environment').includes(`PORT=${defaultPort}`));
  });
});
