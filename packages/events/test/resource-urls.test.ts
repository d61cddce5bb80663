import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeSegment, ResourceUrls, resourceKey } from '../src/index.js';

const urls = new ResourceUrls('https://cloud.example.com/nextcloud');
const root = 'https://cloud.example.com/nextcloud/remote.php/dav/files/';

describe('ResourceUrls', () => {
  it('builds file and folder URLs under the user, folders ending in /', () => {
    assert.equal(urls.url('alice', 'files/docs/a.txt', false), `${root}alice/docs/a.txt`);
    assert.equal(urls.url('alice', 'files/docs', true), `${root}alice/docs/`);
    assert.equal(urls.url('alice', 'files', true), `${root}alice/`);
  });

  it('has no URL for paths outside files/, such as the trash', () => {
    assert.equal(urls.url('alice', 'files_trashbin/files/a.txt', false), undefined);
    assert.equal(urls.url('alice', 'filesx/a.txt', false), undefined);
  });

  it("encodes segments as Nextcloud's WebDAV does", () => {
    assert.equal(
      urls.url('bob@example.org', 'files/My Docs/Ünï (1)!*.txt', false),
      `${root}bob@example.org/My%20Docs/%C3%9Cn%C3%AF%20(1)%21%2A.txt`,
    );
    assert.equal(encodeSegment('a/b?c#d%e'), 'a%2Fb%3Fc%23d%25e');
  });

  it('writes Unicode in NFC, as Nextcloud stores paths', () => {
    const decomposed = 'U\u0308.txt';
    assert.equal(urls.url('a', `files/${decomposed}`, false), `${root}a/%C3%9C.txt`);
  });

  it('parses any spelling of a resource URL into its canonical form', () => {
    for (const spelling of [
      `${root}bob/My%20Docs/a.txt`,
      'https://CLOUD.example.com:443/nextcloud/remote.php/dav/files/bob/My Docs/a.txt',
      `${root}%62ob/My%20Docs/a%2Etxt`,
    ]) {
      assert.deepEqual(urls.parse(spelling), {
        uid: 'bob',
        path: 'files/My Docs/a.txt',
        isFolder: false,
        url: `${root}bob/My%20Docs/a.txt`,
      });
    }
  });

  it("parses folders and the user's root", () => {
    assert.deepEqual(urls.parse(`${root}bob/docs/`), {
      uid: 'bob',
      path: 'files/docs',
      isFolder: true,
      url: `${root}bob/docs/`,
    });
    assert.deepEqual(urls.parse(`${root}bob`), {
      uid: 'bob',
      path: 'files',
      isFolder: true,
      url: `${root}bob/`,
    });
  });

  for (const [what, url] of [
    ['another origin', 'https://evil.example.com/nextcloud/remote.php/dav/files/bob/a'],
    ['http instead of https', 'http://cloud.example.com/nextcloud/remote.php/dav/files/bob/a'],
    ['another path', 'https://cloud.example.com/nextcloud/remote.php/webdav/a'],
    ['the files root itself', root],
    ['a query', `${root}bob/a?x=1`],
    ['a fragment', `${root}bob/a#me`],
    ['a dot segment', `${root}bob/docs/../../alice/a`],
    ['an encoded dot segment', `${root}bob/%2e%2e/alice/a`],
    ['an empty segment', `${root}bob//a`],
    ['broken percent-encoding', `${root}bob/%E0%A4%A`],
    ['not a URL', 'bob/a.txt'],
  ]) {
    it(`refuses ${what}`, () => {
      assert.equal(urls.parse(url as string), undefined);
    });
  }

  it('gives a file and a folder spelling of one path the same key', () => {
    assert.equal(resourceKey(`${root}bob/docs/`), resourceKey(`${root}bob/docs`));
  });
});
