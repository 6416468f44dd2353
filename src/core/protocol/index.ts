/**
 * The wire contract in one place: frame types, close codes and their policy, error codes, env
 * names and roles. The relay, the clients and docs/protocol.md read from here
 * (test/core/protocol-doc.test.ts checks the doc tables against it).
 */
export * from './frame-types';
export * from './close-codes';
export * from './error-codes';
export * from './envs';
