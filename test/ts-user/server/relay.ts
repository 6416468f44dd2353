// docs/server.md: the relay in a Node program (@types/node and @types/ws installed).
import { createRelayServer } from 'miniprogram-hybrid-kit/server';

async function main(): Promise<void> {
  const relay = createRelayServer({ port: 8787 });
  await relay.listen();
  console.log(relay.url(), relay.metrics().connections);
  await relay.close({ graceMs: 1000 });
}
main();
