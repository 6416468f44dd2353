import { createRelayServer } from 'miniprogram-hybrid-kit/server';

createRelayServer({ prot: 8787 }); // ✗
