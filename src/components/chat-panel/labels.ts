/** Interface strings: Chinese by default, English on `locale="en"`. */

export interface ChatLabels {
  placeholder: string;
  send: string;
  emptyHint: string;
  /** `{n}` is replaced by the count. */
  newMessages: string;
  retry: string;
  sending: string;
  failed: string;
  noMore: string;
  image: string;
  list: string;
  /** The button that stops a streaming reply. */
  stop: string;
  /** The indicator of a reply still being written. */
  thinking: string;
  /** Shown after a link or code block was copied. */
  copied: string;
  /** The copy button of a code block. */
  copy: string;
}

const LOCALES: Record<string, ChatLabels> = {
  zh: {
    placeholder: '输入消息…',
    send: '发送',
    emptyHint: '不能发送空白消息',
    newMessages: '{n} 条新消息',
    retry: '发送失败，点击重发',
    sending: '发送中',
    failed: '发送失败',
    noMore: '没有更早的消息了',
    image: '图片',
    list: '消息列表',
    stop: '停止',
    thinking: '正在输入',
    copied: '已复制',
    copy: '复制',
  },
  en: {
    placeholder: 'Type a message…',
    send: 'Send',
    emptyHint: 'Cannot send an empty message',
    newMessages: '{n} new messages',
    retry: 'Not sent. Tap to retry',
    sending: 'Sending',
    failed: 'Not sent',
    noMore: 'No earlier messages',
    image: 'Image',
    list: 'Messages',
    stop: 'Stop',
    thinking: 'Typing',
    copied: 'Copied',
    copy: 'Copy',
  },
};

/** Labels of a locale (`zh`, `en`, or a tag such as `en-US`); unknown locales fall back to Chinese. */
export function labelsFor(locale: string): ChatLabels {
  const lang = (locale || 'zh').toLowerCase().split(/[-_]/)[0];
  return LOCALES[lang] || LOCALES.zh;
}

export function newMessagesText(labels: ChatLabels, count: number): string {
  return labels.newMessages.replace('{n}', String(count));
}
