/**
 * The H5 demo page, on the SDK's single-file build (`/hybrid-kit.js`, global `HybridKit`).
 *
 *   ?token=demo        pairs this page with the mini program (same token on the relay)
 *   ?env=h5            default: this page is the H5 side
 *   ?env=miniapp       this tab plays the mini program, so two desktop tabs can talk without DevTools
 *   ?ws=ws://…/socket  the relay socket (default: this server's /socket)
 *   ?retry=<ms>        longest reconnect delay (default 8000)
 *
 * Text from the other side is only ever written with textContent.
 */
(function () {
  'use strict';

  var Kit = window.HybridKit;
  var q = new URLSearchParams(location.search);
  var token = q.get('token') || 'demo';
  var env = q.get('env') || 'h5';
  var posing = env !== 'h5'; // this tab answers like the mini program
  var peer = posing ? 'h5' : 'miniapp';
  var wsUrl = q.get('ws') || (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/socket';
  var retryCap = Number(q.get('retry')) || 8000;
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

  // ---- the connection (shared by chat, socket calls and socket pushes) ----

  var socket = Kit.createSocketCallTransport({
    url: wsUrl,
    token: token,
    env: env,
    peer: peer,
    client: { backoff: { base: Math.min(500, retryCap), cap: retryCap } },
  });
  var client = socket.client;

  function showConnection() {
    $('state').textContent = client.state;
    $('state').setAttribute('data-state', client.state);
    var online = socket.peerOnline();
    $('peer').setAttribute('data-online', String(online));
    $('peer').textContent = (online ? '在线：' : '离线：') + peer;
  }
  ['state', 'hello', 'presence', 'close'].forEach(function (name) {
    client.on(name, function () { setTimeout(showConnection, 0); });
  });

  // ---- chat ----

  function addChat(from, text, status) {
    var li = el('li', { 'data-from': from, 'data-self': String(from === env), 'data-status': status || 'received' });
    var bubble = el('div', { class: 'bubble' });
    bubble.appendChild(el('span', { class: 'who' }, from));
    bubble.appendChild(el('span', { class: 'text' }, text));
    li.appendChild(bubble);
    $('chat-list').appendChild(li);
    $('chat-list').scrollTop = $('chat-list').scrollHeight;
    return li;
  }

  client.subscribe(CHAT_EVENT, function (data, frame) {
    addChat(frame.from || peer, String(data && data.text));
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
    var li = addChat(env, text, 'sending');
    var result = client.emit(CHAT_EVENT, { text: text, time: Date.now(), name: env }, { reliable: true });
    // 'sent' once the relay acked it (it then delivers it, also to a peer that is reconnecting).
    result.delivered.then(
      function () { li.setAttribute('data-status', 'sent'); },
      function (err) {
        li.setAttribute('data-status', 'failed');
        $('chat-hint').textContent = describe(err).code + ': ' + describe(err).message;
      }
    );
  });

  // ---- pushes ----

  function addPush(event, data) {
    var text = data && typeof data === 'object' && data.text ? data.text : JSON.stringify(data);
    $('push-list').appendChild(el('li', { 'data-event': event }, event + ': ' + text));
  }

  // ---- calls: the H5 side calls, the posing tab answers ----

  function showResult(status, value) {
    $('call-result').setAttribute('data-status', status);
    $('call-result').textContent = JSON.stringify(value, null, 2);
  }

  function paramsFor(api) {
    if (api === 'echo') return { text: $('echo-text').value };
    if (api === 'greet') return { name: $('greet-name').value };
    return undefined;
  }

  /** What the posing tab answers with (the real mini program answers from its handler registry). */
  var STAND_IN_HANDLERS = {
    echo: function (params) { return { echoed: params === undefined ? null : params, by: env, at: Date.now() }; },
    getSystemInfo: function () { return { platform: 'browser', model: navigator.userAgent, SDKVersion: 'n/a' }; },
    greet: function (params) {
      var name = params && typeof params.name === 'string' ? params.name.trim() : '';
      if (!name) throw new Kit.HybridError('BAD_REQUEST', 'greet needs { name: string }');
      return { text: '你好，' + name + '！来自扮演小程序的标签页' };
    },
  };

  function startAsMiniProgram() {
    $('calls-title').textContent = '本标签页扮演小程序：回答 H5 的调用';
    $('calls-note').textContent = '下面的按钮在本地运行同样的处理函数；H5 标签页的调用经 socket 到达这里。';
    $('transport').disabled = true;
    $('push-controls').hidden = false;
    $('where').textContent = 'browser（扮演 ' + env + '）';
    client.onRequest(function (api, params) {
      var handler = STAND_IN_HANDLERS[api];
      if (!handler) throw new Kit.HybridError('METHOD_NOT_FOUND', 'no handler registered for "' + api + '"');
      addPush('request', { text: api + ' ← ' + peer });
      return handler(params);
    });
    $('push-send').addEventListener('click', function () {
      client.emit(PUSH_EVENT, { text: $('push-text').value, at: Date.now() }, { to: peer, reliable: true });
    });
    return function (api) {
      try {
        showResult('ok', STAND_IN_HANDLERS[api](paramsFor(api)));
      } catch (err) {
        showResult('error', describe(err));
      }
    };
  }

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

  /** Answers `assistant.reply` with an async iterable: one piece every 20 ms; stops when the caller cancels. */
  function serveAssistant() {
    client.onRequest(function (api, params) {
      if (api !== 'assistant.reply') throw new Kit.HybridError('METHOD_NOT_FOUND', 'no handler registered for "' + api + '"');
      var pieces = assistantPieces(params && params.question);
      var i = 0;
      var stopped = false;
      addPush('request', { text: api + ' ← ' + peer });
      return {
        [Symbol.asyncIterator]: function () {
          return {
            next: function () {
              if (stopped || i >= pieces.length) return Promise.resolve({ value: undefined, done: true });
              return new Promise(function (resolve) { setTimeout(function () { resolve({ value: pieces[i++], done: false }); }, 20); });
            },
            return: function () {
              stopped = true;
              addPush('stream', { text: api + ' 已停止' });
              return Promise.resolve({ value: undefined, done: true });
            },
          };
        },
      };
    });
  }

  function startAsH5() {
    serveAssistant();
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

  var run = posing ? startAsMiniProgram() : startAsH5();
  Array.prototype.forEach.call(document.querySelectorAll('button[data-api]'), function (button) {
    button.addEventListener('click', function () { run(button.getAttribute('data-api')); });
  });

  // ---- facts and the second-tab link ----

  $('env').textContent = env;
  $('token').textContent = token;
  var twin = new URL(location.href);
  twin.hash = '';
  twin.searchParams.set('token', token);
  twin.searchParams.set('env', posing ? 'h5' : 'miniapp');
  $('twin-link').href = twin.toString();
  $('twin-link').textContent = posing ? '同一 token 的 H5 标签页' : '同一 token 的第二个标签页（扮演小程序）';
  showConnection();
})();
