/**
 * The H5 demo page, on the SDK's single-file build (`/hybrid-kit.js`, global `HybridKit`).
 * A module script (index.html): its names stay out of the page's globals without a wrapper.
 *
 *   ?token=demo        pairs this page with the mini program (same token on the relay)
 *   ?env=h5            default: this page is the H5 side
 *   ?env=miniapp       this tab plays the mini program, so two desktop tabs can talk without DevTools
 *   ?ws=ws://…/socket  the relay socket (default: this server's /socket)
 *   ?retry=<ms>        longest reconnect delay (default 8000)
 *
 * Text from the other side is only ever written with textContent.
 */
var Kit = window.HybridKit;
var CHAT_EVENT = 'chat';
var PUSH_EVENT = 'notice';

var $ = function (id) { return document.getElementById(id); };

function el(tag, attrs, text) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
  if (text !== undefined) node.textContent = text;
  return node;
}

function describe(err) {
  return { code: (err && err.code) || 'HANDLER_ERROR', message: (err && err.message) || String(err) };
}

/** The page's settings from its query string. */
function readSettings(q) {
  var env = q.get('env') || 'h5';
  var posing = env !== 'h5'; // this tab answers like the mini program
  return {
    token: q.get('token') || 'demo',
    env: env,
    posing: posing,
    peer: posing ? 'h5' : 'miniapp',
    wsUrl: q.get('ws') || (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/socket',
    retryCap: Number(q.get('retry')) || 8000,
  };
}

// ---- the connection (shared by chat, socket calls and socket pushes) ----

function connect(cfg) {
  var socket = Kit.createSocketCallTransport({
    url: cfg.wsUrl,
    token: cfg.token,
    env: cfg.env,
    peer: cfg.peer,
    client: { backoff: { base: Math.min(500, cfg.retryCap), cap: cfg.retryCap } },
  });
  ['state', 'hello', 'presence', 'close'].forEach(function (name) {
    socket.client.on(name, function () { setTimeout(function () { showConnection(cfg, socket); }, 0); });
  });
  return socket;
}

function showConnection(cfg, socket) {
  var state = socket.client.state;
  $('state').textContent = state;
  $('state').setAttribute('data-state', state);
  var online = socket.peerOnline();
  $('peer').setAttribute('data-online', String(online));
  $('peer').textContent = (online ? '在线：' : '离线：') + cfg.peer;
}

// ---- chat ----

function addChat(cfg, from, text, status) {
  var li = el('li', { 'data-from': from, 'data-self': String(from === cfg.env), 'data-status': status || 'received' });
  var bubble = el('div', { class: 'bubble' });
  bubble.appendChild(el('span', { class: 'who' }, from));
  bubble.appendChild(el('span', { class: 'text' }, text));
  li.appendChild(bubble);
  $('chat-list').appendChild(li);
  $('chat-list').scrollTop = $('chat-list').scrollHeight;
  return li;
}

function startChat(cfg, client) {
  client.subscribe(CHAT_EVENT, function (data, frame) {
    addChat(cfg, frame.from || cfg.peer, String(data && data.text));
  });
  $('chat-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('chat-input').value.trim();
    if (!text) {
      $('chat-hint').textContent = '不能发送空白消息';
      return;
    }
    $('chat-hint').textContent = '';
    $('chat-input').value = '';
    var li = addChat(cfg, cfg.env, text, 'sending');
    var result = client.emit(CHAT_EVENT, { text: text, time: Date.now(), name: cfg.env }, { reliable: true });
    // 'sent' once the relay acked it (it then delivers it, also to a peer that is reconnecting).
    result.delivered.then(
      function () { li.setAttribute('data-status', 'sent'); },
      function (err) {
        li.setAttribute('data-status', 'failed');
        $('chat-hint').textContent = describe(err).code + ': ' + describe(err).message;
      }
    );
  });
}

// ---- pushes and call results ----

function addPush(event, data) {
  var text = data && typeof data === 'object' && data.text ? data.text : JSON.stringify(data);
  $('push-list').appendChild(el('li', { 'data-event': event }, event + ': ' + text));
}

function showResult(status, value) {
  $('call-result').setAttribute('data-status', status);
  $('call-result').textContent = JSON.stringify(value, null, 2);
}

function paramsFor(api) {
  if (api === 'echo') return { text: $('echo-text').value };
  if (api === 'greet') return { name: $('greet-name').value };
  return undefined;
}

// ---- the tab that plays the mini program: answers the H5 side's calls ----

/** What the posing tab answers with (the real mini program answers from its handler registry). */
function standInHandlers(env) {
  return {
    echo: function (params) { return { echoed: params === undefined ? null : params, by: env, at: Date.now() }; },
    getSystemInfo: function () { return { platform: 'browser', model: navigator.userAgent, SDKVersion: 'n/a' }; },
    greet: function (params) {
      var name = params && typeof params.name === 'string' ? params.name.trim() : '';
      if (!name) throw new Kit.HybridError('BAD_REQUEST', 'greet needs { name: string }');
      return { text: '你好，' + name + '！来自扮演小程序的标签页' };
    },
  };
}

