import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestCertificates } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-certs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const certificate = (path: string) => new X509Certificate(readFileSync(path));

describe('createTestCertificates', () => {
  it('writes a CA, and a server and a client certificate with their keys that it signed', () => {
    const files = createTestCertificates(dir);
    const ca = certificate(files.caPath);
    const server = certificate(files.serverCertPath);
    const client = certificate(files.clientCertPath);
    assert.ok(ca.ca);
    for (const leaf of [server, client]) {
      assert.ok(leaf.verify(ca.publicKey), 'signed by the CA');
      assert.equal(leaf.ca, false);
    }
    assert.equal(server.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
    assert.ok(server.checkPrivateKey(createPrivateKey(readFileSync(files.serverKeyPath))));
    assert.ok(client.checkPrivateKey(createPrivateKey(readFileSync(files.clientKeyPath))));
  });

  it('issues the server certificate for the names asked for', () => {
    const files = createTestCertificates(dir, { serverNames: ['redis.invalid'] });
    const server = certificate(files.serverCertPath);
    assert.equal(server.subjectAltName, 'DNS:redis.invalid');
    assert.equal(server.checkHost('localhost'), undefined);
  });
});
