/**
 * Env names: each connection of a token says which side it is (`?env=`). Two roles are built in
 * (the H5 page and the mini program pair with each other); any other name is a free env.
 */

export const H5_ENV = 'h5';
export const MINIAPP_ENV = 'miniapp';

/** The built-in roles. */
export const ROLES = [H5_ENV, MINIAPP_ENV] as const;
export type Role = (typeof ROLES)[number];

/** The env a pair member always talks to, even before that env ever connected. */
export const PAIRED_ENV: Readonly<Record<string, string>> = { __proto__: null, [H5_ENV]: MINIAPP_ENV, [MINIAPP_ENV]: H5_ENV } as unknown as Record<string, string>;

/** Short and plain, so an env can be used in keys and channel messages as it is. */
export const ENV_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
export const ENV_RULE = '1-32 characters of A-Z a-z 0-9 _ . -';

export function isEnvName(value: unknown): value is string {
  return typeof value === 'string' && ENV_PATTERN.test(value);
}
