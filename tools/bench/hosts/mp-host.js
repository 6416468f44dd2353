/**
 * Mini program process (forked by the runner): a jsdom window as the global (what jest's jsdom
 * environment gives the tests), miniprogram-simulate, and the BUILT components. Measures what a
 * chat component sends through setData (calls and UTF-8 bytes of the data) and how many nodes it
 * renders. No timings.
 */
const path = require('path');
const { installJsdomWindow } = require('../../lib/jsdom-window');

installJsdomWindow();
const simulate = require('miniprogram-simulate');
const { serve, sleep } = require('../lib/worker');
const { utf8ByteLength } = require('../lib/bytes');
const { meterSetData } = require('../../lib/setdata-meter');
const { chatPanelDriver } = require('../adapters/ours');

/** The old chat page's whole-list component (tools/bench/baselines/chat-whole-list). */
const wholeListDriver = {
  componentPath: path.join(__dirname, '../baselines/chat-whole-list/index'),
  rootPath: path.join(__dirname, '../baselines'),
  load: (instance, messages) => instance.load(messages),
  append: (instance, message) => instance.append(message),
};

const drivers = { baseline: () => wholeListDriver, ours: () => chatPanelDriver() };
const loaded = new Map(); // driver name -> component id (simulate loads a path once per process)

function message(i) {
  const role = i % 2 ? 'me' : 'server';
  return { id: `m${i}`, role, content: `服务器回复: message number ${i}, a line of ordinary chat text`, time: 1_700_000_000_000 + i * 1000 };
}

const traceSetData = process.env.BENCH_TRACE_SETDATA ? (data) => process.stderr.write(`setData ${JSON.stringify(data)}\n`) : undefined;

/** Renders a fresh component and meters each setData call made on it. */
function mount(name) {
  const driver = drivers[name]();
  if (!loaded.has(name)) loaded.set(name, simulate.load(driver.componentPath, `bench-${name}`, { rootPath: driver.rootPath }));
  const comp = simulate.render(loaded.get(name), driver.properties || {});
  comp.attach(document.createElement('parent-wrapper'));
  const instance = comp.instance;
  return { driver, comp, instance, meter: meterSetData(instance, traceSetData) };
}

/**
 * Runs `step`; a render error is returned, not thrown. The WXML compiler's render code refuses
 * trees past its node limit ("Dom limit exceeded", as on devices): setData was still called and
 * recorded, the page just cannot show it.
 */
async function rendering(step) {
  try {
    await step();
    return null;
  } catch (err) {
    return String((err && err.message) || err);
  }
}

/**
 * Bytes and calls for appending `appends` messages one by one (each sent before the next) to a
 * conversation of `size` messages. Several appends, because a chunked list pays a little more
 * when a message opens a new chunk: the mean is the steady cost, the max the worst append.
 */
async function appendCost({ kind, size, appends = 20, settleMs = 300 }) {
  const { driver, comp, instance, meter } = mount(kind);
  const loadError = await rendering(() => driver.load(instance, Array.from({ length: size }, (_, i) => message(i))));
  await sleep(settleMs);
  const nodes = loadError ? null : comp.dom.querySelectorAll('*').length;
  const perAppend = [];
  let messageBytes = 0;
  let callCount = 0;
  let appendError = null;
  for (let k = 0; k < appends; k++) {
    meter.reset();
    const next = message(size + k);
    messageBytes += utf8ByteLength(JSON.stringify(next));
    appendError = (await rendering(() => driver.append(instance, next))) || appendError;
    callCount += meter.calls.length;
    perAppend.push(meter.totalBytes());
  }
  comp.detach();
  return {
    size,
    appends,
    calls: callCount,
    meanBytes: perAppend.reduce((a, b) => a + b, 0) / appends,
    maxBytes: Math.max(...perAppend),
    messageBytes: messageBytes / appends,
    nodes,
    renderError: loadError || appendError,
  };
}

/** setData calls while `count` messages arrive back to back, then until it settles. */
async function burst({ kind, count = 200, settleMs = 1500 }) {
  const { driver, comp, instance, meter } = mount(kind);
  await driver.load(instance, [message(0)]);
  await sleep(100);
  meter.reset();
  const add = driver.burstAppend || driver.append;
  for (let i = 1; i <= count; i++) add(instance, message(i));
  await sleep(settleMs);
  const nodes = comp.dom.querySelectorAll('*').length;
  comp.detach();
  return { count, calls: meter.calls.length, bytes: meter.totalBytes(), nodes };
}

serve({ appendCost, burst });
