import { InvalidInputError, UserExistsError } from './nextcloud-errors.js';

/** A Nextcloud account of the simulated server. */
export interface NextcloudUser {
  /** The user id: what `/uid` answers and what every event names. Case-sensitive. */
  uid: string;
  /** The account password. */
  password: string;
  /** A login name other than the uid (an LDAP attribute, an email login). @defaultValue the uid */
  loginName?: string;
  /** App passwords (device tokens); each is valid only with the login name. @defaultValue [] */
  appPasswords?: string[];
}

/** Nextcloud's rule for user ids: at most 64 of `a-z A-Z 0-9 space _ . @ - '`, not `.`/`..`. */
const VALID_UID = /^[a-zA-Z0-9 _.@\-']{1,64}$/;

/**
 * The accounts and how Nextcloud's login resolves credentials to a uid: the database backend
 * matches the uid case-insensitively and answers with its real spelling; an app token is bound to
 * the login name it was created with (compared case-insensitively).
 */
export class UserDirectory {
  readonly #users = new Map<string, NextcloudUser>();

  add(user: NextcloudUser): void {
    const { uid } = user;
    if (!VALID_UID.test(uid) || uid === '.' || uid === '..' || uid.trim() !== uid) {
      throw new InvalidInputError(`invalid user id ${JSON.stringify(uid)}`);
    }
    if (this.#users.has(uid)) throw new UserExistsError(uid);
    this.#users.set(uid, { ...user, appPasswords: [...(user.appPasswords ?? [])] });
  }

  has(uid: string): boolean {
    return this.#users.has(uid);
  }

  /** The uid these credentials log in as, or `undefined` when they are wrong. */
  authenticate(login: string, password: string): string | undefined {
    const wanted = login.toLowerCase();
    for (const user of this.#users.values()) {
      const tokenLogin = (user.loginName ?? user.uid).toLowerCase();
      if (tokenLogin === wanted && user.appPasswords?.includes(password)) return user.uid;
      const names = [user.uid, user.loginName ?? user.uid].map((name) => name.toLowerCase());
      if (names.includes(wanted) && user.password === password) return user.uid;
    }
    return undefined;
  }
}
