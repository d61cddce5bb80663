import { randomInt } from 'node:crypto';
import type { SimulatedNextcloud } from './simulated-nextcloud.js';

/**
 * The accounts `pnpm demo` creates: `alice` / `alice-password` owns the files, `bob` /
 * `bob-password` receives the share.
 */
export const DEMO_USERS: readonly { uid: string; password: string }[] = [
  { uid: 'alice', password: 'alice-password' },
  { uid: 'bob', password: 'bob-password' },
];

const OWNER = 'alice';
const SHARED_FOLDER = 'files/Project';
const DEMO_FOLDERS = ['files/Documents', 'files/Photos', SHARED_FOLDER];
/** alice's seeded files and their first content; `touchRandomFile` rewrites one of them. */
export const DEMO_FILES: Readonly<Record<string, string>> = {
  'files/Readme.md': '# Welcome to the notify-gateway demo\n',
  'files/Documents/notes.txt': 'Notes\n',
  'files/Documents/todo.md': '- try the demo\n',
  'files/Photos/holiday.jpg': 'not really a photo\n',
  [`${SHARED_FOLDER}/plan.txt`]: 'A plan alice shares with bob\n',
};

/**
 * Seeds a started simulated Nextcloud for the demo: {@link DEMO_USERS}, folders and files in
 * alice's home, and `files/Project` shared with bob. Returns the accounts.
 */
export async function seedDemo(
  nextcloud: SimulatedNextcloud,
): Promise<{ uid: string; password: string }[]> {
  for (const user of DEMO_USERS) await nextcloud.addUser(user);
  for (const folder of DEMO_FOLDERS) await nextcloud.mkdir(OWNER, folder);
  for (const [path, content] of Object.entries(DEMO_FILES)) {
    await nextcloud.writeFile(OWNER, path, content);
  }
  await nextcloud.share(OWNER, SHARED_FOLDER, 'bob');
  return DEMO_USERS.map((user) => ({ ...user }));
}

/** Rewrites one of alice's seeded files (a change bob sees too when it is in the share). */
export async function touchRandomFile(
  nextcloud: SimulatedNextcloud,
): Promise<{ uid: string; path: string; fileId: number; etag: string }> {
  const paths = Object.keys(DEMO_FILES);
  const path = paths[randomInt(paths.length)] ?? 'files/Readme.md';
  const content = `${DEMO_FILES[path]}changed at ${new Date().toISOString()}\n`;
  const { fileId, etag } = await nextcloud.writeFile(OWNER, path, content);
  return { uid: OWNER, path, fileId, etag };
}
