/**
 * Mini program process for the stream suite: the BUILT chat-panel under miniprogram-simulate
 * (jsdom as the global, like mp-host.js). Streams one reply into a message and records every
 * setData call: ours with appendDelta, the baseline with a whole-content update per flush
 * (`updateMessage(id, { content: soFar })`, what a panel without appendDelta can do). Flushes are
 * driven explicitly (one every `piecesPerFlush` pieces = the panel's 100 ms interval at one piece
 * per 10 ms), so no timing enters the figures.
 */
const path = require('path');
const { JSDOM } = require('jsdom');

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://127.0.0.1/' });
for (const key of ['window', 'document', 'navigator', 'Node', 'HTMLElement', 'Element', 'Event', 'CustomEvent', 'MutationObserver', 'getComputedStyle']) {
  if (global[key] === undefined) global[key] = key === 'window' ? dom.window : dom.window[key];
}

const simulate = require('miniprogram-simulate');
const { serve } = require('../lib/worker');
const { utf8ByteLength } = require('../lib/bytes');
const { chatPanelDriver, root } = require('../adapters/ours');

let componentId;

function mount() {
  const driver = chatPanelDriver();
  if (!componentId) componentId = simulate.load(driver.componentPath, 'bench-stream', { rootPath: driver.rootPath });
  const comp = simulate.render(componentId, {});
  comp.attach(document.createElement('parent-wrapper'));
  const calls = [];
  const instance = comp.instance;
  const setData = instance.setData;
  instance.setData = function recordedSetData(data, callback) {
    calls.push(utf8ByteLength(JSON.stringify(data)));
    return setData.call(this, data, callback);
  };
  return { comp, instance, calls };
}

/** setData calls and bytes for `text` streamed in `pieces` pieces, flushed every `piecesPerFlush`. */
function streamCost({ kind, text, pieces, piecesPerFlush, type = 'text' }) {
  if (type === 'markdown') require(path.join(root, 'miniprogram_dist/components/chat-panel/markdown/index')).enableMarkdown();
  const { comp, instance, calls } = mount();
  instance.appendMessage({ id: 'reply', role: 'assistant', type, content: '', status: kind === 'ours' ? 'streaming' : 'sent' });
  instance.flush();
  calls.length = 0;
  const size = Math.ceil(text.length / pieces);
  let soFar = '';
  for (let i = 0; i < pieces; i++) {
    const piece = text.slice(i * size, (i + 1) * size);
    soFar += piece;
    if (kind === 'ours') instance.appendDelta('reply', piece);
    else instance.updateMessage('reply', { content: soFar });
    if ((i + 1) % piecesPerFlush === 0) instance.flush();
  }
  if (kind === 'ours') instance.updateMessage('reply', { status: 'sent' });
  instance.flush();
  const shown = instance.getMessage('reply').content === text;
  comp.detach();
  return { calls: calls.length, bytes: calls.reduce((a, b) => a + b, 0), maxBytes: Math.max(...calls), shown };
}

serve({ streamCost });
