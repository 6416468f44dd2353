/**
 * Measures a component's setData traffic: wraps `setData` on one instance and records, per call,
 * the data paths and the UTF-8 size of the JSON argument (what crosses to the view thread).
 * Test and benchmark tooling only (the chat-panel tests and tools/bench/hosts/mp-host.js); it is
 * not part of the package.
 */

/** UTF-8 bytes of `data` as JSON: what one setData call carries. */
function setDataBytes(data) {
  return Buffer.byteLength(JSON.stringify(data), 'utf8');
}

/** Starts metering `instance.setData`; `onCall(data)` (optional) sees each call's argument. */
function meterSetData(instance, onCall) {
  const original = instance.setData;
  const calls = [];
  instance.setData = function meteredSetData(data, callback) {
    calls.push({ bytes: setDataBytes(data), keys: Object.keys(data) });
    if (onCall) onCall(data);
    return original.call(this, data, callback);
  };
  return {
    calls,
    totalBytes: () => calls.reduce((n, c) => n + c.bytes, 0),
    reset: () => {
      calls.length = 0;
    },
    restore: () => {
      instance.setData = original;
    },
  };
}

module.exports = { meterSetData, setDataBytes };
