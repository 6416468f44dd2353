import { typedRegistry } from 'miniprogram-hybrid-kit';
import type { Apis } from '../pages/apis';

typedRegistry<Apis>().register('getUsr', () => ({ id: '1', name: '' })); // ✗
