import { randomUUID } from 'node:crypto';
import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
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

/** What jose signs with (a WebCrypto key). */
type PrivateKey = Parameters<SignJWT['sign']>[0];

interface SigningKey {
  privateKey: PrivateKey;
  publicJwk: JWK;
  thumbprint: string;
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
  #token: { value: string; until: number } | undefined;

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

  /** `Authorization: DPoP <token>` and `DPoP: <proof>` for a POST to `url`. */
  async headersFor(url: string): Promise<{ authorization: string; dpop: string }> {
    const key = await this.#signingKey();
    const token = await this.#accessToken(key);
    const now = Math.floor(this.#now() / 1000);
    const ath = base64url.encode(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))),
    );
    const dpop = await new SignJWT({ htu: url, htm: 'POST', ath })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'dpop+jwt', jwk: key.publicJwk })
      .setIssuedAt(now)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { authorization: `DPoP ${token}`, dpop };
  }

  async #accessToken(key: SigningKey): Promise<string> {
    const now = this.#now();
    if (this.#token !== undefined && now < this.#token.until) return this.#token.value;
    const issuedAt = Math.floor(now / 1000);
    const value = await new SignJWT({
      webid: this.webId,
      azp: this.webId,
      cnf: { jkt: key.thumbprint },
    })
      .setProtectedHeader({ alg: ALGORITHM, kid: key.thumbprint })
      .setIssuer(this.issuer)
      .setSubject(this.webId)
      .setAudience([this.webId, 'solid'])
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + TOKEN_LIFETIME_S)
      .setJti(randomUUID())
      .sign(key.privateKey);
    this.#token = { value, until: now + TOKEN_REUSE_MS };
    return value;
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
    const fresh = await generateKeyPair(ALGORITHM, { extractable: true });
    const freshJwk = JSON.stringify(await exportJWK(fresh.privateKey));
    const stored = JSON.parse(
      await this.#options.store.shared('webhook-sender-key', () => freshJwk),
    ) as JWK;
    const { d: _, ...publicJwk } = stored;
    return {
      privateKey: (await importJWK(stored, ALGORITHM)) as PrivateKey,
      publicJwk,
      thumbprint: await calculateJwkThumbprint(publicJwk),
    };
  }
}
