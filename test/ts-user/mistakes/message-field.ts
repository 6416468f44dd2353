import { selectComponentAs } from 'miniprogram-hybrid-kit';
import type { ChatPanelInstance } from 'miniprogram-hybrid-kit';

Page({
  onReady() {
    const panel = selectComponentAs<ChatPanelInstance>(this, '#chat');
    panel.appendMessage({ idd: 1, role: 'me', content: 'hi' }); // ✗
  },
});
