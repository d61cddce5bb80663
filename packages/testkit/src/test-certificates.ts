import { execFileSync } from 'node:child_process';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** The PEM files of a throwaway PKI for TLS tests. */
export interface TestCertificates {
  /** The CA that signed the server and the client certificate. */
  caPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  clientCertPath: string;
  clientKeyPath: string;
}

export interface TestCertificatesOptions {
  /**
   * DNS names and IP addresses the server certificate is valid for.
   * @defaultValue ['localhost', '127.0.0.1']
   */
  serverNames?: readonly string[];
}

/**
 * Writes a CA, a server certificate and a client certificate (EC P-256, valid for a day) into
 * `dir` with the openssl CLI, which every machine running redis-server with TLS has.
 */
export function createTestCertificates(
  dir: string,
  options: TestCertificatesOptions = {},
): TestCertificates {
  const names = options.serverNames ?? ['localhost', '127.0.0.1'];
  const files: TestCertificates = {
    caPath: join(dir, 'ca.crt'),
    serverCertPath: join(dir, 'server.crt'),
    serverKeyPath: join(dir, 'server.key'),
    clientCertPath: join(dir, 'client.crt'),
    clientKeyPath: join(dir, 'client.key'),
  };
  const caKeyPath = join(dir, 'ca.key');
  openssl(['-subj', '/CN=notify-gateway test CA', '-keyout', caKeyPath, '-out', files.caPath]);
  const signed = ['-CA', files.caPath, '-CAkey', caKeyPath, '-addext', LEAF];
  const altNames = names.map((name) => (isIP(name) === 0 ? `DNS:${name}` : `IP:${name}`));
  openssl([
    ...['-subj', `/CN=${names[0] ?? 'localhost'}`, ...signed],
    ...[
      '-addext',
      `subjectAltName=${altNames.join(',')}`,
      '-addext',
      'extendedKeyUsage=serverAuth',
    ],
    ...['-keyout', files.serverKeyPath, '-out', files.serverCertPath],
  ]);
  openssl([
    ...['-subj', '/CN=notify-gateway test client', ...signed],
    ...['-addext', 'extendedKeyUsage=clientAuth'],
    ...['-keyout', files.clientKeyPath, '-out', files.clientCertPath],
  ]);
  return files;
}

/** A certificate that cannot sign others. */
const LEAF = 'basicConstraints=critical,CA:FALSE';

/** `openssl req -x509` with a new unencrypted P-256 key, plus `args`. */
function openssl(args: string[]): void {
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
      ...['-nodes', '-days', '1', ...args],
    ],
    { stdio: 'ignore' },
  );
}
