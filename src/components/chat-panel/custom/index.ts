/**
 * Default renderer for message types chat-panel does not draw itself (the `chat-custom` generic).
 * Pages replace it with `generic:chat-custom="my-card"`; it shows the content as plain text.
 */
import { MessageView } from '../types';

function describe(message: Partial<MessageView>): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '[' + (message.type || 'message') + ']';
  return JSON.stringify(content);
}

Component({
  externalClasses: ['custom-class'],
  properties: {
    /** The rendered row: `{ id, side, type, content, status?, avatar?, name? }`. */
    message: { type: Object, value: {} },
  },
  data: { text: '' },
  observers: {
    message(message: Partial<MessageView>) {
      const text = describe(message || {});
      if (text !== this.data.text) this.setData({ text });
    },
  },
});
