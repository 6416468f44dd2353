/** Timestamp groups: a time line is shown above a message that comes more than `gapMs` after the one before it. */

function pad(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** `HH:mm` today, `M/D HH:mm` this year (`M月D日 HH:mm` in Chinese), with the year otherwise. */
export function formatTime(ms: number, locale: string, now: number = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  const hm = pad(d.getHours()) + ':' + pad(d.getMinutes());
  const sameYear = d.getFullYear() === today.getFullYear();
  if (sameYear && d.getMonth() === today.getMonth() && d.getDate() === today.getDate()) return hm;
  const zh = !/^en/i.test(locale);
  const md = zh ? `${d.getMonth() + 1}月${d.getDate()}日` : `${d.getMonth() + 1}/${d.getDate()}`;
  if (sameYear) return `${md} ${hm}`;
  return zh ? `${d.getFullYear()}年${md} ${hm}` : `${d.getFullYear()}/${md} ${hm}`;
}

/**
 * Whether a message at `time` starts a new group after a message at `prevTime`. Messages without a
 * time never show one; the first timed message of the conversation always does.
 */
export function startsTimeGroup(prevTime: number | undefined, time: number | undefined, gapMs: number): boolean {
  if (time === undefined) return false;
  if (prevTime === undefined) return true;
  return time - prevTime > gapMs;
}
