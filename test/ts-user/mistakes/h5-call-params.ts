import { createBridge } from 'miniprogram-hybrid-kit/h5';
import type { Apis } from '../pages/apis';

createBridge<Apis>().call('getUser', { id: 42 }); // ✗
