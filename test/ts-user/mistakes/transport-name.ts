import { createBridge } from 'miniprogram-hybrid-kit/h5';

createBridge().call('getUser', { id: '1' }, { transport: 'websocket' }); // ✗
