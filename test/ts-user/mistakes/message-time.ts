import type { ChatMessage } from 'miniprogram-hybrid-kit';

export const message: ChatMessage = { id: 1, role: 'me', content: 'hi', time: new Date() }; // ✗
