import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResourceEvent } from '@gw/events';
import { ResourceMemory, ResourceResolver, ResourceTracker, UserMounts } from '../src/index.js';
import {
  countingFiles,
  type NextcloudFixture,
  startNextcloudFixture,
} from './nextcloud-fixture.js';

/** The events without their time, in a stable order, for comparison. */
function summary(events: ResourceEvent[]) {
  return events
    .map(({ receivedAt: _, type: __, changeKey: ___, ...event }) => event)
    .sort((a, b) =>
      `${a.user}${a.object}${a.activity}`.localeCompare(`${b.user}${b.object}${b.activity}`),
    );
}

describe('ResourceTracker with the simulated Nextcloud', () => {
  let fx: NextcloudFixture;
  let tracker: ResourceTracker;
  let root: string;
  let counter: ReturnType<typeof countingFiles>;

  /** Runs a file operation and tracks every update it published, concurrently, as the router does. */
  const eventsOf = async (operation: () => Promise<unknown>) => {
    const updates = await fx.updatesOf(operation);
    const results = await Promise.all(updates.map((update) => tracker.track(update, 1)));
    return summary(results.flat());
  };
  const etag = async (uid: string, path: string) => {
    const entry = await new ResourceResolver({
      files: fx.database,
      mounts: new UserMounts({ database: fx.database }),
      urls: fx.urls,
      memory: new ResourceMemory(),
    }).current(fx.urls.url(uid, path, false) as string);
    return `"${entry?.etag}"`;
  };

  before(async () => {
    fx = await startNextcloudFixture(['alice', 'bob']);
    root = fx.filesRoot;
    // Existed before the gateway started watching.
    await fx.nextcloud.mkdir('alice', 'files/old');
    await fx.nextcloud.writeFile('alice', 'files/old/before.txt', 'v1');
    counter = countingFiles(fx.database);
    tracker = new ResourceTracker({ mapping: fx.mapping, files: counter.files, urls: fx.urls });
    await tracker.start();
  });
  after(() => fx.close());

  it('announces a new file as Create, and Add on its folder, with their ETags', async () => {
    const events = await eventsOf(() => fx.nextcloud.writeFile('alice', 'files/a.txt', 'hello'));
    const state = await etag('alice', 'files/a.txt');
    const folder = await etag('alice', 'files');
    assert.deepEqual(events, [
      {
        user: 'alice',
        activity: 'Add',
        object: `${root}alice/a.txt`,
        target: `${root}alice/`,
        state: folder,
      },
      { user: 'alice', activity: 'Create', object: `${root}alice/a.txt`, state },
    ]);
  });

  it('keys each change by fileid and the etag it left, the same for every user and replica', async () => {
    const updates = await fx.updatesOf(() =>
      fx.nextcloud.writeFile('alice', 'files/keyed.txt', 'x'),
    );
    const first = (await Promise.all(updates.map((update) => tracker.track(update, 1)))).flat();
    const create = first.find((event) => event.activity === 'Create');
    const entry = await fx.database.filesByPath(updates[0]?.storageId ?? 0, ['files/keyed.txt']);
    assert.equal(create?.changeKey, `${entry[0]?.fileId}:${entry[0]?.etag}`);
    const deleted = await fx.updatesOf(() => fx.nextcloud.delete('alice', 'files/keyed.txt'));
    const gone = (await Promise.all(deleted.map((update) => tracker.track(update, 1)))).flat();
    const [folder] = await fx.database.filesByPath(updates[0]?.storageId ?? 0, ['files']);
    assert.equal(
      gone.find((event) => event.activity === 'Delete')?.changeKey,
      `${entry[0]?.fileId}:${folder?.etag}`,
      'a removal is keyed by the etag its folder was left with',
    );
  });

  it('announces an edit as Update with the new ETag, and nothing on the folder', async () => {
    const events = await eventsOf(() =>
      fx.nextcloud.writeFile('alice', 'files/a.txt', 'hello again'),
    );
    assert.deepEqual(events, [
      {
        user: 'alice',
        activity: 'Update',
        object: `${root}alice/a.txt`,
        state: await etag('alice', 'files/a.txt'),
      },
    ]);
  });

  it('announces a delete as Delete without state, and Remove on the folder', async () => {
    const folder = async () => etag('alice', 'files');
    const events = await eventsOf(() => fx.nextcloud.delete('alice', 'files/a.txt'));
    assert.deepEqual(events, [
      { user: 'alice', activity: 'Delete', object: `${root}alice/a.txt`, subtree: false },
      {
        user: 'alice',
        activity: 'Remove',
        object: `${root}alice/a.txt`,
        target: `${root}alice/`,
        state: await folder(),
      },
    ]);
  });

  it('announces a new folder at its folder URL, ending in /', async () => {
    const events = await eventsOf(() => fx.nextcloud.mkdir('alice', 'files/docs'));
    assert.deepEqual(
      events.map((event) => [event.activity, event.object, event.target]),
      [
        ['Add', `${root}alice/docs/`, `${root}alice/`],
        ['Create', `${root}alice/docs/`, undefined],
      ],
    );
  });

  it('announces a rename within a folder as Delete and Remove, then Create and Add', async () => {
    await eventsOf(() => fx.nextcloud.writeFile('alice', 'files/docs/draft.txt', 'x'));
    const events = await eventsOf(() =>
      fx.nextcloud.move('alice', 'files/docs/draft.txt', 'files/docs/final.txt'),
    );
    assert.deepEqual(
      events.map((event) => [event.activity, event.object, event.target]),
      [
        ['Delete', `${root}alice/docs/draft.txt`, undefined],
        ['Remove', `${root}alice/docs/draft.txt`, `${root}alice/docs/`],
        ['Add', `${root}alice/docs/final.txt`, `${root}alice/docs/`],
        ['Create', `${root}alice/docs/final.txt`, undefined],
      ],
    );
  });

  it('announces a move across folders on both folders', async () => {
    await eventsOf(() => fx.nextcloud.mkdir('alice', 'files/archive'));
    const events = await eventsOf(() =>
      fx.nextcloud.move('alice', 'files/docs/final.txt', 'files/archive/final.txt'),
    );
    assert.deepEqual(
      events.map((event) => [event.activity, event.object, event.target]),
      [
        ['Add', `${root}alice/archive/final.txt`, `${root}alice/archive/`],
        ['Create', `${root}alice/archive/final.txt`, undefined],
        ['Delete', `${root}alice/docs/final.txt`, undefined],
        ['Remove', `${root}alice/docs/final.txt`, `${root}alice/docs/`],
      ],
    );
  });

  it('announces a change below a shared folder to the owner and the recipient, each at their URL', async () => {
    await eventsOf(() => fx.nextcloud.writeFile('alice', 'files/docs/shared.txt', 'v1'));
    await fx.nextcloud.share('alice', 'files/docs', 'bob');
    fx.mapping.forgetAll();
    const events = await eventsOf(() =>
      fx.nextcloud.writeFile('alice', 'files/docs/shared.txt', 'v2'),
    );
    const state = await etag('alice', 'files/docs/shared.txt');
    assert.deepEqual(events, [
      { user: 'alice', activity: 'Update', object: `${root}alice/docs/shared.txt`, state },
      { user: 'bob', activity: 'Update', object: `${root}bob/docs/shared.txt`, state },
    ]);
  });

  it('announces a file that existed before the gateway started as Update, not Create', async () => {
    const events = await eventsOf(() =>
      fx.nextcloud.writeFile('alice', 'files/old/before.txt', 'v2'),
    );
    assert.deepEqual(
      events.map((event) => event.activity),
      ['Update'],
    );
  });

  it('announces the subtree of a deleted folder: Delete on the folder URL with subtree', async () => {
    await eventsOf(() => fx.nextcloud.writeFile('alice', 'files/archive/more.txt', 'x'));
    const events = await eventsOf(() => fx.nextcloud.delete('alice', 'files/archive'));
    assert.deepEqual(
      events.map((event) => [event.activity, event.object, event.subtree]),
      [
        ['Delete', `${root}alice/archive/`, true],
        ['Remove', `${root}alice/archive/`, undefined],
      ],
    );
  });

  it('says nothing about a file created and deleted before it was looked up', async () => {
    const updates = await fx.updatesOf(async () => {
      await fx.nextcloud.writeFile('alice', 'files/blink.txt', 'x');
      await fx.nextcloud.delete('alice', 'files/blink.txt');
    });
    const events = (await Promise.all(updates.map((update) => tracker.track(update, 1)))).flat();
    assert.deepEqual(events, []);
  });

  it('looks a burst of updates up with a few queries, not one per update', async () => {
    await eventsOf(() => fx.nextcloud.mkdir('alice', 'files/burst'));
    const updates = await fx.updatesOf(async () => {
      for (let i = 0; i < 20; i++)
        await fx.nextcloud.writeFile('alice', `files/burst/${i}.txt`, 'x');
    });
    counter.queries = 0;
    const events = (await Promise.all(updates.map((update) => tracker.track(update, 1)))).flat();
    assert.equal(events.filter((event) => event.activity === 'Create').length, 20);
    assert.ok(counter.queries <= 4, `${counter.queries} queries for ${updates.length} updates`);
  });
});

