import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { captureLogs } from '@gw/testkit';
import { SystemdNotifier } from '../src/systemd-notify.js';
import { NotifySocket } from './notify-socket.js';

describe('SystemdNotifier', () => {
  let dir: string;
  let socket: NotifySocket;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-systemd-'));
    socket = await NotifySocket.open(dir);
  });
  after(() => {
    socket.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends READY=1 naming this process as the main PID, with a status line', async () => {
    const logs = captureLogs();
    const notifier = new SystemdNotifier({
      env: { NOTIFY_SOCKET: socket.path },
      logger: logs.logger,
    });
    await notifier.ready('listening on http://127.0.0.1:7867');
    const message = await socket.next();
    assert.match(message, /(^| )READY=1( |$)/);
    assert.match(message, new RegExp(`(^| )MAINPID=${process.pid}( |$)`));
    assert.match(message, /STATUS=listening on http:\/\/127\.0\.0\.1:7867/);
    assert.deepEqual(logs.lines, []);
  });

  it('sends STOPPING=1', async () => {
    const notifier = new SystemdNotifier({
      env: { NOTIFY_SOCKET: socket.path },
      logger: captureLogs().logger,
    });
    await notifier.stopping();
    assert.match(await socket.next(), /(^| )STOPPING=1( |$)/);
  });

  it('does nothing when not started by systemd', async () => {
    const logs = captureLogs();
    const notifier = new SystemdNotifier({ env: {}, command: 'false', logger: logs.logger });
    await notifier.ready('listening');
    assert.deepEqual(logs.lines, []);
  });

  it('warns once per message when systemd-notify cannot be run, and carries on', async () => {
    const logs = captureLogs();
    const notifier = new SystemdNotifier({
      env: { NOTIFY_SOCKET: socket.path },
      command: 'no-such-systemd-notify',
      logger: logs.logger,
    });
    await notifier.ready('listening');
    assert.equal(logs.lines.length, 1);
    assert.match(logs.lines[0]?.msg ?? '', /could not be run; systemd did not hear --ready/);
  });

  it('warns when systemd-notify fails', async () => {
    const logs = captureLogs();
    const notifier = new SystemdNotifier({
      env: { NOTIFY_SOCKET: join(dir, 'nobody-listens.sock') },
      logger: logs.logger,
    });
    await notifier.stopping();
    assert.equal(logs.lines.length, 1);
    assert.match(
      logs.lines[0]?.msg ?? '',
      /systemd-notify failed; systemd did not hear STOPPING=1/,
    );
  });
});
