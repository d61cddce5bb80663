/** What the simulated Nextcloud refuses, each as Nextcloud itself would refuse it. */

/** A user id Nextcloud would not accept, or a path no storage can hold (`..`, empty segments, …). */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** No such user, so no home storage. */
export class UnknownUserError extends Error {
  constructor(readonly uid: string) {
    super(`unknown user ${JSON.stringify(uid)}`);
    this.name = 'UnknownUserError';
  }
}

/** The user id is taken. */
export class UserExistsError extends Error {
  constructor(readonly uid: string) {
    super(`user ${JSON.stringify(uid)} already exists`);
    this.name = 'UserExistsError';
  }
}

/** The path (or the folder it should be created in) does not exist in the user's home. */
export class NodeNotFoundError extends Error {
  constructor(
    readonly uid: string,
    readonly path: string,
  ) {
    super(`${JSON.stringify(path)} not found in the home of ${JSON.stringify(uid)}`);
    this.name = 'NodeNotFoundError';
  }
}

/** Something already occupies the path (a folder where a file should go, a move target, …). */
export class NodeExistsError extends Error {
  constructor(
    readonly uid: string,
    readonly path: string,
  ) {
    super(`${JSON.stringify(path)} already exists in the home of ${JSON.stringify(uid)}`);
    this.name = 'NodeExistsError';
  }
}

/** The share manager's refusals: sharing with oneself, the home folder, the same node twice. */
export class ShareRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShareRefusedError';
  }
}
