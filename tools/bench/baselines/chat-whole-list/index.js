/**
 * Baseline for the chat-panel figures: the old chat page (setData of the whole message list on
 * every message) as a component, written by
 * us. Every new message is pushed onto `list` and the WHOLE list is sent again with setData, and
 * every message of the list is rendered.
 */
Component({
  data: { list: [], lastId: '' },
  methods: {
    /** Loads a conversation in one call (how the benchmark fills it before measuring). */
    load(list) {
      this.setData({ list: list.slice(), lastId: list.length ? `item_${list[list.length - 1].id}` : '' });
    },
    /** The old page's updateMessageList: push, then setData of the whole list and the anchor. */
    append(message) {
      const list = this.data.list;
      list.push(message);
      this.setData({ list, lastId: `item_${message.id}` });
    },
  },
});
