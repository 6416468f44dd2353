// docs/chat-panel.md: chat-panel linked to the shared socket, events typed.
import { selectComponentAs } from 'miniprogram-hybrid-kit';
import type { ChatPanelEvent, ChatPanelInstance } from 'miniprogram-hybrid-kit';
import { socketManager } from 'miniprogram-hybrid-kit/behaviors/socket-manager';
import { linkChatPanel, managerSocket } from 'miniprogram-hybrid-kit/components/chat-panel/socket-link';
import type { ChatLink } from 'miniprogram-hybrid-kit/components/chat-panel/socket-link';

let link: ChatLink | undefined;

Component({
  behaviors: [socketManager],
  methods: {
    socketConfig() {
      return { url: 'wss://relay.example.com/socket', token: 'token', env: 'miniapp' };
    },
    onReady() {
      const panel = selectComponentAs<ChatPanelInstance>(this, '#chat');
      panel.appendMessage({ id: 1, role: 'server', content: '你好', time: '2026-12-01T08:00:00Z' });
      panel.appendMessage({ id: 'm2', role: 'me', content: 'hi', time: Date.now() });
      link = linkChatPanel(panel, managerSocket(this), { event: 'chat', name: '小明' });
      // What selectComponent returns is accepted as it is too.
      linkChatPanel(this.selectComponent('#chat'), managerSocket(this)).dispose();
    },
    onSend(e: ChatPanelEvent<'send'>) {
      const result = link!.send(e.detail.message);
      if (result.status === 'refused') console.log(result.error.code, result.error.message);
    },
    onRetry(e: ChatPanelEvent<'retry'>) {
      link!.send(e.detail.message);
    },
    onLoadHistory(e: ChatPanelEvent<'loadhistory'>) {
      const panel = selectComponentAs<ChatPanelInstance>(this, '#chat');
      panel.prependHistory([{ id: 0, role: 'server', content: 'older', time: 0 }], e.detail.beforeId !== '');
    },
  },
});