describe('ResourceTracker and the resources it was told to watch', () => {
  let fx: NextcloudFixture;

  before(async () => {
    fx = await startNextcloudFixture(['carol']);
    await fx.nextcloud.mkdir('carol', 'files/box');
    await fx.nextcloud.writeFile('carol', 'files/box/old.txt', 'x');
  });
  after(() => fx.close());

  const trackerFor = (memory: ResourceMemory) =>
    new ResourceTracker({ mapping: fx.mapping, files: fx.database, urls: fx.urls, memory });
  const run = async (tracker: ResourceTracker, operation: () => Promise<unknown>) => {
    const updates = await fx.updatesOf(operation);
    return (await Promise.all(updates.map((update) => tracker.track(update, 1)))).flat();
  };

  it('recognises the first move of a watched file that existed before the gateway started', async () => {
    const memory = new ResourceMemory();
    memory.setWatermark(await fx.database.maxFileId());
    await new ResourceResolver({
      files: fx.database,
      mounts: new UserMounts({ database: fx.database }),
      urls: fx.urls,
      memory,
    }).watch([`${fx.filesRoot}carol/box/`]);
    const events = await run(trackerFor(memory), () =>
      fx.nextcloud.move('carol', 'files/box/old.txt', 'files/box/new.txt'),
    );
    assert.deepEqual(events.map((event) => event.activity).sort(), [
      'Add',
      'Create',
      'Delete',
      'Remove',
    ]);
  });

  it('costs no query for users nobody listens to, and counts their files as existing', async () => {
    const counter = countingFiles(fx.database);
    let listening = false;
    const tracker = new ResourceTracker({
      mapping: fx.mapping,
      files: counter.files,
      urls: fx.urls,
      interested: () => listening,
    });
    tracker.memory.setWatermark(0);
    assert.deepEqual(
      await run(tracker, () => fx.nextcloud.writeFile('carol', 'files/quiet.txt', 'x')),
      [],
    );
    assert.equal(counter.queries, 0);
    listening = true;
    const events = await run(tracker, () =>
      fx.nextcloud.writeFile('carol', 'files/quiet.txt', 'y'),
    );
    assert.deepEqual(
      events.map((event) => event.activity),
      ['Update'],
    );
  });
});
