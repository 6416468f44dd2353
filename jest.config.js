// Two projects: mini program tests under jsdom + miniprogram-simulate (loading miniprogram_dist),
// and plain Node tests (core, server, H5 in headless Chromium, package checks).
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }];

module.exports = {
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    {
      displayName: 'mp',
      testEnvironment: 'jsdom',
      testEnvironmentOptions: { url: 'http://127.0.0.1/' },
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/test/mp/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFiles: ['<rootDir>/test/helpers/mp-setup.ts'],
      snapshotSerializers: ['miniprogram-simulate/jest-snapshot-plugin'],
    },
    {
      displayName: 'node',
      testEnvironment: 'node',
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/test/{core,server,h5,package,e2e,fuzz}/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
  ],
};