/** Returns what a call button does: run the handler here. */
function startAsMiniProgram(cfg, client) {
  var handlers = standInHandlers(cfg.env);
  $('calls-title').textContent = '本标签页扮演小程序：回答 H5 的调用';
  $('calls-note').textContent = '下面的按钮在本地运行同样的处理函数；H5 标签页的调用经 socket 到达这里。';
  $('transport').disabled = true;
  $('push-controls').hidden = false;
  $('where').textContent = 'browser（扮演 ' + cfg.env + '）';
  client.onRequest(function (api, params) {
    var handler = handlers[api];
    if (!handler) throw new Kit.HybridError('METHOD_NOT_FOUND', 'no handler registered for "' + api + '"');
    addPush('request', { text: api + ' ← ' + cfg.peer });
    return handler(params);
  });
  $('push-send').addEventListener('click', function () {
    client.emit(PUSH_EVENT, { text: $('push-text').value, at: Date.now() }, { to: cfg.peer, reliable: true });
  });
  return function (api) {
    try {
      showResult('ok', handlers[api](paramsFor(api)));
    } catch (err) {
      showResult('error', describe(err));
    }
  };
}

// ---- the H5 side: its calls, and the streamed assistant the mini program calls ----

/** The assistant's Markdown answer to `question`, as the pieces a model would produce. */
function assistantPieces(question) {
  var answer = '## 回答：' + (question || '你好') + '\n\n' +
    '这是一条**流式** Markdown 回复，每段几个字地到达。\n\n' +
    '- 列表项一\n- 列表项 `code`\n- 链接 [示例](https://example.com/docs)\n\n' +
    '```js\nconsole.log("streamed");\n```\n\n' +
    '| 项 | 值 |\n|---|---|\n| chunk | 有序 |\n\n> 完。\n';
  var pieces = [];
  for (var i = 0; i < answer.length; i += 6) pieces.push(answer.slice(i, i + 6));
  return pieces;
}

/** An async iterable of `pieces`, one every 20 ms; `onStop()` when the caller cancels. */
function paced(pieces, onStop) {
  var i = 0;
  var stopped = false;
  return {
    [Symbol.asyncIterator]: function () {
      return {
        next: function () {
          if (stopped || i >= pieces.length) return Promise.resolve({ value: undefined, done: true });
          return new Promise(function (resolve) { setTimeout(function () { resolve({ value: pieces[i++], done: false }); }, 20); });
        },
        return: function () {
          stopped = true;
          onStop();
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}

/** Answers `assistant.reply` with a stream of pieces; stops when the caller cancels. */
function serveAssistant(cfg, client) {
  client.onRequest(function (api, params) {
    if (api !== 'assistant.reply') throw new Kit.HybridError('METHOD_NOT_FOUND', 'no handler registered for "' + api + '"');
    addPush('request', { text: api + ' ← ' + cfg.peer });
    return paced(assistantPieces(params && params.question), function () {
      addPush('stream', { text: api + ' 已停止' });
    });
  });
}

/** Returns what a call button does: call the mini program through the bridge. */
function startAsH5(cfg, socket) {
  serveAssistant(cfg, socket.client);
  var bridge = Kit.createBridge({ socket: socket, timeout: 8000 });
  bridge.env().then(function (where) { $('where').textContent = where; });
  bridge.on(PUSH_EVENT, function (data) { addPush(PUSH_EVENT, data); });
  bridge.onRecovered(function (reply) { addPush('recovered', { text: reply.api + ' → ' + JSON.stringify(reply.ok ? reply.data : reply.error) }); });
  return function (api) {
    $('call-result').setAttribute('data-status', 'pending');
    $('call-result').textContent = api + ' …';
    bridge.call(api, paramsFor(api), { transport: $('transport').value }).then(
      function (data) { showResult('ok', data); },
      function (err) { showResult('error', describe(err)); }
    );
  };
}

// ---- facts and the second-tab link ----

function showFacts(cfg) {
  $('env').textContent = cfg.env;
  $('token').textContent = cfg.token;
  var twin = new URL(location.href);
  twin.hash = '';
  twin.searchParams.set('token', cfg.token);
  twin.searchParams.set('env', cfg.posing ? 'h5' : 'miniapp');
  $('twin-link').href = twin.toString();
  $('twin-link').textContent = cfg.posing ? '同一 token 的 H5 标签页' : '同一 token 的第二个标签页（扮演小程序）';
}

function main() {
  var cfg = readSettings(new URLSearchParams(location.search));
  var socket = connect(cfg);
  startChat(cfg, socket.client);
  var run = cfg.posing ? startAsMiniProgram(cfg, socket.client) : startAsH5(cfg, socket);
  Array.prototype.forEach.call(document.querySelectorAll('button[data-api]'), function (button) {
    button.addEventListener('click', function () { run(button.getAttribute('data-api')); });
  });
  showFacts(cfg);
  showConnection(cfg, socket);
}

main();
