/** UTF-8 bytes of a string: what a setData payload or a frame weighs on the wire. */
const utf8ByteLength = (text) => Buffer.byteLength(text, 'utf8');

module.exports = { utf8ByteLength };
