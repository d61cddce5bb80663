import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

/** A key pair with its public JWK, as an issuer or a DPoP client holds it. */
export interface TestKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function testKey(alg: string, kid: string = randomUUID()): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: await exportJWK(publicKey) };
}

/**
 * A Solid-OIDC issuer on loopback: `/.well-known/openid-configuration` and `/jwks`. Like CSS, its
 * metadata names the issuer with a trailing slash while its tokens do not (solid.md §3.6).
 */
export interface FakeIssuer {
  /** The issuer as its tokens name it, without trailing slash. */
  url: string;
  /** Paths requested so far. */
  requests: string[];
  /** The keys the JWKS publishes; replace to rotate. */
  keys: TestKey[];
  /** Answers every request with this status instead, when set. */
  failWith: number | undefined;
  /** Overrides of the metadata document. */
  metadata: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startIssuer(keys: TestKey[]): Promise<FakeIssuer> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    issuer.requests.push(req.url ?? '');
    if (issuer.failWith !== undefined) return void res.writeHead(issuer.failWith).end();
    const body = documents()[req.url ?? ''];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const documents = (): Record<string, unknown> => ({
    '/.well-known/openid-configuration': {
      issuer: `${issuer.url}/`,
      jwks_uri: `${issuer.url}/jwks`,
      ...issuer.metadata,
    },
    '/jwks': {
      keys: issuer.keys.map((key) => ({
        ...key.publicJwk,
        kid: key.kid,
        alg: key.alg,
        use: 'sig',
      })),
    },
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer: FakeIssuer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    keys,
    failWith: undefined,
    metadata: {},
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  return issuer;
}

export interface TokenOptions {
  /** Signs with this key, announcing its kid. */
  key: TestKey;
  /** The DPoP key the token is bound to (`cnf.jkt`). */
  dpopKey: TestKey;
  /** Claims added to or replacing the defaults. */
  claims?: JWTPayload;
  /** Epoch seconds of issue. @defaultValue now */
  iat?: number;
}

/** A Solid-OIDC access token as Nextcloud's Solid app issues it (nextcloud_solid.md §A6). */
export async function accessToken(issuer: string, options: TokenOptions): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const webId = 'https://cloud.example/apps/solid/~alice/profile/card#me';
  return new SignJWT({
    iss: issuer,
    aud: 'solid',
    sub: webId,
    webid: webId,
    client_id: 'https://app.example/id',
    iat,
    exp: iat + 3600,
    jti: randomUUID(),
    cnf: { jkt: await calculateJwkThumbprint(options.dpopKey.publicJwk, 'sha256') },
    ...options.claims,
  })
    .setProtectedHeader({ alg: options.key.alg, kid: options.key.kid, typ: 'at+jwt' })
    .sign(options.key.privateKey);
}

export interface ProofOptions {
  htm: string;
  htu: string;
  /** The access token, for `ath`; none when undefined. */
  accessToken?: string;
  /** Epoch seconds. @defaultValue now */
  iat?: number;
  jti?: string;
  /** Header fields added to or replacing the defaults (`typ`, `alg`, `jwk`). */
  header?: Record<string, unknown>;
  /** Claims added to or replacing the defaults. */
  claims?: JWTPayload;
}

/** A DPoP proof (RFC 9449 §4.2) signed with `key`. */
export function dpopProof(key: TestKey, options: ProofOptions): Promise<string> {
  const ath =
    options.accessToken === undefined
      ? {}
      : { ath: createHash('sha256').update(options.accessToken).digest('base64url') };
  return new SignJWT({
    htm: options.htm,
    htu: options.htu,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    jti: options.jti ?? randomUUID(),
    ...ath,
    ...options.claims,
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...options.header })
    .sign(key.privateKey);
}
