/** Default size limits shared by every side. Each is configurable where it is used. */
export const LIMITS = {
  /** Encoded `cmd` query value of the navigate channel (URL length on devices is undocumented; stay small). */
  maxCmdLength: 4096,
  /** Encoded web-view hash written by the mini program. */
  maxHashLength: 8192,
  /** One socket frame, in UTF-8 bytes. */
  maxFrameBytes: 256 * 1024,
  /** `req`, `id`, `api`, `event` and env names. */
  maxNameLength: 128,
  /** Nesting depth of decoded JSON; deeper input is refused before it reaches handlers. */
  maxDepth: 32,
} as const;

export const PROTOCOL_VERSION = 1;
