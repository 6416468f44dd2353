import { typedRegistry } from 'miniprogram-hybrid-kit';
import type { Apis } from '../pages/apis';

typedRegistry<Apis>().register('scan', () => ({ kode: 'x' })); // ✗
