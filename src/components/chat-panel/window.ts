/**
 * Which chunks are rendered: a contiguous range [start, end] of at most `maxChunks` chunks. A
 * `live` window ends at the newest chunk and grows with it; when the reader is not following the
 * bottom and the window is full, it stops growing (new messages wait off-screen behind the chip).
 */
export class RenderWindow {
  start = 0;
  end = -1;
  live = true;

  constructor(public maxChunks: number) {}

  keys(chunks: { key: string }[]): string[] {
    return chunks.slice(this.start, this.end + 1).map((c) => c.key);
  }

  /** After messages were appended: extend a live window; slide it when following, freeze it when not. */
  grow(chunkCount: number, following: boolean): void {
    if (!this.live) return;
    this.end = chunkCount - 1;
    if (this.end - this.start + 1 <= this.maxChunks) return;
    if (following) this.start = this.end - this.maxChunks + 1;
    else {
      this.end = this.start + this.maxChunks - 1;
      this.live = false;
    }
  }

  /** Shows the newest chunks. */
  toBottom(chunkCount: number): void {
    this.end = chunkCount - 1;
    this.start = Math.max(0, this.end - this.maxChunks + 1);
    this.live = true;
  }

  /** One chunk more above (dropping one below when full); false when the oldest chunk is already shown. */
  pageUp(): boolean {
    if (this.start <= 0) return false;
    this.start--;
    if (this.end - this.start + 1 > this.maxChunks) {
      this.end--;
      this.live = false;
    }
    return true;
  }

  /** One chunk more below (dropping one above when full); false when the newest chunk is already shown. */
  pageDown(chunkCount: number): boolean {
    if (this.end >= chunkCount - 1) {
      this.live = true;
      return false;
    }
    this.end++;
    if (this.end - this.start + 1 > this.maxChunks) this.start++;
    this.live = this.end >= chunkCount - 1;
    return true;
  }

  /** `n` chunks were added in front of the store. */
  shift(n: number): void {
    this.start += n;
    this.end += n;
  }

  reset(): void {
    this.start = 0;
    this.end = -1;
    this.live = true;
  }
}
