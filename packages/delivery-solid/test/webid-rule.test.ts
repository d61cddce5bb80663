import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultWebIdTemplates, WebIdRule } from '../src/webid-rule.js';

const NEXTCLOUD = 'https://cloud.example/nextcloud';
const ISSUER = 'https://cloud.example/nextcloud';

describe('defaultWebIdTemplates', () => {
  it("gives the Solid app's ~ and pre-0.10 @ forms, with and without index.php", () => {
    assert.deepEqual(defaultWebIdTemplates(NEXTCLOUD), [
      'https://cloud.example/nextcloud/apps/solid/~{uid}/profile/card#me',
      'https://cloud.example/nextcloud/index.php/apps/solid/~{uid}/profile/card#me',
      'https://cloud.example/nextcloud/apps/solid/@{uid}/profile/card#me',
      'https://cloud.example/nextcloud/index.php/apps/solid/@{uid}/profile/card#me',
    ]);
  });

  it('normalises the base URL: host case, default port, query and fragment', () => {
    assert.equal(
      defaultWebIdTemplates('HTTPS://Cloud.Example:443/?x=1#top')[0],
      'https://cloud.example/apps/solid/~{uid}/profile/card#me',
    );
  });

  it('refuses a base URL that is not http(s)', () => {
    assert.throws(() => defaultWebIdTemplates('ftp://cloud.example/'), TypeError);
  });
});

describe('WebIdRule', () => {
  const rule = new WebIdRule({ templates: defaultWebIdTemplates(NEXTCLOUD), issuers: [ISSUER] });
  const base = 'https://cloud.example/nextcloud';

  it('maps each default form to the uid', () => {
    for (const webId of [
      `${base}/apps/solid/~alice/profile/card#me`,
      `${base}/apps/solid/@alice/profile/card#me`,
      `${base}/index.php/apps/solid/~alice/profile/card#me`,
      `${base}/index.php/apps/solid/@alice/profile/card#me`,
    ]) {
      assert.equal(rule.toUid(webId, ISSUER), 'alice', webId);
    }
  });

  it('percent-decodes the uid', () => {
    assert.equal(
      rule.toUid(`${base}/apps/solid/~J%C3%BCrgen%20M.%40example.com/profile/card#me`, ISSUER),
      'Jürgen M.@example.com',
    );
    assert.equal(
      rule.toUid(`${base}/apps/solid/~bob@example.com/profile/card#me`, ISSUER),
      'bob@example.com',
    );
  });

  it('accepts the issuer with or without a trailing slash', () => {
    assert.equal(rule.toUid(`${base}/apps/solid/~alice/profile/card#me`, `${ISSUER}/`), 'alice');
  });

  it('maps nothing for an issuer that may not vouch for these WebIDs', () => {
    const webId = `${base}/apps/solid/~admin/profile/card#me`;
    assert.equal(rule.toUid(webId, 'https://solidcommunity.net'), undefined);
    assert.equal(rule.toUid(webId, 'https://cloud.example'), undefined);
  });

  it('maps nothing for near misses', () => {
    const nearMisses = [
      // Scheme, host, port and base path must be exact.
      'http://cloud.example/nextcloud/apps/solid/~alice/profile/card#me',
      'https://cloud.example.evil/nextcloud/apps/solid/~alice/profile/card#me',
      'https://evil.example/cloud.example/nextcloud/apps/solid/~alice/profile/card#me',
      'https://cloud.example:8443/nextcloud/apps/solid/~alice/profile/card#me',
      'https://cloud.example/apps/solid/~alice/profile/card#me',
      // The rest of the path and the fragment too.
      `${base}/apps/solid/~alice/profile/card`,
      `${base}/apps/solid/~alice/profile/card#you`,
      `${base}/apps/solid/~alice/profile/card#me2`,
      `${base}/apps/solid/~alice/profile/card/#me`,
      `${base}/apps/solid/alice/profile/card#me`,
      `${base}/apps/solid/~alice/storage/profile/card#me`,
      // Implausible uids: empty, a path, a query or fragment inside, too long, undecodable.
      `${base}/apps/solid/~/profile/card#me`,
      `${base}/apps/solid/~alice/x/profile/card#me`,
      `${base}/apps/solid/~alice%2Fx/profile/card#me`,
      `${base}/apps/solid/~alice?x/profile/card#me`,
      `${base}/apps/solid/~alice#x/profile/card#me`,
      `${base}/apps/solid/~alice%0A/profile/card#me`,
      `${base}/apps/solid/~${'a'.repeat(65)}/profile/card#me`,
      `${base}/apps/solid/~%E0%A4%A/profile/card#me`,
      '',
    ];
    for (const webId of nearMisses) assert.equal(rule.toUid(webId, ISSUER), undefined, webId);
  });

  it('accepts a uid of 64 characters', () => {
    const uid = 'a'.repeat(64);
    assert.equal(rule.toUid(`${base}/apps/solid/~${uid}/profile/card#me`, ISSUER), uid);
  });

  it('takes custom templates, e.g. a pod server of its own', () => {
    const custom = new WebIdRule({
      templates: ['https://pods.example/{uid}/profile/card#me'],
      issuers: ['https://pods.example/'],
    });
    assert.equal(
      custom.toUid('https://pods.example/carol/profile/card#me', 'https://pods.example'),
      'carol',
    );
  });

  it('refuses templates without exactly one {uid} in the path', () => {
    for (const template of [
      'https://cloud.example/profile/card#me',
      'https://cloud.example/{uid}/{uid}#me',
      'https://{uid}.cloud.example/apps/solid/profile/card#me',
      'https://cloud.example/profile?user={uid}',
      'https://cloud.example/profile#{uid}',
      'not a url {uid}',
      'ftp://cloud.example/{uid}',
    ]) {
      assert.throws(
        () => new WebIdRule({ templates: [template], issuers: [] }),
        TypeError,
        template,
      );
    }
  });

  it('refuses a template that is not normalised, naming the normalised form', () => {
    assert.throws(
      () => new WebIdRule({ templates: ['HTTPS://Cloud.Example:443/~{uid}#me'], issuers: [] }),
      /write https:\/\/cloud\.example\/~\{uid\}#me/,
    );
  });
});
