import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { ChannelStore } from './channel-store.js';

export interface WebhookSenderOptions {
  /** The gateway's public base URL, ending in `/`. */
  publicUrl: string;
  /** Where the signing key is kept, so every replica and worker signs with the same one. */
  store: Pick<ChannelStore, 'shared'>;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** How long a sender token is valid (CSS's 20 minutes) and how long one is reused. */
const TOKEN_LIFETIME_S = 20 * 60;
const TOKEN_REUSE_MS = 10 * 60 * 1000;
const ALGORITHM = 'ES256';

interface SigningKey {
  privateKey: KeyObject;
  publicJwk: JWK;
  thumbprint: string;
}

interface AccessToken {
  value: string;
  /** Its SHA-256, for the proofs' `ath`. */
  ath: string;
  until: number;
}

/**
 * The gateway as a Solid agent that sends webhooks, the way CSS identifies itself
 * (reference/solid.md §2.2): a WebID whose document names an OIDC issuer, the issuer's metadata
 * and JWKS, and on each delivery a DPoP-bound access token for that WebID with a DPoP proof for
 * the receiver's URL. Unlike CSS, the issuer is one string everywhere (metadata, tokens, WebID),
 * so strict Solid-OIDC verifiers accept it.
 */
export class WebhookSender {
  /** The `sender` of WebhookChannel2023 responses. */
  readonly webId: string;
  /** The public URL without its final `/`: the metadata, the tokens and the WebID say so. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly #options: WebhookSenderOptions;
  readonly #now: () => number;
  #key: Promise<SigningKey> | undefined;
  #token: AccessToken | undefined;

  constructor(options: WebhookSenderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.webId = `${options.publicUrl}.notifications/WebhookChannel2023/webId`;
    this.issuer = options.publicUrl.replace(/\/$/, '');
    this.jwksUri = `${options.publicUrl}.oidc/jwks`;
  }

  /** The OIDC discovery document at `{issuer}/.well-known/openid-configuration`. */
  openIdConfiguration() {
    return {
      issuer: this.issuer,
      jwks_uri: this.jwksUri,
      id_token_signing_alg_values_supported: [ALGORITHM],
      dpop_signing_alg_values_supported: [ALGORITHM],
      scopes_supported: ['openid', 'webid'],
      response_types_supported: ['none'],
      subject_types_supported: ['public'],
    };
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const { publicJwk, thumbprint } = await this.#signingKey();
    return { keys: [{ ...publicJwk, kid: thumbprint, alg: ALGORITHM, use: 'sig' }] };
  }

  /**
   * `Authorization: DPoP <token>` and `DPoP: <proof>` for a POST to `url`. Signed with
   * node:crypto at once: this runs for every delivery, and WebCrypto's asynchronous jobs cost
   * several times more.
   */
  async headersFor(url: string): Promise<{ authorization: string; dpop: string }> {
    const key = await this.#signingKey();
    const token = this.#accessToken(key);
    const dpop = signJwt(
      key.privateKey,
      { alg: ALGORITHM, typ: 'dpop+jwt', jwk: key.publicJwk },
      {
        htu: url,
        htm: 'POST',
        ath: token.ath,
        iat: Math.floor(this.#now() / 1000),
        jti: randomUUID(),
      },
    );
    return { authorization: `DPoP ${token.value}`, dpop };
  }

  #accessToken(key: SigningKey): AccessToken {
    const now = this.#now();
    if (this.#token !== undefined && now < this.#token.until) return this.#token;
    const issuedAt = Math.floor(now / 1000);
    const value = signJwt(
      key.privateKey,
      { alg: ALGORITHM, kid: key.thumbprint },
      {
        webid: this.webId,
        azp: this.webId,
        cnf: { jkt: key.thumbprint },
        iss: this.issuer,
        sub: this.webId,
        aud: [this.webId, 'solid'],
        iat: issuedAt,
        exp: issuedAt + TOKEN_LIFETIME_S,
        jti: randomUUID(),
      },
    );
    const ath = createHash('sha256').update(value).digest('base64url');
    this.#token = { value, ath, until: now + TOKEN_REUSE_MS };
    return this.#token;
  }

  #signingKey(): Promise<SigningKey> {
    this.#key ??= this.#loadKey();
    // A store that failed to answer is asked again next time.
    this.#key.catch(() => {
      this.#key = undefined;
    });
    return this.#key;
  }

  async #loadKey(): Promise<SigningKey> {
    const fresh = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const freshJwk = JSON.stringify(fresh.export({ format: 'jwk' }));
    const stored = JSON.parse(
      await this.#options.store.shared('webhook-sender-key', () => freshJwk),
    ) as JWK;
    const { d: _, ...publicJwk } = stored;
    return {
      privateKey: createPrivateKey({ key: stored as JsonWebKey, format: 'jwk' }),
      publicJwk,
      thumbprint: await calculateJwkThumbprint(publicJwk),
    };
  }
}

/** A compact JWS (RFC 7515) of `payload`, ES256 with the raw r‖s signature JOSE wants. */
function signJwt(key: KeyObject, header: object, payload: object): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
