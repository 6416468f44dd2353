import { HandlerRegistry } from 'miniprogram-hybrid-kit';
import type { Apis } from '../pages/apis';

const registry = new HandlerRegistry<Apis>();
registry.register('getUser', ({ id }: { id: number }) => ({ id: String(id), name: '' })); // ✗
