/**
 * Env names: each connection of a token says which side it is (`?env=`). Two roles are built in
 * (the H5 page and the mini program pair with each other); any other name is a free env.
 */

export const H5_ENV = 'h5';
export const MINIAPP_ENV = 'miniapp';

/** The built-in roles. */
export const ROLES = [H5_ENV, MINIAPP_ENV] as const;
export type Role = (typeof ROLES)[number];

/**
 * The env a pair member always talks to, even before that env ever connected; undefined for any
 * other name (`constructor`, `__proto__` included). A function, not a map: nothing to look up on a
 * prototype, and no top-level object for bundlers to keep.
 */
export function pairedEnv(env: string): string | undefined {
  return env === H5_ENV ? MINIAPP_ENV : env === MINIAPP_ENV ? H5_ENV : undefined;
}

/** Short and plain, so an env can be used in keys and channel messages as it is. */
export const ENV_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
export const ENV_RULE = '1-32 characters of A-Z a-z 0-9 _ . -';

export function isEnvName(value: unknown): value is string {
  return typeof value === 'string' && ENV_PATTERN.test(value);
}
